package dev.netc.backends.nftables;

/** Comments of rules and elements: printable ASCII without quotes, short enough for the kernel. */
final class Comments {
  /** nft refuses comments longer than this. */
  static final int MAX = 128;

  private Comments() {}

  static void check(String comment) {
    if (comment.length() > MAX || !comment.chars().allMatch(c -> c >= ' ' && c <= '~' && c != '"' && c != '\\')) {
      throw new IllegalArgumentException("bad comment: " + comment);
    }
  }

  /** {@code text} made fit: other characters become {@code _}, and a long one is cut with {@code ...}. */
  static String fit(String text) {
    StringBuilder b = new StringBuilder();
    for (char c : text.toCharArray()) {
      b.append(c >= ' ' && c <= '~' && c != '"' && c != '\\' ? c : '_');
    }
    return b.length() <= MAX ? b.toString() : b.substring(0, MAX - 3) + "...";
  }
}
