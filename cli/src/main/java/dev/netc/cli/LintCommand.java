package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Severity;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc lint}: parse and check, touching nothing. */
@Command(
    name = "lint",
    mixinStandardHelpOptions = true,
    description = "Parse and check topology files; nothing is touched.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:no errors (warnings allowed unless --werror)", "1:errors"})
final class LintCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = Inputs.FILE + " Several topologies are linted one by one.")
  List<String> files;

  @Mixin Inputs.Options input;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      completionCandidates = FormatNames.class,
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  DiagnosticReport.Format format;

  /** The formats as users write them (lower case, as documented), for help and completion. */
  static final class FormatNames extends EnumNames<DiagnosticReport.Format> {
    FormatNames() {
      super(DiagnosticReport.Format.class);
    }
  }

  @Option(names = "--werror", description = "Treat warnings as errors.")
  boolean werror;

  @Option(names = "--disable", split = ",", paramLabel = "CODE",
      description = "Turn off diagnostics with these codes (repeatable, or comma-separated).")
  List<String> disable = new ArrayList<>();

  @Option(names = "--locked", description = "Fail when the lock file is missing or would change (for CI).")
  boolean locked;

  @Mixin Verbosity verbosity;

  LintCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    Set<Code> disabled = codes(disable);
    Compiler compiler = new Compiler(disabled, locked);
    Set<Diagnostic> all = new LinkedHashSet<>();
    Set<String> sources = new LinkedHashSet<>();
    boolean unreadable = false;
    for (String file : files) {
      long start = System.nanoTime();
      try {
        CompileResult r = Inputs.compile(ctx, compiler, file, input.recursive);
        all.addAll(r.diagnostics());
        r.sources().forEach(s -> sources.add(s.path()));
      } catch (Netc.UserError e) {
        ctx.err().println("netc: " + e.getMessage());
        unreadable = true;
      }
      if (verbosity.verbose) {
        ctx.err().printf("netc: linted %s in %d ms%n", file, (System.nanoTime() - start) / 1_000_000);
      }
    }
    List<Diagnostic> list = dedupe(all);
    if (sources.isEmpty() && unreadable && format == DiagnosticReport.Format.TEXT) {
      return 1; // the one-line errors said it all; "no problems in 0 files" would be false
    }
    String text = DiagnosticReport.render(format, list, sources.size(), ctx.terminal().color(), Netc.version());
    if (verbosity.quiet && format == DiagnosticReport.Format.TEXT) {
      // Cut the whole summary line, colour escapes before `netc` included.
      text = text.substring(0, text.lastIndexOf('\n', text.lastIndexOf("netc")) + 1);
    }
    ctx.out().print(text);
    boolean errors = list.stream().anyMatch(Diagnostic::isError);
    boolean warnings = list.stream().anyMatch(d -> d.suppressed().isEmpty() && d.severity() == Severity.WARNING);
    return errors || unreadable || (werror && warnings) ? 1 : 0;
  }

  /** Drops repeats: a file imported by two linted files is reported once. */
  private static List<Diagnostic> dedupe(Set<Diagnostic> all) {
    Set<String> seen = new java.util.HashSet<>();
    List<Diagnostic> out = new ArrayList<>();
    for (Diagnostic d : all) {
      String key = d.span().file().path() + ":" + d.span().start() + ":" + d.span().end() + ":"
          + d.code() + ":" + d.message();
      if (seen.add(key)) {
        out.add(d);
      }
    }
    out.sort(Diagnostic.ORDER);
    return out;
  }

  static Set<Code> codes(List<String> names) {
    Set<Code> out = EnumSet.noneOf(Code.class);
    for (String n : names) {
      Code code = Code.parse(n.trim().toUpperCase(java.util.Locale.ROOT)).orElseThrow(
          () -> new Netc.UserError("unknown diagnostic code `" + n + "` (see docs/diagnostics.md)"));
      if (code.severity() == dev.netc.compiler.diag.Severity.ERROR) {
        throw new Netc.UserError("`" + code + "` is an error, and errors cannot be disabled");
      }
      out.add(code);
    }
    return out;
  }
}
