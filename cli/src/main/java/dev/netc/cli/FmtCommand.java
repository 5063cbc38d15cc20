package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.parse.Formatter;
import dev.netc.compiler.source.Project;
import dev.netc.compiler.source.SourceReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc fmt}: rewrite files in canonical form. */
@Command(
    name = "fmt",
    mixinStandardHelpOptions = true,
    description = {"Rewrite .netc files in canonical form (comments kept).",
        "A folder stands for the .netc files in it (with -R, in its subfolders too), as"
            + " `terraform fmt DIR` does; Kubernetes and Compose YAML is left as it is."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:every file is formatted", "1:with --check, some file would change; or a file has syntax errors"})
final class FmtCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(arity = "1..*", paramLabel = "FILE",
      description = ".netc files, or folders: the .netc files in them.")
  List<String> files;

  @Option(names = {"-R", "--recursive"},
      description = "Format the .netc files in the subfolders of a folder too (hidden ones aside).")
  boolean recursive;

  @Option(names = "--check", description = "Change nothing; list the files that would change.")
  boolean check;

  @Mixin Verbosity verbosity;

  FmtCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    int status = 0;
    java.util.Set<String> names = new java.util.LinkedHashSet<>(); // a file named twice is formatted once
    for (String name : files) {
      Path path = ctx.fs().getPath(name);
      if (!Files.isDirectory(path)) {
        names.add(name);
        continue;
      }
      List<String> inside;
      try {
        inside = netcFiles(path);
      } catch (IOException e) {
        ctx.err().println("netc: cannot read `" + name + "`: " + SourceReader.reason(e));
        status = 1;
        continue;
      }
      if (inside.isEmpty() && !verbosity.quiet) {
        ctx.err().println("netc: `" + name + "` holds no .netc file"
            + (recursive ? "" : " (its subfolders are formatted with -R)")
            + "; netc fmt formats .netc files only");
      }
      names.addAll(inside);
    }
    for (String name : names) {
      Path path = ctx.fs().getPath(name);
      // as for lint (NETC009): no symbolic link out of the project is read, nor rewritten
      Path project = Project.of(path);
      Optional<Path> out = Project.leadsOut(path, project);
      if (out.isPresent()) {
        ctx.err().println("netc: not formatted `" + name + "`: " + Project.outside(out.get(), project) + " ("
            + Project.RULE + ", NETC009)");
        status = 1;
        continue;
      }
      SourceReader.Read read;
      try {
        read = SourceReader.read(path, name);
      } catch (IOException e) {
        ctx.err().println("netc: cannot read `" + name + "`: " + SourceReader.reason(e));
        status = 1;
        continue;
      }
      Optional<Frontend> foreign = read.file().flatMap(Frontends::forFile);
      if (foreign.isPresent()) {
        // YAML belongs to its authors and their tools: netc formats only its own language
        if (!verbosity.quiet) {
          ctx.err().println("netc: skipped " + name + ": it is " + foreign.get().name()
              + " YAML, and netc fmt formats .netc files only");
        }
        continue;
      }
      List<Diagnostic> problems = new ArrayList<>();
      read.problem().ifPresent(problems::add);
      Optional<String> formatted = read.file().flatMap(f -> Formatter.format(f, problems));
      if (formatted.isEmpty()) {
        ctx.err().print(DiagnosticReport.text(problems, 1, ctx.terminal().color()));
        status = 1;
        continue;
      }
      if (formatted.get().equals(read.file().get().text())) {
        continue;
      }
      if (check) {
        ctx.out().println(name);
        status = 1;
        continue;
      }
      try {
        // the file a link names is the one rewritten (the link stays a link), and the new text
        // takes the old file's permissions and owner before it replaces it whole (never half written)
        Path real = path.toRealPath();
        Path tmp = real.resolveSibling("." + real.getFileName() + ".netc-fmt");
        Files.writeString(tmp, formatted.get(), StandardCharsets.UTF_8);
        try {
          keepAttributes(real, tmp);
          Files.move(tmp, real, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
          Files.deleteIfExists(tmp);
        }
        if (!verbosity.quiet) {
          ctx.err().println("netc: formatted " + name);
        }
      } catch (IOException e) {
        ctx.err().println("netc: cannot write `" + name + "`: " + SourceReader.reason(e));
        status = 1;
      }
    }
    return status;
  }

  /** Gives {@code to} the permissions and owner of {@code from}, where the file system has them. */
  private static void keepAttributes(Path from, Path to) throws IOException {
    java.nio.file.attribute.PosixFileAttributeView view =
        Files.getFileAttributeView(from, java.nio.file.attribute.PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    java.nio.file.attribute.PosixFileAttributes a = view.readAttributes();
    Files.setPosixFilePermissions(to, a.permissions());
    if (!a.owner().equals(Files.getOwner(to))) {
      try {
        Files.setOwner(to, a.owner());
        Files.getFileAttributeView(to, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(a.group());
      } catch (IOException e) {
        // not root: the file is the writer's now, as any editor's save would make it
      }
    }
  }

  /**
   * The {@code .netc} files of a folder, in name order; with {@code -R}, those of its
   * subfolders too, each where its name sorts (folders whose name starts with a dot, such as
   * {@code .git}, are passed over). Links to folders are not followed.
   */
  private List<String> netcFiles(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted(Comparator.comparing((Path p) -> p.getFileName().toString())).toList();
    }
    for (Path p : entries) {
      String name = p.getFileName().toString();
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        if (recursive && !name.startsWith(".")) {
          out.addAll(netcFiles(p));
        }
      } else if (name.toLowerCase(Locale.ROOT).endsWith(".netc") && Files.isRegularFile(p)) {
        out.add(p.normalize().toString());
      }
    }
    return out;
  }
}
