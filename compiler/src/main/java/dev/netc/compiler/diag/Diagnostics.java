package dev.netc.compiler.diag;

import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A collector of diagnostics: each compiler stage reports into one and never throws. */
public final class Diagnostics {
  private final List<Diagnostic> items = new ArrayList<>();

  public Diagnostic report(Code code, Span span, String message) {
    return add(Diagnostic.of(code, span, message));
  }

  public Diagnostic add(Diagnostic d) {
    items.add(d);
    return d;
  }

  /** Replaces the last reported diagnostic (to attach a hint or a related span). */
  public void replaceLast(Diagnostic d) {
    items.set(items.size() - 1, d);
  }

  public boolean hasErrors() {
    return items.stream().anyMatch(Diagnostic::isError);
  }

  public int errorCount() {
    return (int) items.stream().filter(Diagnostic::isError).count();
  }

  public int size() {
    return items.size();
  }

  /** The diagnostics so far, in deterministic order. */
  public List<Diagnostic> sorted() {
    List<Diagnostic> copy = new ArrayList<>(items);
    copy.sort(Diagnostic.ORDER);
    return Collections.unmodifiableList(copy);
  }
}
