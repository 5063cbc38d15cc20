package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Severity;
import dev.netc.compiler.front.Frontends;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
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
final class LintCommand implements Callable<Integer>, Stopped.Json {
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
  public boolean json() {
    return format == DiagnosticReport.Format.JSON;
  }

  @Override
  public Integer call() {
    Set<Code> disabled = codes(disable);
    Compiler compiler = new Compiler(disabled, locked);
    Set<Diagnostic> all = new LinkedHashSet<>();
    Set<String> sources = new LinkedHashSet<>();
    List<DiagnosticReport.Failure> unreadable = new ArrayList<>();
    java.util.Map<java.nio.file.Path, List<String>> apart = new java.util.TreeMap<>();
    for (String file : files) {
      long start = System.nanoTime();
      try {
        CompileResult r = Inputs.compile(ctx, compiler, file, input.recursive);
        all.addAll(r.diagnostics());
        r.sources().forEach(s -> sources.add(s.path()));
        if (r.sources().size() == 1 && Frontends.forFile(r.sources().get(0)).orElse(null) == Frontends.KUBERNETES) {
          java.nio.file.Path dir = ctx.fs().getPath(file).toAbsolutePath().normalize().getParent();
          apart.computeIfAbsent(dir, d -> new ArrayList<>()).add(file);
        }
      } catch (Netc.UserError e) {
        ctx.err().println("netc: " + e.getMessage());
        unreadable.add(new DiagnosticReport.Failure(DiagnosticReport.Failure.Kind.FAILED, e.getMessage(),
            Optional.empty(), e.file().or(() -> Optional.of(file))));
      }
      if (verbosity.verbose) {
        ctx.err().printf("netc: linted %s in %d ms%n", file, (System.nanoTime() - start) / 1_000_000);
      }
    }
    List<Diagnostic> list = dedupe(all);
    if (sources.isEmpty() && !unreadable.isEmpty() && format == DiagnosticReport.Format.TEXT) {
      return 1; // the one-line errors said it all; "no problems in 0 files" would be false
    }
    // every machine format carries the files that cannot be read as well (first; the JSON
    // without a position); the text leaves them to the lines on stderr
    String text = DiagnosticReport.render(format, unreadable, list, sources.size(),
        ctx.terminal().color(), Netc.version());
    if (verbosity.quiet && format == DiagnosticReport.Format.TEXT) {
      // Cut the whole summary line, colour escapes before `netc` included.
      text = text.substring(0, text.lastIndexOf('\n', text.lastIndexOf("netc")) + 1);
    }
    ctx.out().print(text);
    ctx.out().flush();
    apart.forEach((dir, given) -> {
      if (given.size() >= 2 && !list.isEmpty() && !verbosity.quiet && format == DiagnosticReport.Format.TEXT) {
        // `netc lint shop/*.yaml`: each file is a cluster of its own, which is rarely what was meant
        ctx.err().println("netc: note: " + String.join(", ", given) + " were linted one by one, each as"
            + " a cluster of its own; to read them as one: `netc lint " + together(dir, given) + "`");
      }
    });
    boolean errors = list.stream().anyMatch(Diagnostic::isError);
    boolean warnings = list.stream().anyMatch(d -> d.suppressed().isEmpty() && d.severity() == Severity.WARNING);
    return errors || !unreadable.isEmpty() || (werror && warnings) ? 1 : 0;
  }

  /** The argument that reads {@code given}, files of {@code dir}, as one: the folder when they are all of it. */
  private String together(java.nio.file.Path dir, List<String> given) {
    String folder = ctx.fs().getPath(given.get(0)).getParent() == null ? "."
        : ctx.fs().getPath(given.get(0)).getParent().toString();
    try {
      Set<java.nio.file.Path> all = new java.util.HashSet<>(dev.netc.compiler.source.Manifests.list(dir, false));
      Set<java.nio.file.Path> named = new java.util.HashSet<>();
      given.forEach(g -> named.add(ctx.fs().getPath(g).toAbsolutePath().normalize()));
      if (all.equals(named)) {
        return folder + "/";
      }
    } catch (java.io.IOException e) {
      // the comma form names exactly the given files
    }
    return String.join(",", given);
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
