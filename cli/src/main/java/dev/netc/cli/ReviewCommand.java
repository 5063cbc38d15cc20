package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.backends.report.ReviewReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.model.ReachabilityDelta;
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
        "Compiles each topology at REV and in the working tree and lists the flows",
        "newly allowed and newly denied (with the rule and line that decide them now),",
        "endpoints added and removed, and address changes, aggregated by label group.",
        "Without FILE: every topology file that changed since REV."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:no change in reachability", "1:errors", "2:reachability changed"})
final class ReviewCommand implements Callable<Integer> {
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
      description = "Topology files (.netc, Kubernetes or Compose YAML). Default: those changed since REV.")
  List<String> files = new ArrayList<>();

  @Mixin Verbosity verbosity;

  ReviewCommand(Netc.Context ctx) {
    this.ctx = ctx;
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
    File dir = new File(directory == null ? "." : directory).getAbsoluteFile();
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
    Path here = dir.toPath(); // git reads the real file system, so the working tree is read there too
    List<String> names = files.isEmpty() ? changed(git, here, prefix) : normalise(files, here);
    Path mirror = Files.createTempDirectory("netc-review-");
    try {
      Mirror at = new Mirror(git, mirror);
      boolean errors = false;
      List<ReviewReport.FileDelta> deltas = new ArrayList<>();
      for (String name : names) {
        long start = System.nanoTime();
        String repoPath = prefix + name;
        Path head = here.resolve(name);
        boolean inBase = at.exists(base, repoPath);
        boolean inHead = Files.isRegularFile(head);
        if (!inBase && !inHead) {
          ctx.err().println("netc: `" + name + "` is neither at " + base + " nor in the working tree");
          errors = true;
          continue;
        }
        Optional<Reachability> before = Optional.empty();
        Optional<Reachability> after = Optional.empty();
        boolean ok = true;
        if (inBase) {
          before = load(at.materialise(base, prefix).resolve(name), name + " at " + base);
          ok &= before.isPresent();
        }
        if (inHead) {
          after = load(head, name);
          ok &= after.isPresent();
        }
        if (!ok) {
          errors = true;
          continue;
        }
        String mirrorRoot = mirror.toAbsolutePath() + "/" + prefix;
        String mirrorTop = mirror.toAbsolutePath() + "/";
        String hereRoot = here.toAbsolutePath() + "/";
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

  private Optional<Reachability> load(Path path, String label) {
    CompileResult r;
    try {
      r = new Compiler().compile(path);
    } catch (IOException e) {
      throw new Netc.UserError("cannot read `" + label + "`: " + e.getMessage());
    }
    if (r.topology().isEmpty()) {
      ctx.err().println("netc: `" + label + "` does not compile:");
      ctx.err().print(DiagnosticReport.text(r.diagnostics(), r.sources().size(), ctx.terminal().color()));
      return Optional.empty();
    }
    return Optional.of(new Reachability(r.topology().get()));
  }

  /** File names relative to {@code here}, as git and the report name them. */
  private static List<String> normalise(List<String> given, Path here) {
    List<String> out = new ArrayList<>();
    for (String g : given) {
      Path p = here.resolve(g).normalize();
      Path rel = here.toAbsolutePath().normalize().relativize(p.toAbsolutePath());
      if (rel.startsWith("..")) {
        throw new Netc.UserError("`" + g + "` is outside `" + here + "`");
      }
      out.add(rel.toString().replace('\\', '/'));
    }
    return out;
  }

  /** Topology files that differ between REV and the working tree (untracked ones too). */
  private List<String> changed(Git git, Path here, String prefix) throws IOException {
    TreeSet<String> candidates = new TreeSet<>(Git.split0(
        git.run("diff", "--name-only", "--no-renames", "-z", "--relative", base, "--")));
    candidates.addAll(Git.split0(git.run("ls-files", "--others", "--exclude-standard", "-z")));
    TreeSet<String> out = new TreeSet<>();
    for (String c : candidates) {
      String lower = c.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".netc")) {
        out.add(c);
      } else if (lower.endsWith(".lock")) {
        String netc = c.substring(0, c.length() - ".lock".length()) + ".netc";
        if (Files.isRegularFile(here.resolve(netc))
            || git.call("cat-file", "-e", base + ":" + prefix + netc).status() == 0) {
          out.add(netc);
        }
      } else if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
        Path p = here.resolve(c);
        byte[] text = Files.isRegularFile(p) ? Files.readAllBytes(p)
            : git.call("show", base + ":" + prefix + c).out();
        if (Frontends.forFile(new SourceFile(c, new String(text, StandardCharsets.UTF_8))).isPresent()) {
          out.add(c);
        }
      }
    }
    out.addAll(importers(git, here, out));
    return new ArrayList<>(out);
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
