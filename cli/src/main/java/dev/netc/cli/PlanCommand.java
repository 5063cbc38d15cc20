package dev.netc.cli;

import dev.netc.compiler.source.SourceReader;
import dev.netc.runner.Plan;
import dev.netc.runner.Runner;
import dev.netc.runner.SavedPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
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
final class PlanCommand implements Callable<Integer>, Stopped.Json {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin SandboxOptions target;

  @Mixin SandboxOptions.Locked locked;

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
  public boolean json() {
    return format == Format.JSON;
  }

  @Override
  public Integer call() {
    return target.onTargets(ctx, file, input.recursive, json(), locked.on, "", t -> {
      Plan plan = out == null ? Runner.system(Duration.ZERO).plan(t) : save(t);
      ctx.out().print(switch (format) {
        case JSON -> plan.json();
        case MARKDOWN -> plan.markdown();
        case TEXT -> verbosity.quiet ? plan.summary() + "\n" : plan.text();
      });
      return plan.empty() || !detailed ? 0 : 2;
    });
  }

  /** The plan, saved to {@code --out}. */
  private Plan save(List<Runner.Target> t) {
    SavedPlan saved = Runner.system(Duration.ZERO).planToSave(t, Netc.version());
    try {
      Files.writeString(ctx.fs().getPath(out), saved.json(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Netc.UserError("cannot write `" + out + "`: " + SourceReader.reason(e));
    }
    ctx.err().println("Saved the plan to " + out + ": `netc apply " + out + "` makes exactly these changes.");
    return saved.plan();
  }
}
