package dev.netc.cli;

import dev.netc.backends.lock.LockWriter;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ipam.LockState;
import dev.netc.compiler.source.SourceReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code netc lock}: write the lock file that pins the topology's chosen subnets, addresses and
 * host ports.
 */
@Command(
    name = "lock",
    mixinStandardHelpOptions = true,
    description = {"Write NAME.lock beside the topology: the subnets, addresses and host ports netc chose.",
        "Commit it; they then stay put as the topology changes. `lint --locked` checks it."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the lock file is up to date (written when it changed)", "1:errors"})
final class LockCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Mixin Verbosity verbosity;

  LockCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    CompileResult r = Inputs.compile(ctx, new Compiler(), file, input.recursive);
    if (r.topology().isEmpty() || r.lock().isEmpty()) {
      ctx.err().print(DiagnosticReport.text(r.diagnostics(), r.sources().size(), ctx.terminal().color()));
      return 1;
    }
    LockState lock = r.lock().get();
    if (!lock.changed()) {
      if (!verbosity.quiet) {
        ctx.err().println("netc: " + lock.path() + " is up to date");
      }
      return 0;
    }
    write(lock.path(), LockWriter.write(r.topology().get().name(), lock.after()));
    if (!verbosity.quiet) {
      ctx.err().println("netc: wrote " + lock.path());
    }
    return 0;
  }

  static void write(Path path, String text) {
    try {
      Path tmp = path.resolveSibling("." + path.getFileName() + ".tmp");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new Netc.UserError("cannot write `" + path + "`: " + SourceReader.reason(e));
    }
  }
}
