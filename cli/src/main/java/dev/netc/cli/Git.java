package dev.netc.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs {@code git} in one directory with an argument vector (never a shell), for {@code netc
 * review}. A failing git command is a {@link Netc.UserError} carrying git's own message.
 */
final class Git {
  private final File dir;

  Git(File dir) {
    this.dir = dir;
  }

  /** What a git command printed and returned. */
  record Output(int status, byte[] out, String err) {
    String text() {
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  /** Runs {@code git args...}; a non-zero status is returned, not thrown. */
  Output call(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add("git");
    argv.add("-c");
    argv.add("core.quotepath=off");
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).directory(dir);
    pb.environment().put("GIT_TERMINAL_PROMPT", "0");
    pb.environment().remove("GIT_DIR");
    pb.environment().remove("GIT_WORK_TREE");
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
      byte[] out = readAll(p.getInputStream());
      int status = p.waitFor();
      return new Output(status, out, new String(err.join(), StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      throw new Netc.UserError("cannot run git: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Netc.UserError("interrupted while running git");
    }
  }

  /** Runs {@code git args...} and returns its output; a failure is a user error. */
  Output run(String... args) {
    Output o = call(args);
    if (o.status() != 0) {
      String first = o.err().isEmpty() ? "exit status " + o.status() : o.err().lines().findFirst().orElse("");
      throw new Netc.UserError("git " + String.join(" ", args) + " failed: " + first);
    }
    return o;
  }

  /** NUL-separated output as a list, empty entries dropped. */
  static List<String> split0(Output o) {
    List<String> out = new ArrayList<>();
    for (String s : o.text().split("\0")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static byte[] readAll(InputStream in) {
    try (in) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
