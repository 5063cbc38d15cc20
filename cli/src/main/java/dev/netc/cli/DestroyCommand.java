package dev.netc.cli;

import dev.netc.runner.Runner;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc destroy}: remove what the topology owns in a sandbox. */
@Command(
    name = "destroy",
    mixinStandardHelpOptions = true,
    description = {"Remove exactly what the topology owns in a sandbox or, without --sandbox, on this"
        + " host (its namespaces, links,"
        + " nftables table and /etc/netns files), nothing else; then S and S-outside when netc"
        + " made them and nothing foreign is left in them."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:done", "1:error", "130, 143:interrupted (SIGINT, SIGTERM) while waiting for the lock (a destroy under way ends first)"})
final class DestroyCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin SandboxOptions.Lock lock;

  @Mixin Verbosity verbosity;

  DestroyCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    return target.onTargets(ctx, file, input.recursive, "destroy failed: ", t -> {
      Runner runner = verbosity.verbose ? Runner.system(lock.timeout(), line -> ctx.err().println("netc: " + line))
          : Runner.system(lock.timeout());
      Runner.Outcome o;
      try (Interrupts i = Interrupts.destroy(runner, ctx.err())) {
        o = runner.destroy(t);
      }
      if (verbosity.verbose) {
        o.plan().changes().forEach(c -> ctx.err().println(c.line()));
      }
      o.notes().forEach(n -> ctx.err().println("netc: " + n));
      if (!verbosity.quiet) {
        ctx.out().println(String.format(Locale.ROOT, "Destroyed %s in %s: %d deleted (%d processes, %.2f s).",
            t.get(0).topology(), o.plan().where(), o.plan().changes().size(), o.processes(), o.millis() / 1000.0));
      }
      return 0;
    });
  }
}
