package dev.netc.compiler.check;

import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.source.Span;

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

  /** The language {@code span} was written in, so that a hint names the keys its author wrote ({@link Frontends#input}). */
  static Frontends.Input input(Span span) {
    return Frontends.input(span.file());
  }
}
