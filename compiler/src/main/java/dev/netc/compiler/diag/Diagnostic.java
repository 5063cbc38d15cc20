package dev.netc.compiler.diag;

import dev.netc.compiler.source.Span;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A problem found in the user's input: a value, never an exception.
 *
 * @param code the stable code
 * @param severity how bad it is
 * @param message one concrete line, identifiers in backticks
 * @param span where it is; never null
 * @param related other places involved ("first declared here")
 * @param hint what to do about it, or empty
 * @param suppressed the reason given by a {@code netc:ignore} comment, when one suppressed it
 */
public record Diagnostic(
    Code code,
    Severity severity,
    String message,
    Span span,
    List<Related> related,
    Optional<String> hint,
    Optional<String> suppressed) {

  /** Another place a diagnostic refers to. */
  public record Related(Span span, String message) {}

  /** Deterministic order: file, offset, code, message. */
  public static final Comparator<Diagnostic> ORDER =
      Comparator.comparing(Diagnostic::span)
          .thenComparing(Diagnostic::code)
          .thenComparing(Diagnostic::message);

  public Diagnostic {
    Objects.requireNonNull(code);
    Objects.requireNonNull(severity);
    Objects.requireNonNull(message);
    Objects.requireNonNull(span);
    related = List.copyOf(related);
    Objects.requireNonNull(hint);
    Objects.requireNonNull(suppressed);
  }

  public static Diagnostic of(Code code, Span span, String message) {
    return new Diagnostic(
        code, code.severity(), message, span, List.of(), Optional.empty(), Optional.empty());
  }

  public Diagnostic withHint(String text) {
    return new Diagnostic(
        code, severity, message, span, related, Optional.ofNullable(text), suppressed);
  }

  public Diagnostic withRelated(Span where, String what) {
    var all = new java.util.ArrayList<>(related);
    all.add(new Related(where, what));
    return new Diagnostic(code, severity, message, span, all, hint, suppressed);
  }

  public Diagnostic withSeverity(Severity s) {
    return new Diagnostic(code, s, message, span, related, hint, suppressed);
  }

  public Diagnostic suppressedBecause(String reason) {
    return new Diagnostic(code, severity, message, span, related, hint, Optional.of(reason));
  }

  public boolean isError() {
    return severity == Severity.ERROR && suppressed.isEmpty();
  }
}
