package dev.netc.compiler.check;

import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/** How checks name what the user declared, rather than the replicas netc expanded it into. */
final class Names {
  private Names() {}

  /**
   * The name of the declaration an endpoint comes from, as the user wrote it: {@code api} for
   * {@code api-1}, qualified by its namespace ({@code shop/api}) when it has one.
   */
  static String declared(Endpoint e) {
    String local = e.replicaOf().orElse(e.localName());
    return e.namespace().isEmpty() ? local : e.namespace() + "/" + local;
  }

  /** {@code container} or {@code pod}. */
  static String kind(Endpoint e) {
    return e.kind() == Endpoint.Kind.POD ? "pod" : "container";
  }

  /** The language of an input file, so that a hint names the keys its author wrote. */
  enum Input { NETC, COMPOSE, KUBERNETES }

  /**
   * The language {@code span} was written in, judged by the file's content as the compiler reads
   * it ({@link Frontends#forFile}): a Compose file says {@code network_mode: host} where {@code
   * .netc} says {@code mode host}, and Kubernetes {@code hostNetwork: true}.
   */
  static Input input(Span span) {
    // judged once per file (by identity: SourceFile keeps Object's equals), not once per finding
    return INPUTS.computeIfAbsent(span.file(), f -> Frontends.forFile(f).map(Frontend::name)
        .map(n -> n.equals(Frontends.KUBERNETES.name()) ? Input.KUBERNETES : Input.COMPOSE).orElse(Input.NETC));
  }

  private static final Map<SourceFile, Input> INPUTS = Collections.synchronizedMap(new WeakHashMap<>());
}
