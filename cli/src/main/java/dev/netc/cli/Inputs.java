package dev.netc.cli;

import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.source.SourceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading topology files named on the command line. */
final class Inputs {
  private Inputs() {}

  /** Compiles {@code name}; a file that cannot be read is a {@link Netc.UserError}. */
  static CompileResult compile(Netc.Context ctx, Compiler compiler, String name) {
    Path path = ctx.fs().getPath(name);
    if (Files.isDirectory(path)) {
      throw new Netc.UserError("cannot read `" + name + "`: it is a directory");
    }
    try {
      return compiler.compile(path);
    } catch (IOException e) {
      throw new Netc.UserError("cannot read `" + name + "`: " + SourceReader.reason(e));
    }
  }
}
