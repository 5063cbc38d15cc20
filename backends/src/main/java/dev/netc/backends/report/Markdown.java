package dev.netc.backends.report;

/**
 * Escaping for the Markdown that netc posts as pull-request comments (GitHub and GitLab
 * flavours): text that must not turn into markup, inline code, and HTML contexts.
 */
final class Markdown {
  private Markdown() {}

  /** Plain text: characters Markdown or HTML would interpret are escaped. */
  static String text(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '\\', '`', '*', '_', '[', ']', '|', '#', '~' -> b.append('\\').append(c);
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '\n', '\r' -> b.append(' ');
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * netc's message style: prose with identifiers in backticks. The backtick spans stay code;
   * everything else is escaped as {@link #text}; {@code |} is escaped everywhere (tables).
   */
  static String prose(String s) {
    if (s.chars().filter(c -> c == '`').count() % 2 != 0) {
      return text(s);
    }
    StringBuilder b = new StringBuilder(s.length());
    boolean inCode = false;
    for (char c : s.toCharArray()) {
      if (c == '`') {
        inCode = !inCode;
        b.append(c);
      } else if (inCode) {
        b.append(c == '|' ? "\\|" : c == '\n' || c == '\r' ? " " : String.valueOf(c));
      } else {
        b.append(text(String.valueOf(c)));
      }
    }
    return b.toString();
  }

  /** Inline code; a backtick inside widens the fence, as CommonMark allows. */
  static String code(String s) {
    String flat = s.replace('\n', ' ').replace('\r', ' ').replace("|", "\\|");
    String fence = flat.contains("`") ? "``" : "`";
    String pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
    return fence + pad + flat + pad + fence;
  }

  /** Text inside an HTML element such as {@code <summary>}. */
  static String html(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ");
  }

  /** A Mermaid label inside double quotes. */
  static String mermaid(String s) {
    return s.replace("\"", "#quot;").replace("\n", " ");
  }
}
