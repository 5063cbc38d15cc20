package dev.netc.cli;

import dev.netc.backends.report.MatrixReport;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.RunnerException;
import dev.netc.runner.probe.ProbeResult;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.SetnsNamespaces;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
        + " Prints the same rows, columns and formats as `netc matrix`. Needs root."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:printed", "1:error (the topology, the command line, a sandbox not applied)"})
final class ProbeCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin ProbeOptions probe;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  MatrixCommand.Format format;

  @Mixin Verbosity verbosity;

  ProbeCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    Optional<SandboxTarget.Loaded> loaded = target.requireSandbox("probe").load(ctx, file, input.recursive);
    if (loaded.isEmpty()) {
      return 1;
    }
    Reachability model = new Reachability(loaded.get().topology());
    List<PortSpec> ports = probe.ports(ctx, model);
    ProbeResult r;
    try (SetnsNamespaces ns = new SetnsNamespaces(); ProgressLine progress = new ProgressLine(ctx, "probing")) {
      r = new Prober(ns, probe.options()).probe(loaded.get().target(), model, ports, progress);
    } catch (RunnerException e) {
      throw new Netc.UserError("probe failed: " + e.getMessage());
    }
    if (verbosity.verbose) {
      ctx.err().printf(Locale.ROOT, "netc: %d cells, %d connections in %.2f s%n", r.cells().size(), r.connections(),
          r.millis() / 1000.0);
    }
    MatrixReport.render(MatrixReport.Format.valueOf(format.name().toUpperCase(Locale.ROOT)), r.nodes(), ports,
        r.matrix(), ctx.out());
    ctx.out().flush();
    return 0;
  }
}
