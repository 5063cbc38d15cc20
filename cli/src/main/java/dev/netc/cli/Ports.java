package dev.netc.cli;

import dev.netc.compiler.ir.Parsed;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;

/** Reads {@code PORT[/PROTO]} from the command line (tcp when no protocol is given). */
final class Ports {
  private Ports() {}

  static PortSpec parse(String text) {
    int slash = text.indexOf('/');
    String port = slash < 0 ? text : text.substring(0, slash);
    String proto = slash < 0 ? "tcp" : text.substring(slash + 1);
    Parsed<PortRange> range = PortRange.parse(port);
    if (!range.ok() || range.get().size() != 1) {
      throw new Netc.UserError("expected PORT or PORT/PROTO with one port in 1-65535, got `" + text + "`");
    }
    Protocol p = Protocol.parse(proto).orElseThrow(
        () -> new Netc.UserError("unknown protocol `" + proto + "`: use tcp, udp or sctp"));
    return new PortSpec(range.get(), p);
  }

  /**
   * Every {@code --port} given, in order, each once: {@code --port 80 --port 80/tcp} is one port
   * (not a matrix, probe or verification of it twice, counted as two ports).
   */
  static java.util.List<PortSpec> parseAll(java.util.List<String> texts) {
    java.util.Set<PortSpec> out = new java.util.LinkedHashSet<>();
    texts.forEach(t -> out.add(parse(t)));
    return java.util.List.copyOf(out);
  }
}
