package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Word;
import java.util.Map;

/**
 * One Kubernetes object of the input: its kind, name and namespace (the namespace {@code default}
 * when {@code metadata.namespace} is absent, as {@code kubectl apply} does without {@code -n}),
 * its top-level fields, and accessors that name it in messages. A {@code broken} object is one
 * whose {@code metadata.namespace} is not a single value: it is read for its other errors only and
 * left out, and its {@code namespace} ({@code default}) is not the one it means, so what it looks
 * up there (the pods a Service or a policy selects) is not what it would find.
 */
record KubeObject(Word kind, Word name, Word namespace, Map<String, At> fields, At root, Fields f,
    boolean broken) {

  /** {@code Service `web`}, as messages name the object. */
  String describe() {
    return kind.text() + " `" + name.text() + "`";
  }
}
