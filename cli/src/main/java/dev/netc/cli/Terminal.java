package dev.netc.cli;

/**
 * What the CLI knows of where it prints: colour only on a terminal, never when {@code NO_COLOR}
 * is set (https://no-color.org) or {@code TERM=dumb}.
 */
public record Terminal(boolean interactive, boolean color) {
  public static final Terminal NONE = new Terminal(false, false);

  static Terminal detect() {
    boolean tty = System.console() != null;
    String noColor = System.getenv("NO_COLOR");
    boolean color = tty && (noColor == null || noColor.isEmpty())
        && !"dumb".equals(System.getenv("TERM"));
    return new Terminal(tty, color);
  }
}
