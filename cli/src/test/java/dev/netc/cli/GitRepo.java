package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A temporary git repository on the real file system, and {@code netc} runs in-process against
 * it (git needs real files): what the review and CI-recipe tests drive.
 */
final class GitRepo {
  final Path dir;

  GitRepo(Path dir) {
    Assumptions.assumeTrue(gitAvailable(), "git is not installed");
    this.dir = dir;
    git("init", "-q", "-b", "main");
    git("config", "user.email", "test@example.com");
    git("config", "user.name", "netc test");
    git("config", "commit.gpgsign", "false");
  }

  static boolean gitAvailable() {
    try {
      return new ProcessBuilder("git", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  Path write(String name, String text) {
    try {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, text, StandardCharsets.UTF_8);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String read(String name) {
    try {
      return Files.readString(dir.resolve(name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Rewrites {@code name}, replacing {@code from} (which must occur) with {@code to}. */
  void edit(String name, String from, String to) {
    String text = read(name);
    if (!text.contains(from)) {
      throw new AssertionError("`" + from + "` is not in " + name);
    }
    write(name, text.replace(from, to));
  }

  void commit(String message) {
    git("add", "-A");
    git("commit", "-q", "-m", message);
  }

  /** Runs git in the repository; fails the test when git does. */
  String git(String... args) {
    List<String> argv = new ArrayList<>(List.of("git"));
    argv.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), "git " + String.join(" ", args) + ": " + out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code netc ARGS} in-process on the real file system, with {@code -C} where a command needs it. */
  CliRunner.Result netc(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = Netc.run(args, new Netc.Context(FileSystems.getDefault(), new PrintWriter(out),
        new PrintWriter(err), Terminal.NONE));
    return new CliRunner.Result(status, out.toString(), err.toString());
  }
}
