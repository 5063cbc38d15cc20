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

  /** Parts of a message joined as prose: {@code a}, {@code a and b}, {@code a, b and c}. */
  public static String and(List<String> parts) {
    if (parts.size() < 2) {
      return String.join("", parts);
    }
    return String.join(", ", parts.subList(0, parts.size() - 1)) + " and "
        + parts.get(parts.size() - 1);
  }
}
