package dev.netc.backends;

import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.Span;
import java.util.List;

/**
 * What an export backend gives: the text it writes, and a warning for every construct of the
 * topology the target cannot express (with the construct's span), in {@link Diagnostic#ORDER};
 * for a YAML export, the blocks of the text written from the topology's declarations, where
 * {@link ExportedSuppressions} carries their {@code # netc:ignore} comments.
 */
public record Export(String text, List<Diagnostic> diagnostics, List<Block> blocks) {
  public Export {
    diagnostics = diagnostics.stream().distinct().sorted(Diagnostic.ORDER).toList();
    blocks = List.copyOf(blocks);
  }

  public Export(String text, List<Diagnostic> diagnostics) {
    this(text, diagnostics, List.of());
  }

  /**
   * Lines of the text written from some declarations: a Kubernetes object, a Compose service.
   *
   * @param line the first line (1-based): a comment on a line of its own above it covers the block
   * @param last the last line the block covers
   * @param indent the indentation of its first line
   * @param origins the spans of the declarations it was written from
   */
  public record Block(int line, int last, String indent, List<Span> origins) {
    public Block {
      origins = List.copyOf(origins);
    }

    /** Whether {@code s} lies in one of the declarations the block was written from. */
    public boolean from(Span s) {
      return origins.stream().anyMatch(o -> o.file().equals(s.file()) && o.start() <= s.start()
          && (s.start() < o.end() || s.start() == o.start()));
    }
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
