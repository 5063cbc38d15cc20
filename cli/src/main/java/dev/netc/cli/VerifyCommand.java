package dev.netc.cli;

import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.Runner;
import dev.netc.runner.probe.SetnsNamespaces;
import dev.netc.runner.probe.Verification;
import dev.netc.runner.probe.Verifier;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc verify}: probe a sandbox and compare with the model's matrix. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {"Check that the kernel admits exactly what the model says: refuse unless the"
        + " sandbox holds the topology as applied (no drift), probe it as `netc probe` does, and"
        + " list every cell where the measured verdict differs from `netc matrix`, with the"
        + " model's reason. A topology of several hosts is verified on every host at once, the"
        + " cells between hosts included (or on host H alone with --host H). Needs root."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the kernel matches the model", "1:differences, or an error (the sandbox not applied or not in sync)"})
final class VerifyCommand implements Callable<Integer>, Stopped.Json {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin ProbeOptions probe;

  @Mixin TextOrJson format;

  @Mixin Verbosity verbosity;

  VerifyCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean json() {
    return format.json();
  }

  @Override
  public Integer call() {
    return target.inSandbox(ctx, "verify", file, input.recursive, json(), loaded -> {
      Reachability model = new Reachability(loaded.topology());
      List<PortSpec> ports = probe.ports(ctx, model);
      Verification v;
      try (SetnsNamespaces ns = new SetnsNamespaces(); ProgressLine progress = new ProgressLine(ctx, "verifying")) {
        v = new Verifier(Runner.system(Duration.ZERO), ns, probe.options()).verify(loaded.targets(), model, ports,
            progress);
      }
      if (format.json()) {
        ctx.out().print(v.json());
      } else {
        ctx.out().print(verbosity.quiet ? v.summary() + "\n" : v.text());
      }
      return v.equal() ? 0 : 1;
    });
  }
}
