package dev.netc.runner.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcFilesTest {
  @Test
  void aSysctlOfSeveralDigitsIsReadWhole() throws Exception {
    // 1024 here by default; whatever it is, `cat` reads it whole, and Files.readString reads its first byte
    Path p = Path.of("/proc/sys/net/ipv4/neigh/default/gc_thresh3");
    Process cat = new ProcessBuilder("cat", p.toString()).start();
    String whole = new String(cat.getInputStream().readAllBytes()).strip();
    cat.waitFor();
    assertEquals(whole, ProcFiles.read(p).strip());
  }

  @Test
  void aMissingKeyIsNoSuchFile() {
    assertThrows(NoSuchFileException.class, () -> ProcFiles.read(Path.of("/proc/sys/net/ipv4/no_such_key")));
  }
}
