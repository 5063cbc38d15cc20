package dev.netc.compiler.source;

import java.util.Arrays;
import java.util.Objects;

/**
 * One input file's text, with a line map so that positions are cheap offsets and lines and
 * columns are computed only when a diagnostic is shown.
 *
 * <p>Invariant: {@code text} is the decoded file content; {@code lineStarts[i]} is the offset of
 * the first character of line {@code i + 1}. Line terminators are LF, CRLF or CR.
 */
public final class SourceFile {
  private final String path;
  private final String text;
  private final int[] lineStarts;
  private int[] codePointOffsets; // null until needed; only for text beyond the BMP

  public SourceFile(String path, String text) {
    this.path = Objects.requireNonNull(path);
    this.text = Objects.requireNonNull(text);
    this.lineStarts = computeLineStarts(text);
  }

  /**
   * The char offset of the {@code index}-th code point (ANTLR counts code points; spans count
   * chars). Identity unless the text has characters beyond the Basic Multilingual Plane.
   */
  public int offsetOfCodePoint(int index) {
    if (codePointOffsets == null) {
      if (text.codePointCount(0, text.length()) == text.length()) {
        codePointOffsets = new int[0];
      } else {
        int n = text.codePointCount(0, text.length());
        int[] map = new int[n + 1];
        int off = 0;
        for (int i = 0; i < n; i++) {
          map[i] = off;
          off = text.offsetByCodePoints(off, 1);
        }
        map[n] = text.length();
        codePointOffsets = map;
      }
    }
    if (codePointOffsets.length == 0) {
      return Math.max(0, Math.min(index, text.length()));
    }
    return codePointOffsets[Math.max(0, Math.min(index, codePointOffsets.length - 1))];
  }

  /** The span of code points {@code [startCp, endCp)} as char offsets. */
  public Span spanOfCodePoints(int startCp, int endCp) {
    int s = offsetOfCodePoint(startCp);
    return new Span(this, s, Math.max(s, offsetOfCodePoint(endCp)));
  }

  private static int[] computeLineStarts(String text) {
    int[] starts = new int[16];
    int count = 1;
    starts[0] = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || (c == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'))) {
        if (count == starts.length) {
          starts = Arrays.copyOf(starts, count * 2);
        }
        starts[count++] = i + 1;
      }
    }
    return Arrays.copyOf(starts, count);
  }

  /** The path as the user named it (used in every diagnostic). */
  public String path() {
    return path;
  }

  public String text() {
    return text;
  }

  public int lineCount() {
    return lineStarts.length;
  }

  /** The 1-based line that holds {@code offset}. */
  public int line(int offset) {
    int i = Arrays.binarySearch(lineStarts, Math.max(0, Math.min(offset, text.length())));
    return (i >= 0 ? i : -i - 2) + 1;
  }

  /** The 1-based column of {@code offset}, counted in Unicode code points. */
  public int column(int offset) {
    int clamped = Math.max(0, Math.min(offset, text.length()));
    int start = lineStarts[line(clamped) - 1];
    return text.codePointCount(start, clamped) + 1;
  }

  /** The text of 1-based line {@code line}, without its terminator. */
  public String lineText(int line) {
    return lineText(line, Integer.MAX_VALUE);
  }

  /**
   * The first {@code maxChars} characters of 1-based line {@code line}, without its terminator;
   * costs no more than {@code maxChars}, however long the line.
   */
  public String lineText(int line, int maxChars) {
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] : text.length();
    if (end - start > maxChars) {
      end = start + maxChars;
    }
    while (end > start && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
      end--;
    }
    return text.substring(start, end);
  }

  /** The offset of 1-based {@code line} and {@code column}, clamped to the text. */
  public int offset(int line, int column) {
    if (line < 1) {
      return 0;
    }
    if (line > lineStarts.length) {
      return text.length();
    }
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] : text.length();
    int off = start;
    for (int c = 1; c < column && off < end; c++) {
      off = text.offsetByCodePoints(off, 1);
    }
    return Math.min(off, end);
  }

  @Override
  public String toString() {
    return path;
  }
}
