package dev.netc.compiler.ir;

import java.util.Locale;
import java.util.Optional;

/** A transport protocol that ports belong to. */
public enum Protocol {
  TCP,
  UDP,
  SCTP;

  public static Optional<Protocol> parse(String text) {
    for (Protocol p : values()) {
      if (p.label().equals(text)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The lower-case name used in source, JSON and nftables. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
