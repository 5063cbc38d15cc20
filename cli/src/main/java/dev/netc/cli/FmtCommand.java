package dev.netc.cli;

import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.parse.Formatter;
import dev.netc.compiler.source.SourceReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc fmt}: rewrite files in canonical form. */
@Command(
    name = "fmt",
    mixinStandardHelpOptions = true,
    description = "Rewrite topology files in canonical form (comments kept).",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:every file is formatted", "1:with --check, some file would change; or a file has syntax errors"})
final class FmtCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Topology files (.netc, Kubernetes or Compose YAML).")
  List<String> files;

  @Option(names = "--check", description = "Change nothing; list the files that would change.")
  boolean check;

  @Mixin Verbosity verbosity;

  FmtCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    int status = 0;
    for (String name : files) {
      Path path = ctx.fs().getPath(name);
      SourceReader.Read read;
      try {
        if (Files.isDirectory(path)) {
          throw new IOException("it is a directory");
        }
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
        Path tmp = path.resolveSibling("." + path.getFileName() + ".netc-fmt");
        Files.writeString(tmp, formatted.get(), StandardCharsets.UTF_8);
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
}
