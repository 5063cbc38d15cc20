package dev.netc.compiler.source;

import java.util.Objects;

/**
 * A range of characters {@code [start, end)} in one source file: the position of every AST node,
 * IR declaration and diagnostic.
 */
public record Span(SourceFile file, int start, int end) implements Comparable<Span> {
  public Span {
    Objects.requireNonNull(file);
    if (start < 0 || end < start) {
      throw new IllegalArgumentException("bad span " + start + ".." + end);
    }
  }

  /** A zero-width span at {@code offset}. */
  public static Span at(SourceFile file, int offset) {
    return new Span(file, offset, offset);
  }

  /** The smallest span that covers both. */
  public Span to(Span other) {
    return new Span(file, Math.min(start, other.start), Math.max(end, other.end));
  }

  public int line() {
    return file.line(start);
  }

  public int column() {
    return file.column(start);
  }

  /** The 1-based line of the last character (of the start, for an empty span). */
  public int endLine() {
    return file.line(end > start ? end - 1 : start);
  }

  /** The 1-based column just past the last character, as editors and SARIF count it. */
  public int endColumn() {
    return end > start ? file.column(end - 1) + 1 : file.column(start);
  }

  public String text() {
    return file.text().substring(start, end);
  }

  public boolean contains(Span other) {
    return file == other.file && start <= other.start && other.end <= end;
  }

  @Override
  public int compareTo(Span o) {
    int c = file.path().compareTo(o.file.path());
    if (c != 0) {
      return c;
    }
    c = Integer.compare(start, o.start);
    return c != 0 ? c : Integer.compare(end, o.end);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Span s && s.file == file && s.start == start && s.end == end;
  }

  @Override
  public int hashCode() {
    return Objects.hash(System.identityHashCode(file), start, end);
  }

  @Override
  public String toString() {
    return file.path() + ":" + line() + ":" + column();
  }
}
