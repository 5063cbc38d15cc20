package dev.netc.cli;

import dev.netc.runner.Runner;
import dev.netc.runner.RunnerException;
import java.util.Locale;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc apply}: make a sandbox match the topology. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {"Make the live state of a sandbox match the topology: create S and S-outside"
        + " when missing, then what is missing (one `ip -batch` per namespace, one `nft -f`"
        + " transaction), update what differs, delete what the topology owns but no longer"
        + " wants; read it back. On any failure, what this apply created is removed again."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:done (or no changes)", "1:error; the sandbox is left as it was"})
final class ApplyCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin SandboxOptions.Lock lock;

  @Mixin Verbosity verbosity;

  ApplyCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    Optional<List<Runner.Target>> t = target.targets(ctx, file, input.recursive);
    if (t.isEmpty()) {
      return 1;
    }
    Runner.Outcome o;
    try {
      o = Runner.system(lock.timeout()).apply(t.get());
    } catch (RunnerException e) {
      throw new Netc.UserError("apply failed: " + e.getMessage());
    }
    if (verbosity.verbose) {
      o.plan().changes().forEach(c -> ctx.err().println(c.line()));
    }
    if (!verbosity.quiet) {
      ctx.out().println(o.plan().empty() ? "No changes: sandbox " + target.sandbox + " matches topology " + t.get().get(0).topology() + "."
          : String.format(Locale.ROOT, "Applied %s in sandbox %s: %d created, %d updated, %d deleted (%d processes, %.2f s).",
              t.get().get(0).topology(), target.sandbox, o.plan().count(dev.netc.runner.Change.Action.CREATE),
              o.plan().count(dev.netc.runner.Change.Action.UPDATE), o.plan().count(dev.netc.runner.Change.Action.DELETE),
              o.processes(), o.millis() / 1000.0));
    }
    return 0;
  }
}
