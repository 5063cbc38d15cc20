package dev.netc.backends;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * YAML scalars as the export templates print them: every string double-quoted and escaped, so
 * that no value (a label `yes`, a port `8080:80`, a name with `#`) is read as anything but the
 * string it is; lists in flow style.
 */
public final class YamlText {
  private YamlText() {}

  /** A double-quoted YAML scalar; control and line-break characters are escaped. */
  public static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' || c == '\ufeff') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  /** {@code ["a", "b"]}. */
  public static String list(Collection<?> values) {
    List<String> q = new ArrayList<>();
    values.forEach(v -> q.add(quote(v.toString())));
    return "[" + String.join(", ", q) + "]";
  }
}
