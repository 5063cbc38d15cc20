package dev.netc.compiler.ir;

/** Ports of one protocol, such as {@code 3000/tcp} or {@code 8000-8010/udp}. */
public record PortSpec(PortRange range, Protocol protocol) implements Comparable<PortSpec> {

  @Override
  public int compareTo(PortSpec o) {
    int c = protocol.compareTo(o.protocol);
    return c != 0 ? c : range.compareTo(o.range);
  }

  @Override
  public String toString() {
    return range + "/" + protocol.label();
  }
}
