package dev.netc.compiler.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What is not a topology file is refused before it is read: a pipe (whose read would wait for a
 * writer), a device that never ends, a file larger than netc reads. These are the machine's own
 * files (jimfs has no pipes, devices or sparse files).
 */
@Timeout(20)
class SourceReaderTest {
  @TempDir Path dir;

  @Test
  void aPipeIsRefusedWithoutWaitingForAWriter() throws Exception {
    Path fifo = dir.resolve("t.netc");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo is not available here");
    IOException e = assertThrows(IOException.class, () -> SourceReader.read(fifo, "t.netc"));
    assertEquals("not a regular file (a pipe, a device or a socket)", SourceReader.reason(e));
  }

  @Test
  void aDeviceIsRefused() {
    Path zero = Path.of("/dev/zero");
    assumeTrue(Files.exists(zero), "no /dev/zero here");
    IOException e = assertThrows(IOException.class, () -> SourceReader.read(zero, "/dev/zero"));
    assertEquals("not a regular file (a pipe, a device or a socket)", SourceReader.reason(e));
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
    Path big = dir.resolve("big.netc");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: no disk used
    }
    IOException e = assertThrows(IOException.class, () -> SourceReader.read(big, "big.netc"));
    assertEquals("too large: 3072 MiB, and netc reads topology files of at most 64 MiB", SourceReader.reason(e));
  }

  @Test
  void anOrdinaryFileIsRead() throws Exception {
    Path ok = dir.resolve("ok.netc");
    Files.writeString(ok, "topology t\n");
    assertEquals("topology t\n", SourceReader.read(ok, "ok.netc").file().orElseThrow().text());
  }
}
