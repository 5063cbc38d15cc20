package dev.netc.backends;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

/** Compiling test topologies in jimfs: from a folder of the repository, or from source text. */
final class TestTopologies {
  private TestTopologies() {}

  /** Compiles {@code root} of folder {@code dir} (its .netc, .yaml and .lock files copied into jimfs). */
  static CompileResult compile(Path dir, String root) {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setWorkingDirectory("/case").build())) {
      Path to = fs.getPath("/case");
      Files.createDirectories(to);
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.toList()) {
          Path target = to.resolve(dir.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(target);
          } else if (p.toString().endsWith(".netc") || p.toString().endsWith(".lock")
              || p.toString().endsWith(".yaml")) {
            Files.write(target, Files.readAllBytes(p));
          }
        }
      }
      return new Compiler(Set.of(), Files.exists(dir.resolve("locked"))).compile(fs.getPath(root));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles source text as {@code input.netc}; it must compile without errors. */
  static Topology source(String text) {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix().toBuilder().setWorkingDirectory("/case").build())) {
      Path p = fs.getPath("/case/input.netc");
      Files.createDirectories(p.getParent());
      Files.writeString(p, text);
      CompileResult r = new Compiler(Set.of(), false).compile(p);
      if (r.topology().isEmpty()) {
        throw new AssertionError("does not compile:\n" + DiagnosticReport.text(r.diagnostics(), 1, false));
      }
      return r.topology().get();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
