package dev.netc.runner.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files under {@code /proc/sys}, read whole in one go. A sysctl file of numbers reads from offset
 * 0 only: a read that goes on from where a first, short one ended finds the end, and {@code
 * Files.readString}, which reads one byte first from a file whose size is 0, gives {@code 1} for
 * {@code 1024}.
 */
public final class ProcFiles {
  private ProcFiles() {}

  /** The text of {@code p} (a missing file: {@link java.nio.file.NoSuchFileException}). */
  public static String read(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
