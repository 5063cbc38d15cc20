package dev.netc.cli;

import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.Prober;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options {@code netc probe} and {@code netc verify} share: ports and the connection timeout. */
final class ProbeOptions {
  @Option(names = "--port", paramLabel = "P/PROTO",
      description = "A port to probe (repeatable; tcp or udp). Default: every port the topology names.")
  List<String> ports = new ArrayList<>();

  @Option(names = "--timeout", paramLabel = "MS", defaultValue = "1000",
      description = "How long a connection may take before it counts as dropped, in milliseconds"
          + " (default: ${DEFAULT-VALUE}).")
  int timeoutMillis;

  Prober.Options options() {
    if (timeoutMillis < 1 || timeoutMillis > 60_000) {
      throw new Netc.UserError("`--timeout` is in milliseconds, 1 to 60000, got " + timeoutMillis);
    }
    return new Prober.Options(Duration.ofMillis(timeoutMillis), Prober.Options.DEFAULT.maxInFlight());
  }

  /**
   * The ports given, or the ports the topology names (as {@code netc matrix}) without the SCTP
   * ones, which this kernel cannot probe (said on stderr).
   */
  List<PortSpec> ports(Netc.Context ctx, Reachability model) {
    if (!ports.isEmpty()) {
      return Ports.parseAll(ports);
    }
    List<PortSpec> out = new ArrayList<>();
    for (PortSpec p : model.defaultPorts()) {
      if (p.protocol() == Protocol.SCTP) {
        ctx.err().println("netc: not probing " + p + ": this kernel has no SCTP sockets");
      } else {
        out.add(p);
      }
    }
    if (out.isEmpty()) {
      throw new Netc.UserError("no TCP or UDP port to probe: name one with `--port P/PROTO`");
    }
    return out;
  }
}
