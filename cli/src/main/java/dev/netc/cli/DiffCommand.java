package dev.netc.cli;

import dev.netc.runner.Drift;
import dev.netc.runner.Runner;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc diff}: drift of a sandbox from the topology, object by object. */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {"Drift: compare the live state of the objects this topology owns in a sandbox (or on this host) with"
        + " its desired state, object by object: `missing` (desired, not there), `changed` (there,"
        + " not as desired), `unexpected` (owned, not desired). Touches nothing; `netc apply`"
        + " repairs it."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:in sync", "1:error", "2:drift"})
final class DiffCommand implements Callable<Integer>, Stopped.Json {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin TextOrJson format;

  @Mixin Verbosity verbosity;

  DiffCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean json() {
    return format.json();
  }

  @Override
  public Integer call() {
    return target.onTargets(ctx, file, input.recursive, json(), "", t -> {
      Drift drift = Runner.system(Duration.ZERO).drift(t);
      ctx.out().print(format.json() ? drift.json()
          : verbosity.quiet ? drift.summary() + "\n" : drift.text());
      return drift.inSync() ? 0 : 2;
    });
  }
}
