package dev.netc.compiler.ir;

import java.util.Locale;

/** How a network is realised: a Linux bridge, VXLAN across hosts, or macvlan sub-interfaces. */
public enum Driver {
  BRIDGE,
  OVERLAY,
  MACVLAN;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
