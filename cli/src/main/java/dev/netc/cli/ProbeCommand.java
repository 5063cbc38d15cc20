package dev.netc.cli;

import dev.netc.backends.report.MatrixReport;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.ProbeResult;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.SetnsNamespaces;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc probe}: the reachability matrix, measured with real connections in a sandbox. */
@Command(
    name = "probe",
    mixinStandardHelpOptions = true,
    description = {"Measure the reachability matrix of an applied sandbox with real connections:"
        + " listeners on every probed port (TCP and UDP) in every node's namespace, connections"
        + " from every node to every address that could lead to each other node, in parallel."
        + " A topology of several hosts is probed on every host at once, the cells between hosts"
        + " included (or on host H alone with --host H)."
        + " Prints the same rows, columns and formats as `netc matrix`. Needs root."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:printed", "1:error (the topology, the command line, a sandbox not applied)"})
final class ProbeCommand implements Callable<Integer>, Stopped.Json {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin ProbeOptions probe;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  MatrixCommand.Format format;

  @Mixin FamilyOption family;

  @Mixin Verbosity verbosity;

  ProbeCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean json() {
    return format == MatrixCommand.Format.json;
  }

  @Override
  public Integer call() {
    return target.inSandbox(ctx, "probe", file, input.recursive, json(), loaded -> {
      Reachability model = new Reachability(loaded.topology());
      List<PortSpec> ports = probe.ports(ctx, model);
      ProbeResult r;
      try (SetnsNamespaces ns = new SetnsNamespaces(); ProgressLine progress = new ProgressLine(ctx, "probing")) {
        r = new Prober(ns, probe.options()).probe(loaded.targets(), model, ports, progress);
      }
      if (verbosity.verbose) {
        ctx.err().printf(Locale.ROOT, "netc: %d cells, %d connections in %.2f s%n", r.cells().size(), r.connections(),
            r.millis() / 1000.0);
      }
      MatrixReport.render(MatrixReport.Format.valueOf(format.name().toUpperCase(Locale.ROOT)), r.nodes(), ports,
          family.chosen().map(r::matrix).orElseGet(r::matrix), family.label(), ctx.out());
      ctx.out().flush();
      return 0;
    });
  }
}
