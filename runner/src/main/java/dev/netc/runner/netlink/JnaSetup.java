package dev.netc.runner.netlink;

import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What JNA is told before it loads, so that binding the C library costs no process and no new
 * file. Left to itself, JNA runs {@code /sbin/ldconfig -p} at its first library load to learn
 * the library folders (unless {@code jna.platform.library.path} names them): a process in every
 * netc run, a no-op apply's included. And it writes its native part, {@code libjnidispatch.so},
 * from its jar to a new temporary file on every run (unless {@code jna.boot.library.path} names
 * a folder that holds it). Here the first is the usual library folders that exist, and the
 * second, for root, a copy kept in {@code /run/netc} (root's alone, gone at boot), named after
 * the CRC of the jar's entry so that another JNA never takes it. A property set already (by
 * {@code -D}) is kept; whatever fails leaves JNA to its own ways.
 */
final class JnaSetup {
  private JnaSetup() {}

  /** The folder of the kept copies of JNA's native part. */
  static final Path KEPT = Path.of("/run/netc");

  static void apply() {
    if (!Platform.isLinux()) {
      return;
    }
    if (System.getProperty("jna.platform.library.path") == null) {
      System.setProperty("jna.platform.library.path", libraryFolders());
    }
    if (System.getProperty("jna.boot.library.path") == null && "root".equals(System.getProperty("user.name"))) {
      kept(KEPT).ifPresent(dir -> System.setProperty("jna.boot.library.path", dir.toString()));
    }
  }

  /** The folders the C library is in, as JNA lists them without ldconfig: those that exist. */
  static String libraryFolders() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String multiarch = (arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch) + "-linux-gnu";
    return List.of("/usr/lib/" + multiarch, "/lib/" + multiarch, "/usr/lib64", "/lib64", "/usr/lib", "/lib").stream()
        .filter(d -> Files.isDirectory(Path.of(d))).collect(Collectors.joining(":"));
  }

  /**
   * The folder under {@code base} that holds this JNA's {@code libjnidispatch.so}, copied there
   * from the jar when it is not yet (written under another name, then moved into place); empty
   * when the native part is not in a jar, or the folder cannot be made or trusted (it must be
   * root's and writable by root alone).
   */
  static Optional<Path> kept(Path base) {
    String resource = "com/sun/jna/" + Platform.RESOURCE_PREFIX + "/libjnidispatch.so";
    try {
      URL url = JnaSetup.class.getClassLoader().getResource(resource);
      if (url == null || !(url.openConnection() instanceof JarURLConnection jar)) {
        return Optional.empty();
      }
      jar.setUseCaches(false);
      java.util.jar.JarEntry entry = jar.getJarEntry();
      if (entry == null || entry.getCrc() < 0 || entry.getSize() < 0) {
        return Optional.empty();
      }
      Path dir = base.resolve("jna-" + Long.toHexString(entry.getCrc()));
      Path file = dir.resolve("libjnidispatch.so");
      Set<PosixFilePermission> rwx = PosixFilePermissions.fromString("rwx------");
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(base);
        try {
          Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(rwx));
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // made meanwhile by another netc
        }
      }
      if (!trusted(dir) || !trusted(base)) {
        return Optional.empty();
      }
      if (Files.isRegularFile(file) && Files.size(file) == entry.getSize()) {
        return Optional.of(dir);
      }
      Path tmp = Files.createTempFile(dir, "libjnidispatch", ".tmp");
      try (InputStream in = jar.getInputStream()) {
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        if (Files.size(tmp) != entry.getSize()) {
          Files.deleteIfExists(tmp);
          return Optional.empty();
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return Optional.of(dir);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether a folder is root's and writable by no one else. */
  private static boolean trusted(Path dir) throws IOException {
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
    return Files.getOwner(dir).getName().equals("root")
        && !p.contains(PosixFilePermission.GROUP_WRITE) && !p.contains(PosixFilePermission.OTHERS_WRITE);
  }
}
