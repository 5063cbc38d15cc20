package dev.netc.runner.netlink;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The files under {@code /etc/netns} read and written with the C library's calls: a first apply
 * of 100 containers writes 200 of them and reads them back, a no-op apply of 1,000 reads 2,000
 * (40 MB of hosts files), and in a JVM that has just started, {@code Files.readString} and
 * {@code Files.writeString} cost some 50-150 µs a call where {@code open}, {@code read} or
 * {@code write} and {@code close} cost a few. Used only where the runner works on the real
 * {@code /etc/netns} as root (the tests' in-memory file systems use {@code java.nio.file}).
 */
public final class NativeFiles {
  private static final int EEXIST = 17;
  private static final int ENOENT = 2;
  private static final int ENOTDIR = 20;
  private static final int ENXIO = 6;
  /** Larger than any file netc writes (a hosts file of 100,000 members is about 4 MB). */
  private static final int LIMIT = 256 << 20;
  /** The largest buffer a thread keeps for its next file. */
  private static final int KEPT = 1 << 20;
  /** What one {@code read} fills, outside the Java heap (see {@link LibC#recv}): a thread's own. */
  private static final ThreadLocal<java.nio.ByteBuffer> CHUNK = ThreadLocal.withInitial(() -> java.nio.ByteBuffer.allocateDirect(64 << 10));
  /** The file's bytes so far: a thread's own, kept for its next file. */
  private static final ThreadLocal<byte[]> TEXT = ThreadLocal.withInitial(() -> new byte[64 << 10]);

  private NativeFiles() {}

  /** Whether the calls can be made (JNA binds the C library here). */
  public static boolean usable() {
    return NetlinkNamespaces.usable();
  }

  /**
   * The text of file {@code path}, decoded as UTF-8; empty when there is none. Something there
   * that is not a regular file (a folder, a pipe, a device, a socket: opened without blocking and
   * without becoming a controlling terminal, then told by {@code fstat}) reads as {@code ""}, as
   * an empty file would: not netc's, whoever made it. Throws with the reason (without the path)
   * when it cannot be read or is not UTF-8 text.
   */
  public static Optional<String> readString(String path) throws IOException {
    return readString(path, null);
  }

  /**
   * The same; when the file's bytes are {@code expected}'s in UTF-8, that very string (no text
   * is decoded: the bytes are compared eight at a time).
   */
  public static Optional<String> readString(String path, String expected) throws IOException {
    LibC.check();
    int fd;
    try {
      fd = LibC.open(path, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_NOCTTY | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ENOENT || e.getErrorCode() == ENOTDIR) {
        return Optional.empty();
      }
      if (e.getErrorCode() == ENXIO) {
        return Optional.of(""); // a socket, or a device without its driver
      }
      throw new IOException(LibC.strerror(e.getErrorCode()));
    }
    try {
      OptionalInt mode = FileStat.mode(fd);
      boolean regular = mode.isPresent() ? FileStat.regular(mode.getAsInt())
          : java.nio.file.Files.isRegularFile(java.nio.file.Path.of(path));
      if (!regular) {
        return Optional.of("");
      }
      java.nio.ByteBuffer chunk = CHUNK.get();
      byte[] buf = TEXT.get();
      int n = 0;
      while (true) {
        long got;
        try {
          got = LibC.read(fd, chunk.clear(), chunk.capacity()); // at the position, as JNA passes it
        } catch (LastErrorException e) {
          throw new IOException(LibC.strerror(e.getErrorCode()));
        }
        if (got <= 0) {
          break;
        }
        if (n + got > buf.length) {
          if (n + got > LIMIT) {
            throw new IOException("larger than " + (LIMIT >> 20) + " MB");
          }
          buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + (int) got));
          if (buf.length <= KEPT) {
            TEXT.set(buf); // a larger one is not kept for the thread's next file
          }
        }
        chunk.get(0, buf, n, (int) got);
        n += (int) got;
      }
      if (expected != null && expected.length() <= n && same(buf, n, expected)) {
        return Optional.of(expected);
      }
      return Optional.of(decode(buf, n));
    } finally {
      close(fd);
    }
  }

  /** Whether the first {@code n} bytes of {@code buf} are {@code expected} in UTF-8. */
  static boolean same(byte[] buf, int n, String expected) {
    byte[] want = expected.getBytes(StandardCharsets.UTF_8);
    return Arrays.equals(buf, 0, n, want, 0, want.length);
  }

  /** Closes {@code fd}; an error of close after a read or a write that went well changes nothing. */
  private static void close(int fd) {
    try {
      LibC.close(fd);
    } catch (LastErrorException e) {
      // the descriptor is released whatever close says (Linux)
    }
  }

  private static String decode(byte[] buf, int n) throws IOException {
    String text = new String(buf, 0, n, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') >= 0) {
      // a replacement character: written so, or bytes that are not UTF-8 (told apart strictly)
      try {
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buf, 0, n));
      } catch (CharacterCodingException e) {
        throw new IOException("not UTF-8 text", e);
      }
    }
    return text;
  }

  /** Makes folder {@code path} (mode 0755) unless it exists. */
  public static void mkdir(String path) throws IOException {
    LibC.check();
    try {
      LibC.mkdir(path, 0755);
    } catch (LastErrorException e) {
      if (e.getErrorCode() != EEXIST) {
        throw new IOException(LibC.strerror(e.getErrorCode()));
      }
    }
  }

  /**
   * Writes {@code text} as UTF-8 to file {@code path} (made with mode 0644, or truncated);
   * throws with the C library's reason ({@code Not a directory} when the folder is a file). Opened
   * without blocking: a pipe with no reader there fails ({@code No such device or address})
   * instead of waiting for one.
   */
  public static void writeString(String path, String text) throws IOException {
    LibC.check();
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int fd;
    try {
      fd = LibC.open(path, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC | LibC.O_NONBLOCK | LibC.O_NOCTTY | LibC.O_CLOEXEC, 0644);
    } catch (LastErrorException e) {
      throw new IOException(LibC.strerror(e.getErrorCode()), e);
    }
    try {
      int off = 0;
      while (off < b.length) {
        byte[] rest = off == 0 ? b : Arrays.copyOfRange(b, off, b.length);
        long wrote = LibC.write(fd, rest, rest.length);
        if (wrote <= 0) {
          throw new IOException("wrote nothing (" + off + " of " + b.length + " bytes written)");
        }
        off += (int) wrote;
      }
    } catch (LastErrorException e) {
      throw new IOException(LibC.strerror(e.getErrorCode()), e);
    } finally {
      close(fd);
    }
  }

  /**
   * Opens file {@code path} for writing, made (mode 0644) when missing, and returns its
   * descriptor: the file as {@code /proc/self/fd/FD} names it stays this very file (inode) even
   * when the name is removed or given to another, which a lock file's holder needs to tell
   * (a {@code FileChannel} does not show its descriptor). Close it with {@link #closeFd}.
   */
  public static int openFd(String path) throws IOException {
    LibC.check();
    try {
      return LibC.open(path, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_NONBLOCK | LibC.O_NOCTTY | LibC.O_CLOEXEC, 0644);
    } catch (LastErrorException e) {
      throw new IOException(LibC.strerror(e.getErrorCode()), e);
    }
  }

  /** Closes a descriptor of {@link #openFd}. */
  public static void closeFd(int fd) {
    close(fd);
  }

  /** Whether an error of {@link #writeString} said the folder is not one. */
  public static boolean notAFolder(IOException e) {
    return e.getCause() instanceof LastErrorException l && l.getErrorCode() == ENOTDIR;
  }
}
