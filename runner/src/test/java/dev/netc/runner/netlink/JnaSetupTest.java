package dev.netc.runner.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JNA binds the C library without running {@code ldconfig} and without writing its native part
 * anew: the library folders are named for it, and root keeps one copy of the native part.
 */
class JnaSetupTest {
  @Test
  void theLibraryFoldersHoldTheCLibrary() {
    String folders = JnaSetup.libraryFolders();
    assertTrue(Arrays.stream(folders.split(":")).anyMatch(d -> Files.exists(Path.of(d, "libc.so.6"))), folders);
    // and LibC, bound with them, works (as it does in every netc run)
    assertTrue(LibC.available());
    assertTrue(System.getProperty("jna.platform.library.path") != null);
  }

  @Test
  void rootKeepsOneCopyOfTheNativePartInAFolderOfItsOwn(@TempDir Path tmp) throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the kept copy is root's");
    Path base = tmp.resolve("netc");
    Optional<Path> dir = JnaSetup.kept(base);
    assertTrue(dir.isPresent());
    Path file = dir.get().resolve("libjnidispatch.so");
    assertTrue(dir.get().getFileName().toString().startsWith("jna-"), dir.get().toString());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.get())));
    long size = Files.size(file);
    assertTrue(size > 50_000, "the library: " + size);
    // kept: the second run takes it as it is
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    assertEquals(dir, JnaSetup.kept(base));
    assertEquals(1_000_000, Files.getLastModifiedTime(file).toMillis());
    // a truncated copy is written again
    Files.write(file, new byte[10]);
    assertEquals(dir, JnaSetup.kept(base));
    assertEquals(size, Files.size(file));
    try (var list = Files.list(dir.get())) {
      assertEquals(1, list.count(), "no temporary file is left");
    }
    // a folder others may write to is not trusted
    Files.setPosixFilePermissions(dir.get(), PosixFilePermissions.fromString("rwxrwxrwx"));
    assertEquals(Optional.empty(), JnaSetup.kept(base));
  }
}
