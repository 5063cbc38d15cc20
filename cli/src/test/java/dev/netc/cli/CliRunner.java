package dev.netc.cli;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.compiler.front.Frontend;
import dev.netc.compiler.front.Frontends;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code netc} run in-process on a fresh jimfs file system (working directory {@code /work}),
 * with stdout and stderr captured: what every CLI test drives.
 */
final class CliRunner {
  /** What one run printed and returned. */
  record Result(int status, String out, String err) {}

  final FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setAttributeViews("basic", "owner", "posix", "unix").build());

  /** The front ends {@code netc import} chooses from; a test may put fakes here. */
  List<Frontend> frontends = Frontends.ALL;

  /** Writes {@code text} as UTF-8 to {@code name} (relative to {@code /work}), creating folders. */
  Path write(String name, String text) {
    Path p = fs.getPath(name);
    try {
      if (p.toAbsolutePath().getParent() != null) {
        Files.createDirectories(p.toAbsolutePath().getParent());
      }
      Files.writeString(p, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  String read(String name) {
    try {
      return Files.readString(fs.getPath(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Result run(String... args) {
    return run(Terminal.NONE, args);
  }

  Result run(Terminal terminal, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Netc.run(args,
        new Netc.Context(fs, new PrintWriter(out), new PrintWriter(err), terminal, frontends));
    return new Result(status, out.toString(), err.toString());
  }
}
