package dev.netc.compiler;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.parse.Comment;
import dev.netc.compiler.parse.ParsedFile;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lines a {@code # netc:ignore} comment covers in one file ({@link Suppressions}): after code
 * on a line, that line; on a line of its own, the next statement, and the whole block when that
 * statement opens one (in YAML, the lines indented under it: {@link YamlBlocks}). Made once per
 * file: the blocks of a {@code .netc} file are collected on the first question that needs them.
 */
public final class SuppressionScope {
  /** Lines {@code from} to {@code to} of the file, both included. */
  public record Lines(int from, int to) {
    public boolean contains(int line) {
      return from <= line && line <= to;
    }
  }

  private final ParsedFile file;
  /** The last line of the declarations and nested blocks that start on a line; made on the first question. */
  private Map<Integer, Integer> blockEnds;

  public SuppressionScope(ParsedFile file) {
    this.file = file;
  }

  /** The lines comment {@code c} of the file covers. */
  public Lines of(Comment c) {
    int line = c.span().line();
    return c.trailing() ? new Lines(line, line) : ownLineAbove(line + 1);
  }

  /**
   * The lines a comment on a line of its own covers when it stands just above {@code line}: from
   * the first line at or after it that is neither blank nor a comment.
   */
  public Lines ownLineAbove(int line) {
    SourceFile src = file.source();
    int next = line;
    while (next <= src.lineCount()) {
      String t = src.lineText(next).strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        break;
      }
      next++;
    }
    int end = file.yaml() ? YamlBlocks.lastLine(src, next) : Math.max(next, lastLineOfBlocksAt(next));
    return new Lines(next, end);
  }

  private int lastLineOfBlocksAt(int line) {
    if (blockEnds == null) {
      // collecting every block again for each suppression made a file of many suppressions
      // quadratic: 17 s for 4 MB
      blockEnds = new HashMap<>();
      List<Span> blocks = new ArrayList<>();
      file.decls().forEach(d -> collect(d, blocks));
      for (Span block : blocks) {
        blockEnds.merge(block.line(), block.endLine(), Math::max);
      }
    }
    return blockEnds.getOrDefault(line, line);
  }

  private static void collect(Decl d, List<Span> out) {
    out.add(d.span());
    if (d instanceof Decl.Namespace n) {
      n.members().forEach(m -> collect(m, out));
    } else if (d instanceof Decl.Container c) {
      c.attaches().forEach(a -> out.add(a.span()));
      c.members().forEach(m -> collect(m, out));
    }
  }
}
