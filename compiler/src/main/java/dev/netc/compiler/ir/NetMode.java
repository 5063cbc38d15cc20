package dev.netc.compiler.ir;

import java.util.Locale;

/**
 * The network stack an endpoint gets: its own namespace attached to networks, the host's own
 * stack, or loopback only.
 */
public enum NetMode {
  BRIDGE,
  HOST,
  NONE;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
