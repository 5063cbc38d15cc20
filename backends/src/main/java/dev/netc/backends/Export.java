package dev.netc.backends;

import dev.netc.compiler.diag.Diagnostic;
import java.util.List;

/**
 * What an export backend gives: the text it writes, and a warning for every construct of the
 * topology the target cannot express (with the construct's span), in {@link Diagnostic#ORDER}.
 */
public record Export(String text, List<Diagnostic> diagnostics) {
  public Export {
    diagnostics = diagnostics.stream().distinct().sorted(Diagnostic.ORDER).toList();
  }
}
