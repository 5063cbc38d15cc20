package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Word;
import java.util.Map;

/**
 * One Kubernetes object of the input: its kind, name and namespace (the namespace {@code default}
 * when {@code metadata.namespace} is absent, as {@code kubectl apply} does without {@code -n}),
 * its top-level fields, and accessors that name it in messages.
 */
record KubeObject(Word kind, Word name, Word namespace, Map<String, At> fields, At root, Fields f) {

  /** {@code Service `web`}, as messages name the object. */
  String describe() {
    return kind.text() + " `" + name.text() + "`";
  }
}
