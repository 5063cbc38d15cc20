package dev.netc.cli;

import dev.netc.backends.netc.ImportedSuppressions;
import dev.netc.backends.netc.NetcPrinter;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.SourceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code netc import [compose|k8s] FILE}: reads a Compose or Kubernetes file with its front end
 * and prints the same declarations as {@code .netc} source, in canonical form. Without the
 * format, the file's content tells it, as for {@code netc lint}.
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = "Print a Compose or Kubernetes YAML file as equivalent .netc source.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:printed (warnings, if any, on stderr)",
        "1:the file cannot be read, is not in that format, or has errors (errors found after reading,"
            + " such as a name netc does not take, come after the printed source)"})
final class ImportCommand implements Callable<Integer> {
  /** The formats users name, by the front end that reads them. */
  private static final Map<String, String> FORMATS =
      Map.of("compose", "compose", "k8s", "kubernetes", "kubernetes", "kubernetes");

  private static final Map<String, String> TITLES =
      Map.of("compose", "Compose", "kubernetes", "Kubernetes");

  private final Netc.Context ctx;

  @Parameters(arity = "1..2", paramLabel = "[FORMAT] FILE", hideParamSyntax = true, description =
      "FORMAT: compose, or k8s (also: kubernetes); without it, told from the file's content"
      + " (a folder, or files separated by `,`: Kubernetes manifests). FILE: the YAML file to"
      + " import; for k8s, also a folder of manifests, or files and folders separated by `,`,"
      + " read as one.")
  List<String> words;

  /** The format named, or told from the file ({@link #formatOf}). */
  String format;

  String file;

  @Mixin Inputs.Options input;

  @Mixin Verbosity verbosity;

  ImportCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    if (words.size() > 2) {
      throw new Netc.UserError("unexpected `" + words.get(2) + "`: `netc import [FORMAT] FILE` reads one input"
          + " (the files of one Kubernetes input are joined by `,`: `a.yaml,b.yaml`)");
    }
    if (words.size() == 2 && !FORMATS.containsKey(words.get(0)) && Files.exists(ctx.fs().getPath(words.get(0)))) {
      throw new Netc.UserError("unexpected `" + words.get(1) + "`: `netc import [FORMAT] FILE` reads one input"
          + " (the files of one Kubernetes input are joined by `,`: `a.yaml,b.yaml`)");
    }
    if (words.size() == 2) {
      format = words.get(0);
      file = words.get(1);
    } else if (FORMATS.containsKey(words.get(0)) && !Files.exists(ctx.fs().getPath(words.get(0)))) {
      throw new Netc.UserError("missing FILE: `netc import " + words.get(0) + " FILE`");
    } else {
      file = words.get(0);
      format = formatOf(file);
      if (format == null) {
        return 1; // a file that does not read as text: its diagnostic is printed
      }
    }
    String name = FORMATS.get(format);
    if (name == null) {
      throw new Netc.UserError("unknown format `" + format + "`: expected `compose` or `k8s`");
    }
    String title = TITLES.get(name);
    Frontend frontend = ctx.frontends().stream().filter(f -> f.name().equals(name)).findFirst()
        .orElseThrow(() -> new Netc.UserError("this netc has no " + title + " front end yet"));
    Inputs.Named named = Inputs.resolve(ctx, file, input.recursive);
    if (!named.single() && !frontend.readsSeveralFiles()) {
      throw new Netc.UserError("a " + title + " input is one file; `" + file + "` names "
          + (named.files().size() == 1 ? "a folder" : named.files().size() + " files"));
    }
    List<SourceFile> sources = new java.util.ArrayList<>();
    for (Path p : named.files()) {
      SourceFile source = read(p).orElse(null);
      if (source == null) {
        return 1;
      }
      if (!frontend.accepts(source) && (named.single() || !source.text().isBlank())) {
        // the other front end's file: name the command that reads it
        String other = dev.netc.compiler.front.Frontends.forFile(source)
            .filter(f -> !f.name().equals(name) && TITLES.containsKey(f.name()))
            .map(f -> ": it is a " + TITLES.get(f.name()) + " file, read by `netc import "
                + (f.name().equals("kubernetes") ? "k8s" : f.name()) + "`").orElse("");
        throw new Netc.UserError("`" + source.path() + "` is not a " + title + " file" + other);
      }
      sources.add(source);
    }
    Diagnostics diags = new Diagnostics();
    List<Decl> decls = named(frontend.read(sources, diags), named.root(), sources);
    List<Diagnostic> problems = diags.sorted();
    Set<Diagnostic> read = Set.copyOf(problems);
    boolean readErrors = problems.stream().anyMatch(Diagnostic::isError);
    // compiled as lint compiles the YAML: its suppressions apply to the front end's problems too,
    // and the errors found after reading (a name netc does not take, say) are the printed source's
    Optional<CompileResult> yaml = readErrors && sources.stream().noneMatch(s -> s.text().contains("netc:ignore"))
        ? Optional.empty() : Optional.of(COMPILER.compile(named.root(), frontend, sources, decls, diags));
    List<Diagnostic> later = List.of();
    if (yaml.isPresent()) {
      problems = yaml.get().diagnostics().stream()
          .filter(d -> read.contains(unsuppressed(d)) || d.code() == Code.NETC109).toList();
      later = yaml.get().diagnostics().stream()
          .filter(d -> d.isError() && !read.contains(unsuppressed(d)) && d.code() != Code.NETC109).toList();
    }
    boolean errors = problems.stream().anyMatch(Diagnostic::isError);
    boolean shown = problems.stream().anyMatch(d -> d.suppressed().isEmpty());
    if (shown && (errors || !verbosity.quiet)) {
      ctx.err().print(DiagnosticReport.text(problems, sources.size(), ctx.terminal().color()));
    }
    if (errors) {
      return 1;
    }
    String cmd = format.equals("compose") ? "compose" : "k8s";
    String text = NetcPrinter.print(decls, List.of("Imported from " + file + " by `netc import " + cmd + "`."));
    if (yaml.isPresent()) {
      ImportedSuppressions.Result carried = ImportedSuppressions.carry(sources, decls, text, yaml.get().diagnostics(),
          netc -> COMPILER.compile(named.root(), netc).diagnostics());
      text = carried.text();
      if (!verbosity.quiet) {
        carried.notes().forEach(n -> ctx.err().println("netc: " + n));
      }
    }
    // a problem of the printed source (it does not compile as it is): said even with -q
    namesLeftToServices(decls).forEach(n -> ctx.err().println("netc: " + n));
    ctx.out().print(text);
    if (!later.isEmpty()) {
      // printed all the same, to be fixed there or in the YAML: lint of either says the same
      ctx.err().print(DiagnosticReport.text(later, sources.size(), ctx.terminal().color()));
      ctx.err().println("netc: the printed source does not compile as it is: fix the error"
          + (later.size() == 1 ? "" : "s") + " above in it, or in " + file);
      return 1;
    }
    return 0;
  }

  /**
   * A note for each Kubernetes pod that leaves its name to a Service of its namespace, as
   * cluster DNS does: {@code .netc} cannot say so, and the printed pod and service of one name
   * are NETC102.
   */
  private static List<String> namesLeftToServices(List<Decl> decls) {
    List<String> out = new java.util.ArrayList<>();
    for (Decl d : decls) {
      if (d instanceof Decl.Namespace ns) {
        for (Decl m : ns.members()) {
          if (m instanceof Decl.Container c && !c.resolvesByName()) {
            String pod = ns.name().text() + "/" + c.name().text();
            out.add("pod `" + pod + "` and Service `" + pod + "` share a name, which resolves to the"
                + " Service; in .netc a service may not have an endpoint's name (NETC102): rename one"
                + " of them in the printed source");
          }
        }
      }
    }
    return out;
  }

  /**
   * {@code decls} with a {@code topology} line first when they have none (Kubernetes manifests,
   * named after their file or folder), so that the printed source is that topology whatever
   * file it is saved as, as a Compose file's is its project.
   */
  private static List<Decl> named(List<Decl> decls, Path root, List<SourceFile> sources) {
    if (sources.isEmpty() || decls.stream().anyMatch(d -> d instanceof Decl.Topology)) {
      return decls;
    }
    String name = Compiler.derivedName(root, sources.get(0));
    if (!Compiler.validTopologyName(name)) {
      return decls; // NETC103 when the manifests are compiled: the file or folder wants renaming
    }
    dev.netc.compiler.source.Span at = dev.netc.compiler.source.Span.at(sources.get(0), 0);
    List<Decl> out = new java.util.ArrayList<>();
    out.add(new Decl.Topology(new dev.netc.compiler.ast.Word(name, at), at));
    out.addAll(decls);
    return out;
  }

  /** Compiles the YAML and the printed source alike: nothing disabled, the lock file as it is. */
  private static final Compiler COMPILER = new Compiler(Set.of(), false);

  private static Diagnostic unsuppressed(Diagnostic d) {
    return new Diagnostic(d.code(), d.severity(), d.message(), d.span(), d.related(), d.hint(), Optional.empty());
  }

  /** The file's text, or empty after printing why it cannot be used. */
  /**
   * The format of {@code file} when the command line names none: Kubernetes for a folder or a
   * list ({@code a.yaml,b.yaml}), which only manifests can be; else the front end that accepts
   * the file, as {@code netc lint} tells them apart. One that none accepts is a one-line error
   * naming the formats; {@code null} for one that does not read as text (not UTF-8 ...), whose
   * diagnostic is printed, as with a format named.
   */
  private String formatOf(String file) {
    Inputs.requireName(file);
    Path p = ctx.fs().getPath(file);
    if (file.contains(",") && !Files.exists(p) || Files.isDirectory(p)) {
      return "k8s";
    }
    SourceFile source = read(p).orElse(null);
    if (source == null) {
      return null;
    }
    Optional<Frontend> f = ctx.frontends().stream()
        .filter(x -> TITLES.containsKey(x.name()) && x.accepts(source)).findFirst();
    if (f.isEmpty() && file.endsWith(".netc")) {
      throw new Netc.UserError("`" + file + "` is netc source already: `netc import` reads Compose and Kubernetes YAML");
    }
    if (f.isEmpty()) {
      throw new Netc.UserError("`" + file + "` is neither a Compose nor a Kubernetes file that netc can tell;"
          + " name its format: `netc import compose " + file + "` or `netc import k8s " + file + "`");
    }
    return f.get().name().equals("kubernetes") ? "k8s" : "compose";
  }

  private Optional<SourceFile> read(Path path) {
    String file = path.toString();
    try {
      SourceReader.Read read = SourceReader.read(path, file);
      if (read.problem().isPresent()) {
        ctx.err().print(DiagnosticReport.text(List.of(read.problem().get()), 1,
            ctx.terminal().color()));
        return Optional.empty();
      }
      return read.file();
    } catch (IOException e) {
      throw new Netc.UserError("cannot read `" + file + "`: " + SourceReader.reason(e));
    }
  }
}
