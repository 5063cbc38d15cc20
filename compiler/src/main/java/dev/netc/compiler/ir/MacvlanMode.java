package dev.netc.compiler.ir;

import java.util.Locale;

/** The macvlan modes of the Linux kernel. */
public enum MacvlanMode {
  BRIDGE,
  PRIVATE,
  VEPA,
  PASSTHRU;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
