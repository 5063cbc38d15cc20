package dev.netc.cli;

import dev.netc.runner.Runner;
import dev.netc.runner.SavedPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
    description = {"Make the live state of a sandbox (or, without --sandbox, of this host) match the"
        + " topology: create S and S-outside when missing, then what is missing (one `ip -batch` per namespace, one `nft -f`"
        + " transaction), update what differs, delete what the topology owns but no longer"
        + " wants; read it back. On any failure, what this apply created is removed again."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:done (or no changes)", "1:error; the sandbox is left as it was",
        "130, 143:interrupted (SIGINT, SIGTERM): rolled back, the sandbox is left as it was"})
final class ApplyCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE|PLAN", description = "Topology file (.netc, Kubernetes or Compose"
      + " YAML), or a plan saved by `netc plan --out PLAN`: then exactly its changes are made, and"
      + " only if the live state is still the one it was made against.")
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin SandboxOptions.Lock lock;

  @Mixin SandboxOptions.Locked locked;

  @Mixin Verbosity verbosity;

  ApplyCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    Optional<SavedPlan> saved = savedPlan();
    Runner runner = verbosity.verbose ? Runner.system(lock.timeout(), line -> ctx.err().println("netc: " + line))
        : Runner.system(lock.timeout());
    if (saved.isPresent()) {
      if (locked.on) {
        throw new Netc.UserError("--locked checks a topology's lock file; `" + file + "` is a saved plan (make it"
            + " with `netc plan --locked --out PLAN`)");
      }
      return SandboxOptions.reported(FAILED,
          () -> report(applied(runner, () -> runner.apply(saved.get())), saved.get().plan().topology()));
    }
    return target.onTargets(ctx, file, input.recursive, false, locked.on, FAILED,
        t -> report(applied(runner, () -> runner.apply(t)), t.get(0).topology()));
  }

  /** The apply, with SIGINT and SIGTERM rolling it back ({@link Interrupts}). */
  private Runner.Outcome applied(Runner runner, java.util.function.Supplier<Runner.Outcome> apply) {
    try (Interrupts i = Interrupts.apply(runner, ctx.err())) {
      return apply.get();
    }
  }

  private static final String FAILED = "apply failed: ";

  /** Prints what apply did to {@code topology}. */
  private int report(Runner.Outcome o, String topology) {
    o.notes().forEach(n -> ctx.err().println("netc: " + n));
    if (verbosity.verbose) {
      o.plan().changes().forEach(c -> ctx.err().println(c.line()));
      ctx.err().printf(Locale.ROOT, "netc: apply: %d process%s, %d ms in the runner%n", o.processes(),
          o.processes() == 1 ? "" : "es", o.millis());
    }
    if (!verbosity.quiet) {
      ctx.out().println(o.plan().empty() ? "No changes: " + o.plan().where() + " matches topology " + topology + "."
          : String.format(Locale.ROOT, "Applied %s in %s: %d created, %d updated, %d replaced, %d deleted (%s, %.2f s).",
              topology, o.plan().where(), o.plan().count(dev.netc.runner.Change.Action.CREATE),
              o.plan().count(dev.netc.runner.Change.Action.UPDATE), o.plan().count(dev.netc.runner.Change.Action.REPLACE),
              o.plan().count(dev.netc.runner.Change.Action.DELETE),
              processes(o.processes()), o.millis() / 1000.0));
    }
    return 0;
  }

  /** {@code 1 process}, {@code 5 processes}: how many processes apply or destroy ran. */
  static String processes(int n) {
    return n + (n == 1 ? " process" : " processes");
  }

  /**
   * FILE as a saved plan ({@code netc plan --out}), when it is one: a JSON object with {@code
   * netcPlan}. {@code --sandbox} and {@code --host} may repeat what it says, not change it.
   */
  private Optional<SavedPlan> savedPlan() {
    Path path = ctx.fs().getPath(file);
    String text;
    try {
      if (!Files.isRegularFile(path) || Files.size(path) > MAX_PLAN_BYTES) {
        return Optional.empty();
      }
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty(); // read and reported as a topology
    }
    if (!SavedPlan.is(text)) {
      return Optional.empty();
    }
    SavedPlan saved = SandboxOptions.reported("cannot apply `" + file + "`: ",
        () -> SavedPlan.parse(text, Netc.version()));
    if (target.sandbox != null && !target.sandbox.equals(saved.plan().sandbox())) {
      throw new Netc.UserError("`" + file + "` is a plan for " + saved.plan().where() + ", not sandbox "
          + target.sandbox + "; run netc plan again");
    }
    if (target.host != null && !target.host.equals(saved.host())) {
      throw new Netc.UserError("`" + file + "` is a plan for host " + saved.host() + ", not " + target.host);
    }
    return Optional.of(saved);
  }

  /** Larger files are topologies: a saved plan of 1,000 containers is about 1 MB. */
  private static final long MAX_PLAN_BYTES = 256L << 20;
}
