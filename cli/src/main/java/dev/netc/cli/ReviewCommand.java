package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.backends.report.ReviewReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.model.ReachabilityDelta;
import dev.netc.compiler.source.Manifests;
import dev.netc.compiler.source.SourceFile;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code netc review}: what the working tree changes in reachability against a git revision.
 * The revision's files are read with {@code git show} into a temporary folder (imports and lock
 * files included), so the working tree is never touched.
 */
@Command(
    name = "review",
    mixinStandardHelpOptions = true,
    description = {"Report what changed in reachability since a git revision.",
        "Compiles each topology at REV and in the working tree and lists the flows"
            + " newly allowed and newly denied (with the rule and line that decide them now),"
            + " endpoints added and removed, and address changes, aggregated by label group.",
        "Without FILE: every topology that changed since REV; a changed file of a folder of"
            + " Kubernetes manifests (two or more .yaml/.yml files, all of them Kubernetes) stands"
            + " for the folder, reviewed as one topology."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:no change in reachability", "1:errors", "2:reachability changed"})
final class ReviewCommand implements Callable<Integer>, Stopped.Json {
  private final Netc.Context ctx;

  @Option(names = "--base", required = true, paramLabel = "REV",
      description = "The git revision to compare with (a commit, branch or tag).")
  String base;

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      completionCandidates = FormatNames.class,
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  ReviewReport.Format format;

  /** The formats as users write them (lower case), for help and completion. */
  static final class FormatNames extends EnumNames<ReviewReport.Format> {
    FormatNames() {
      super(ReviewReport.Format.class);
    }
  }

  @Option(names = "-C", paramLabel = "DIR",
      description = "Run as if started in DIR (file names are relative to it).")
  String directory;

  @Parameters(arity = "0..*", paramLabel = "FILE",
      description = "Topology files (.netc, Kubernetes or Compose YAML), or folders of Kubernetes"
          + " manifests, each read as one. Default: those changed since REV.")
  List<String> files = new ArrayList<>();

  @Mixin Inputs.Options input;

  @Mixin Verbosity verbosity;

  ReviewCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean json() {
    return format == ReviewReport.Format.JSON;
  }

  @Override
  public Integer call() {
    try {
      return review();
    } catch (IOException e) {
      String file = e instanceof java.nio.file.FileSystemException f && f.getFile() != null
          ? "`" + f.getFile() + "`" : "a file";
      throw new Netc.UserError("cannot read " + file + ": " + dev.netc.compiler.source.SourceReader.reason(e));
    }
  }

  private int review() throws IOException {
    if (base.startsWith("-")) {
      throw new Netc.UserError("`" + base + "` is not a revision");
    }
    File dir = new File(directory == null ? "." : directory).getAbsoluteFile().toPath().normalize().toFile();
    if (!dir.isDirectory()) {
      throw new Netc.UserError("cannot run in `" + directory + "`: not a folder");
    }
    Git git = new Git(dir);
    if (git.call("rev-parse", "--is-inside-work-tree").status() != 0) {
      throw new Netc.UserError("`" + dir + "` is not in a git working tree");
    }
    if (git.call("rev-parse", "--verify", "--quiet", base + "^{commit}").status() != 0) {
      throw new Netc.UserError("unknown revision `" + base + "`");
    }
    String prefix = git.run("rev-parse", "--show-prefix").text().strip();
    // git reads the real file system, so the working tree is read there too; normalised, as the
    // files it names are, so that their names relative to it are found (`.` is `/work/.`)
    Path here = dir.toPath().toAbsolutePath().normalize();
    List<String> names = files.isEmpty() ? changed(git, here, prefix) : normalise(git, files, here, prefix);
    Path mirror = Files.createTempDirectory("netc-review-");
    // a file of the revision is named as git names it there (`REV:path`, from the top of the
    // repository); a file of the working tree as the report names it (relative to -C DIR)
    String mirrorTop = mirror.toAbsolutePath() + "/";
    String hereRoot = hereRoot(here);
    java.util.function.UnaryOperator<String> named = f -> f.startsWith(mirrorTop) ? base + ":" + f.substring(mirrorTop.length())
        : f.startsWith(hereRoot) ? f.substring(hereRoot.length()) : f;
    try {
      Mirror at = new Mirror(git, mirror);
      boolean errors = false;
      // with --format json, what stops the review is printed in place of the report, as JSON
      List<DiagnosticReport.Failure> failures = new ArrayList<>();
      List<Diagnostic> stopped = new ArrayList<>();
      List<ReviewReport.FileDelta> deltas = new ArrayList<>();
      for (String name : names) {
        long start = System.nanoTime();
        boolean folder = name.endsWith("/");
        Path head = here.resolve(name).normalize();
        List<Path> headFiles = folder ? manifests(head) : Files.isRegularFile(head) ? List.of(head) : List.of();
        Path baseRoot = folder || at.exists(base, prefix + name)
            ? at.materialise(base, prefix).resolve(name).normalize() : null;
        List<Path> baseFiles = baseRoot == null ? List.of()
            : folder ? manifests(baseRoot) : Files.isRegularFile(baseRoot) ? List.of(baseRoot) : List.of();
        boolean inBase = !baseFiles.isEmpty();
        boolean inHead = !headFiles.isEmpty();
        if (!inBase && !inHead) {
          String message = "`" + name + "` is neither at " + base + " nor in the working tree"
              + (folder ? " (a folder with .yaml or .yml files)" : "");
          ctx.err().println("netc: " + message);
          failures.add(new DiagnosticReport.Failure(DiagnosticReport.Failure.Kind.FAILED, message));
          errors = true;
          continue;
        }
        Optional<Reachability> before = Optional.empty();
        Optional<Reachability> after = Optional.empty();
        boolean ok = true;
        if (inBase) {
          before = load(baseRoot, baseFiles, name + " at " + base, stopped, named);
          ok &= before.isPresent();
        }
        if (inHead) {
          after = load(head, headFiles, name, stopped, named);
          ok &= after.isPresent();
        }
        if (!ok) {
          errors = true;
          continue;
        }
        String mirrorRoot = mirror.toAbsolutePath() + "/" + prefix;
        ReachabilityDelta delta = ReachabilityDelta.compute(before.orElse(null), after.orElse(null),
            f -> f.startsWith(mirrorRoot) ? f.substring(mirrorRoot.length())
                : f.startsWith(mirrorTop) ? f.substring(mirrorTop.length())
                : f.startsWith(hereRoot) ? f.substring(hereRoot.length()) : f);
        deltas.add(new ReviewReport.FileDelta(name, !inBase ? ReviewReport.Status.ADDED
            : !inHead ? ReviewReport.Status.DELETED : ReviewReport.Status.MODIFIED, delta));
        if (verbosity.verbose) {
          ctx.err().printf("netc: reviewed %s in %d ms%n", name, (System.nanoTime() - start) / 1_000_000);
        }
      }
      if (json() && errors) {
        ctx.out().print(DiagnosticReport.json(failures, stopped, named));
        return 1;
      }
      if (errors && deltas.isEmpty()) {
        return 1; // (what went wrong is on stderr; a report of nothing would read as "no change")
      }
      String report = ReviewReport.render(format, base, deltas);
      if (verbosity.quiet && format == ReviewReport.Format.TEXT) {
        report = report.substring(0, report.lastIndexOf("netc review: ")); // no summary line
      }
      ctx.out().print(report);
      ctx.out().flush();
      if (errors) {
        return 1;
      }
      return deltas.stream().anyMatch(d -> d.delta().changed()) ? 2 : 0;
    } finally {
      deleteTree(mirror);
    }
  }

  /** The working tree's folder as the start of the names of its files. */
  private static String hereRoot(Path here) {
    return here.toAbsolutePath() + "/";
  }

  /**
   * Compiles a file, or a folder's manifests read as one topology named after the folder; when
   * it does not compile, empty, its diagnostics added to {@code stopped} (and printed on stderr,
   * but with {@code --format json}, where they are the report).
   */
  private Optional<Reachability> load(Path root, List<Path> files, String label, List<Diagnostic> stopped,
      java.util.function.UnaryOperator<String> named) {
    CompileResult r;
    try {
      r = new Compiler().compile(root, files);
    } catch (IOException e) {
      throw new Netc.UserError("cannot read `" + label + "`: " + e.getMessage());
    }
    if (r.topology().isEmpty()) {
      if (!json()) { // (with --format json they are the report's, as lint's are)
        ctx.err().println("netc: `" + label + "` does not compile:");
        ctx.err().print(DiagnosticReport.text(r.diagnostics(), r.sources().size(), ctx.terminal().color(), named));
      }
      stopped.addAll(r.diagnostics());
      return Optional.empty();
    }
    return Optional.of(new Reachability(r.topology().get()));
  }

  /** The manifests of a folder as `netc lint DIR` reads them (with {@code -R}, its subfolders' too). */
  private List<Path> manifests(Path dir) throws IOException {
    return Files.isDirectory(dir) ? Manifests.list(dir, input.recursive) : List.of();
  }

  /**
   * File names relative to {@code here}, as git and the report name them; a folder (in the
   * working tree or at the revision) ends with {@code /} and stands for its manifests, read as one.
   */
  private List<String> normalise(Git git, List<String> given, Path here, String prefix) {
    List<String> out = new ArrayList<>();
    for (String g : given) {
      Path p = here.resolve(g).normalize();
      Path rel = here.toAbsolutePath().normalize().relativize(p.toAbsolutePath());
      if (rel.startsWith("..")) {
        throw new Netc.UserError("`" + g + "` is outside `" + here + "`");
      }
      String name = rel.toString().replace('\\', '/');
      boolean folder = Files.isDirectory(p) || !Files.exists(p)
          && git.call("cat-file", "-t", base + ":" + prefix + name).text().strip().equals("tree");
      out.add(!folder ? name : name.isEmpty() ? "./" : name + "/");
    }
    return out;
  }

  /**
   * Topologies that differ between REV and the working tree (untracked files too): changed
   * {@code .netc} files, the {@code .netc} or YAML file of a changed lock, YAML that a front end
   * accepts, and in place of a Kubernetes file of a {@linkplain #manifestFolder manifest folder},
   * that folder, read as one.
   */
  private List<String> changed(Git git, Path here, String prefix) throws IOException {
    TreeSet<String> candidates = new TreeSet<>(Git.split0(
        git.run("diff", "--name-only", "--no-renames", "-z", "--relative", base, "--")));
    candidates.addAll(Git.split0(git.run("ls-files", "--others", "--exclude-standard", "-z")));
    TreeSet<String> out = new TreeSet<>();
    java.util.Map<String, Boolean> folders = new java.util.HashMap<>();
    for (String c : candidates) {
      String lower = c.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".netc")) {
        out.add(c);
      } else if (lower.endsWith(".lock")) {
        String stem = c.substring(0, c.length() - ".lock".length());
        if (folders.computeIfAbsent(stem, d -> manifestFolder(git, here, prefix, d))) {
          out.add(stem + "/");
          continue;
        }
        for (String ext : List.of(".netc", ".yaml", ".yml")) {
          String source = stem + ext;
          Optional<byte[]> text = read(git, here, prefix, source);
          if (text.isPresent() && (ext.equals(".netc") || foreign(source, text.get()).isPresent())) {
            out.add(source);
            break;
          }
        }
      } else if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
        Optional<Frontend> front = read(git, here, prefix, c).flatMap(t -> foreign(c, t));
        if (front.isEmpty()) {
          continue;
        }
        int slash = c.lastIndexOf('/');
        String dir = slash < 0 ? "" : c.substring(0, slash);
        if (front.get() == Frontends.KUBERNETES
            && folders.computeIfAbsent(dir, d -> manifestFolder(git, here, prefix, d))) {
          out.add(dir.isEmpty() ? "./" : dir + "/");
        } else {
          out.add(c);
        }
      }
    }
    out.addAll(importers(git, here, out));
    return new ArrayList<>(out);
  }

  /** A file's bytes in the working tree, or else at the revision; empty when neither has it. */
  private Optional<byte[]> read(Git git, Path here, String prefix, String name) {
    Path p = here.resolve(name);
    try {
      if (Files.isRegularFile(p)) {
        return Optional.of(Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new Netc.UserError("cannot read `" + name + "`: " + dev.netc.compiler.source.SourceReader.reason(e));
    }
    Git.Output o = git.call("show", base + ":" + prefix + name);
    return o.status() == 0 ? Optional.of(o.out()) : Optional.empty();
  }

  private static Optional<Frontend> foreign(String name, byte[] text) {
    return Frontends.forFile(new SourceFile(name, new String(text, StandardCharsets.UTF_8)));
  }

  /**
   * Whether {@code dir} (relative to {@code here}; empty for {@code here} itself) is a manifest
   * folder: in the working tree or at the revision, it holds two or more {@code .yaml} or {@code
   * .yml} files (subfolders aside) and every one of them is Kubernetes YAML (or only comments).
   * Such a folder is one topology, as {@code netc lint DIR} reads it; a folder with one manifest,
   * or with other YAML beside its manifests (a Compose file, a CI configuration), is not: its
   * Kubernetes files are reviewed one by one.
   */
  private boolean manifestFolder(Git git, Path here, String prefix, String dir) {
    Path folder = dir.isEmpty() ? here : here.resolve(dir);
    List<java.util.Map.Entry<String, byte[]>> head = new ArrayList<>();
    try {
      if (Files.isDirectory(folder)) {
        for (Path f : Manifests.list(folder, false)) {
          head.add(java.util.Map.entry(f.toString(), Files.readAllBytes(f)));
        }
      }
    } catch (IOException e) {
      throw new Netc.UserError("cannot read `" + folder + "`: " + dev.netc.compiler.source.SourceReader.reason(e));
    }
    if (kubernetesOnly(head)) {
      return true;
    }
    String tree = prefix + (dir.isEmpty() ? "" : dir + "/");
    Git.Output listing = tree.isEmpty() ? git.call("ls-tree", "-z", "--full-tree", base)
        : git.call("ls-tree", "-z", "--full-tree", base, "--", tree);
    List<java.util.Map.Entry<String, byte[]>> at = new ArrayList<>();
    for (String entry : Git.split0(listing)) {
      int tab = entry.indexOf('\t');
      String[] meta = entry.substring(0, tab).split(" ");
      String path = entry.substring(tab + 1);
      if (meta.length == 3 && meta[1].equals("blob") && Manifests.isManifest(Path.of(path))) {
        at.add(java.util.Map.entry(path, git.run("cat-file", "blob", meta[2]).out()));
      }
    }
    return kubernetesOnly(at);
  }

  private static boolean kubernetesOnly(List<java.util.Map.Entry<String, byte[]>> files) {
    return files.size() >= 2 && files.stream().allMatch(f -> {
      String text = new String(f.getValue(), StandardCharsets.UTF_8);
      boolean empty = text.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#")
          || l.strip().equals("---"));
      return empty || foreign(f.getKey(), f.getValue()).filter(x -> x == Frontends.KUBERNETES).isPresent();
    });
  }

  private static final java.util.regex.Pattern IMPORT =
      java.util.regex.Pattern.compile("(?m)^\\s*import\\s+\"([^\"]+)\"");

  /**
   * The working tree's {@code .netc} files that import one of {@code changed}, directly or
   * through other imports: a changed fragment changes the topologies that import it.
   */
  private static TreeSet<String> importers(Git git, Path here, TreeSet<String> changed) throws IOException {
    java.util.Map<String, List<String>> imports = new java.util.TreeMap<>();
    for (String f : Git.split0(git.run("ls-files", "-z", "--cached", "--others", "--exclude-standard",
        "--", "*.netc"))) {
      Path p = here.resolve(f);
      if (!Files.isRegularFile(p)) {
        continue;
      }
      List<String> targets = new ArrayList<>();
      // lenient: a file that is not UTF-8 is the compiler's to report, not this scan's
      java.util.regex.Matcher m = IMPORT.matcher(new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
      while (m.find()) {
        Path target = here.resolve(f).resolveSibling(m.group(1)).normalize();
        Path rel = here.toAbsolutePath().normalize().relativize(target.toAbsolutePath());
        targets.add(rel.toString().replace('\\', '/'));
      }
      imports.put(f, targets);
    }
    TreeSet<String> found = new TreeSet<>();
    TreeSet<String> affected = new TreeSet<>(changed);
    boolean grew = true;
    while (grew) {
      grew = false;
      for (var e : imports.entrySet()) {
        if (!affected.contains(e.getKey()) && e.getValue().stream().anyMatch(affected::contains)) {
          affected.add(e.getKey());
          found.add(e.getKey());
          grew = true;
        }
      }
    }
    return found;
  }

  /** The revision's topology files, written once into a temporary folder laid out as the repository. */
  private static final class Mirror {
    private final Git git;
    private final Path root;
    private boolean written;

    Mirror(Git git, Path root) {
      this.git = git;
      this.root = root;
    }

    boolean exists(String rev, String repoPath) {
      return git.call("cat-file", "-e", rev + ":" + repoPath).status() == 0;
    }

    /** The folder that stands for the working directory at {@code rev}. */
    Path materialise(String rev, String prefix) throws IOException {
      if (!written) {
        written = true;
        // the mirror's top stands for the work tree's: the folder imports may not leave
        // (Compiler#project looks for a `.git` above the root file)
        Files.createDirectories(root.resolve(".git"));
        for (String f : Git.split0(git.run("ls-tree", "-r", "-z", "--name-only", "--full-tree", rev))) {
          String lower = f.toLowerCase(Locale.ROOT);
          if (lower.endsWith(".netc") || lower.endsWith(".lock") || lower.endsWith(".yaml")
              || lower.endsWith(".yml")) {
            write(f, git.run("show", rev + ":" + f).out());
          }
        }
      }
      return prefix.isEmpty() ? root : root.resolve(prefix);
    }

    private void write(String repoPath, byte[] bytes) throws IOException {
      Path p = root.resolve(repoPath).normalize();
      if (!p.startsWith(root)) {
        return; // a path git would never give; refuse to write outside the mirror
      }
      Files.createDirectories(p.getParent());
      Files.write(p, bytes);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // a temporary folder left behind is harmless
    }
  }
}
