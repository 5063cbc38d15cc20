package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.Map;
import java.util.Optional;

/**
 * A machine that runs endpoints. When a topology declares none, one implicit host named {@code
 * local} holds everything.
 */
public record Host(
    String name, Optional<IpAddress> underlay, Map<String, String> labels, boolean implicit,
    Span span) {
  public static final String IMPLICIT = "local";

  public Host {
    labels = Map.copyOf(labels);
  }
}
