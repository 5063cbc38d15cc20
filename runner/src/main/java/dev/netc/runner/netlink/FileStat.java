package dev.netc.runner.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.util.OptionalInt;

/**
 * {@code fstat(2)}'s file type of an open file, for {@link NativeFiles}: bound on its own, as
 * the C library exports {@code fstat} only since glibc 2.33 (before, {@code __fxstat}), and the
 * offset of {@code st_mode} in {@code struct stat} is the architecture's (x86-64: 24; aarch64 and
 * the other "generic" layouts: 16). Where either is unknown, {@link #mode} is empty and the
 * caller asks {@code java.nio.file} instead.
 */
final class FileStat {
  private static final int MODE_OFFSET = switch (System.getProperty("os.arch", "")) {
    case "amd64", "x86_64" -> 24;
    case "aarch64", "riscv64" -> 16;
    default -> -1;
  };
  private static final boolean BOUND;

  static {
    boolean bound = false;
    if (MODE_OFFSET >= 0) {
      try {
        Native.register(FileStat.class, "c");
        bound = true;
      } catch (UnsatisfiedLinkError | NoClassDefFoundError | IllegalArgumentException e) {
        // no fstat symbol (glibc before 2.33): the caller asks java.nio.file
      }
    }
    BOUND = bound;
  }

  private FileStat() {}

  /** {@code struct stat} is 144 bytes on x86-64 and 128 on aarch64. */
  private static native int fstat(int fd, byte[] buf) throws LastErrorException;

  /** {@code st_mode} of open file {@code fd}; empty when it cannot be told here. */
  static OptionalInt mode(int fd) {
    if (!BOUND) {
      return OptionalInt.empty();
    }
    byte[] buf = new byte[256];
    try {
      fstat(fd, buf);
    } catch (LastErrorException e) {
      return OptionalInt.empty();
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(buf).order(java.nio.ByteOrder.nativeOrder());
    return OptionalInt.of(b.getInt(MODE_OFFSET));
  }

  /** Whether {@code mode} is a regular file's ({@code S_ISREG}). */
  static boolean regular(int mode) {
    return (mode & 0170000) == 0100000;
  }
}
