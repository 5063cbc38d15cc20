package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.Compiler;
import dev.netc.runner.Runner;
import dev.netc.runner.Sandbox;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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
        + " made them and nothing foreign is left in them.",
        "",
        "When FILE does not compile (or is gone), destroy still removes all of it: from the marks"
        + " the topology's objects carry and the records apply keeps in /run/netc, for the"
        + " topology FILE names (its `topology` line, a Compose project's name, a file or folder"
        + " name) when that can still be read, else the one --topology names; every host at once"
        + " (--host needs FILE to compile)."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:done", "1:error", "130, 143:interrupted (SIGINT, SIGTERM) while waiting for the lock (a destroy under way ends first)"})
final class DestroyCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Option(names = "--topology", paramLabel = "NAME", description = "The topology to destroy when FILE does not"
      + " compile or is gone (default: the name FILE gives, when it can still be read). With a FILE that"
      + " compiles, it must be FILE's topology.")
  String topology;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin SandboxOptions.Lock lock;

  @Mixin Verbosity verbosity;

  DestroyCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    if (topology != null && !Compiler.validTopologyName(topology)) {
      throw new Netc.UserError("invalid `--topology`: `" + topology + "` is no topology name (lower-case letters,"
          + " digits and `-`, at most 63 characters, starting and ending with a letter or digit)");
    }
    SandboxTarget.Attempt a = SandboxTarget.attempt(ctx, file, input.recursive, target.sandbox, target.host);
    // a file that compiles names its topology for sure, whether or not its kernel plan can be made
    Optional<String> compiled = a.loaded().map(l -> l.topology().name()).or(a::compiled);
    if (topology != null && compiled.isPresent() && !topology.equals(compiled.get())) {
      throw new Netc.UserError("`--topology " + topology + "`, but " + file + " is topology " + compiled.get()
          + ": leave `--topology` out, or name the file of topology " + topology);
    }
    if (a.loaded().isPresent()) {
      return destroy(a.loaded().get().targets(), compiled.get(), Optional.empty());
    }
    return fromRecords(a);
  }

  /**
   * FILE does not compile, cannot be planned or cannot be read: destroys every host of the
   * topology it names (or {@code --topology}) from the live state's marks and apply's records.
   */
  private int fromRecords(SandboxTarget.Attempt a) {
    Optional<String> name = Optional.ofNullable(topology).or(a::compiled).or(() -> {
      try {
        Inputs.Named named = Inputs.resolve(ctx, file, input.recursive);
        return Compiler.readableName(named.root(), named.files());
      } catch (Netc.UserError e) {
        return Optional.empty();
      }
    });
    String why = a.unreadable().orElse(file + (a.compiled().isPresent() ? " compiles, but its kernel plan cannot be made ("
        : " does not compile (") + DiagnosticReport.count(a.diagnostics()) + ")");
    if (name.isEmpty()) {
      if (a.unreadable().isEmpty()) {
        Stopped.print(ctx, a.diagnostics(), a.files(), false);
      }
      throw new Netc.UserError(why + " and the name of its topology cannot be read from it: say which topology to"
          + " destroy with `--topology NAME`");
    }
    if (target.host != null) {
      throw new Netc.UserError(why + ": `--host` needs the file to compile (which endpoints are host "
          + target.host + "'s is known from the file only); without `--host`, destroy removes every host of topology "
          + name.get() + " in " + (target.sandbox == null ? "the host" : "sandbox " + target.sandbox));
    }
    Sandbox sb = target.sandbox == null ? Sandbox.host(name.get()) : new Sandbox(target.sandbox);
    ctx.err().println("netc: " + why + "; destroying topology " + name.get() + " from the records of apply and the"
        + " marks in " + sb.label() + " instead" + (a.unreadable().isPresent() ? ""
            : a.compiled().isPresent() ? " (`netc plan " + file + (target.sandbox == null ? "" : " --sandbox " + target.sandbox)
                + "` lists them)" : " (`netc lint " + file + "` lists them)"));
    return destroy(List.of(), name.get(), Optional.of(sb));
  }

  /** Destroys {@code targets}, or without them every host of {@code name} in {@code records}' sandbox. */
  private int destroy(List<Runner.Target> targets, String name, Optional<Sandbox> records) {
    return SandboxOptions.reported("destroy failed: ", () -> {
      Runner runner = verbosity.verbose ? Runner.system(lock.timeout(), line -> ctx.err().println("netc: " + line))
          : Runner.system(lock.timeout());
      Runner.Outcome o;
      try (Interrupts i = Interrupts.destroy(runner, ctx.err())) {
        o = records.isPresent() ? runner.destroy(records.get(), name) : runner.destroy(targets);
      }
      if (verbosity.verbose) {
        o.plan().changes().forEach(c -> ctx.err().println(c.line()));
      }
      o.notes().forEach(n -> ctx.err().println("netc: " + n));
      if (!verbosity.quiet) {
        ctx.out().println(String.format(Locale.ROOT, "Destroyed %s in %s: %d deleted (%s, %.2f s).",
            name, o.plan().where(), o.plan().changes().size(), ApplyCommand.processes(o.processes()),
            o.millis() / 1000.0));
      }
      return 0;
    });
  }
}
