package dev.netc.compiler.diag;

import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A collector of diagnostics: each compiler stage reports into one and never throws.
 *
 * <p>Invariant: {@code errors} is the number of {@code items} that are errors. The resolver asks
 * for it once per declaration, so it must not cost a pass over every diagnostic.
 */
public final class Diagnostics {
  private final List<Diagnostic> items = new ArrayList<>();
  private int errors;

  public Diagnostic report(Code code, Span span, String message) {
    return add(Diagnostic.of(code, span, message));
  }

  public Diagnostic add(Diagnostic d) {
    items.add(d);
    errors += d.isError() ? 1 : 0;
    return d;
  }

  /** Replaces the last reported diagnostic (to attach a hint or a related span). */
  public void replaceLast(Diagnostic d) {
    Diagnostic old = items.set(items.size() - 1, d);
    errors += (d.isError() ? 1 : 0) - (old.isError() ? 1 : 0);
  }

  public boolean hasErrors() {
    return errors > 0;
  }

  /** Whether an error other than one of code {@code code} was reported (a pass over all). */
  public boolean hasErrorsBesides(Code code) {
    return items.stream().anyMatch(d -> d.isError() && d.code() != code);
  }

  public int errorCount() {
    return errors;
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
