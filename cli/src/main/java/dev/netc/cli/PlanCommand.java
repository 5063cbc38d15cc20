package dev.netc.cli;

import dev.netc.compiler.source.SourceReader;
import dev.netc.runner.Plan;
import dev.netc.runner.Runner;
import dev.netc.runner.RunnerException;
import dev.netc.runner.SavedPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc plan}: what apply would change in a sandbox. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {"Read the live state of a sandbox (without --sandbox: of this host) and list what `netc apply` would change:"
        + " `+` create, `~` update in place (with the attribute that changes), `-/+` replace (with"
        + " the attribute that forces it), `-` delete (objects the topology owns but no longer"
        + " wants), then a summary line. Touches nothing."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:no changes (or changes, without --detailed-exitcode)", "1:error",
        "2:changes (with --detailed-exitcode)"})
final class PlanCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Option(names = "--detailed-exitcode", description = "Exit 2 when there are changes.")
  boolean detailed;

  /** How a plan is printed. */
  enum Format { TEXT, JSON, MARKDOWN }

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      completionCandidates = FormatNames.class,
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); markdown is a"
          + " pull-request comment.")
  Format format;

  /** The formats as users write them. */
  static final class FormatNames extends EnumNames<Format> {
    FormatNames() {
      super(Format.class);
    }
  }

  @Option(names = "--out", paramLabel = "PLAN",
      description = "Also save the plan to PLAN (JSON, with a fingerprint of the live state it was made"
          + " against); `netc apply PLAN` makes exactly these changes, or refuses when the live state moved.")
  String out;

  @Mixin Verbosity verbosity;

  PlanCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    Optional<List<Runner.Target>> t = target.targets(ctx, file, input.recursive);
    if (t.isEmpty()) {
      return 1;
    }
    Plan plan;
    try {
      if (out == null) {
        plan = Runner.system(Duration.ZERO).plan(t.get());
      } else {
        SavedPlan saved = Runner.system(Duration.ZERO).planToSave(t.get(), Netc.version());
        plan = saved.plan();
        Path path = ctx.fs().getPath(out);
        try {
          Files.writeString(path, saved.json(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new Netc.UserError("cannot write `" + out + "`: " + SourceReader.reason(e));
        }
        ctx.err().println("Saved the plan to " + out + ": `netc apply " + out + "` makes exactly these changes.");
      }
    } catch (RunnerException e) {
      throw new Netc.UserError(e.getMessage());
    }
    ctx.out().print(switch (format) {
      case JSON -> plan.json();
      case MARKDOWN -> plan.markdown();
      case TEXT -> verbosity.quiet ? plan.summary() + "\n" : plan.text();
    });
    return plan.empty() || !detailed ? 0 : 2;
  }
}
