package dev.netc.compiler;

import dev.netc.compiler.source.SourceFile;

/**
 * What a {@code # netc:ignore} comment on a line of its own covers in YAML, where blocks are made
 * by indentation: the next line that is not blank or a comment, and the lines indented under it
 * (a key's nested mapping, a list item's fields, and a key's list written at the key's own
 * indentation, as {@code kubectl get -o yaml} writes them). Before the first key of a document,
 * the comment covers the whole document, up to the next {@code ---}: a Kubernetes object, or a
 * whole Compose file.
 */
public final class YamlBlocks {
  private YamlBlocks() {}

  /** The last line covered by a comment whose next content line is {@code first}. */
  static int lastLine(SourceFile src, int first) {
    int lines = src.lineCount();
    if (first > lines) {
      return first;
    }
    if (firstOfDocument(src, first)) {
      int last = first;
      for (int k = first + 1; k <= lines && !separator(src.lineText(k)); k++) {
        if (content(src.lineText(k))) {
          last = k;
        }
      }
      return last;
    }
    String head = src.lineText(first);
    int indent = indent(head);
    boolean item = head.strip().startsWith("-");
    boolean opensBlock = withoutComment(head).endsWith(":");
    int last = first;
    for (int k = first + 1; k <= lines; k++) {
      String t = src.lineText(k);
      if (!content(t)) {
        continue;
      }
      if (separator(t)) {
        break;
      }
      int i = indent(t);
      boolean compactList = i == indent && !item && opensBlock && t.strip().startsWith("-");
      if (i <= indent && !compactList) {
        break;
      }
      last = k;
    }
    return last;
  }

  /** Whether no key or item comes before {@code line} in its document. */
  private static boolean firstOfDocument(SourceFile src, int line) {
    if (indent(src.lineText(line)) != 0 || src.lineText(line).startsWith("-")) {
      return false;
    }
    for (int k = line - 1; k >= 1; k--) {
      String t = src.lineText(k);
      if (separator(t)) {
        return true;
      }
      if (content(t) && !t.startsWith("%")) {
        return false; // a key (or a directive's end) before it: not the first
      }
    }
    return true;
  }

  /** Whether a YAML line ends a document ({@code ...}) or starts the next ({@code ---}). */
  public static boolean separator(String line) {
    return line.equals("---") || line.startsWith("--- ") || line.equals("...")
        || line.startsWith("... ");
  }

  private static boolean content(String line) {
    String t = line.strip();
    return !t.isEmpty() && !t.startsWith("#");
  }

  private static int indent(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  private static String withoutComment(String line) {
    int hash = line.indexOf(" #");
    return (hash < 0 ? line : line.substring(0, hash)).strip();
  }
}
