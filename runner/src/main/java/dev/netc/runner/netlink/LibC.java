package dev.netc.runner.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * The C library calls netc makes itself (through JNA: the JDK has no API that enters a network
 * namespace or opens a netlink socket): {@code open}, {@code setns}, {@code close}, the
 * socket calls of a netlink conversation, and the few file calls of {@link NativeFiles}. Direct-mapped ({@code Native.register}): a read of
 * 1,000 namespaces makes some 20,000 of these calls, and a direct call costs a fraction of a
 * call through a library interface's proxy.
 */
public final class LibC {
  /** {@code CLONE_NEWNET} of {@code <sched.h>}: the namespace type setns joins. */
  public static final int CLONE_NEWNET = 0x40000000;
  public static final int O_RDONLY = 0;
  public static final int O_CLOEXEC = 0x80000;
  public static final int O_NONBLOCK = 0x800;
  static final int O_WRONLY = 1;
  static final int O_CREAT = 0x40;
  static final int O_NOCTTY = 0x100;
  static final int O_TRUNC = 0x200;

  private static final Throwable UNAVAILABLE;

  static {
    Throwable why = null;
    try {
      JnaSetup.apply(); // (no ldconfig process, no native file written anew: see there)
      Native.register(LibC.class, "c");
    } catch (UnsatisfiedLinkError | NoClassDefFoundError | IllegalArgumentException e) {
      why = e;
    }
    UNAVAILABLE = why;
  }

  private LibC() {}

  /** Whether the C library could be bound (JNA loads on this platform). */
  public static boolean available() {
    return UNAVAILABLE == null;
  }

  /** Throws when the C library could not be bound. */
  static void check() throws java.io.IOException {
    if (UNAVAILABLE != null) {
      throw new java.io.IOException("cannot load the C library through JNA: " + UNAVAILABLE.getMessage());
    }
  }

  public static native int open(String path, int flags) throws LastErrorException;

  public static native int setns(int fd, int nstype) throws LastErrorException;

  public static native int close(int fd) throws LastErrorException;

  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  /** {@code size_t} and {@code ssize_t} are 64 bits on the 64-bit Linux netc runs on. */
  static native long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

  /**
   * Into a direct buffer (from its start, whatever its position): JNA passes its address, where
   * a {@code byte[]} is copied in before the call and out after it, whole (a netlink read of
   * 1,000 namespaces made 6,000 receives into 64 KB: 770 MB of copying).
   */
  static native long recv(int fd, java.nio.ByteBuffer buf, long len, int flags) throws LastErrorException;

  static native long write(int fd, byte[] buf, long len) throws LastErrorException;

  /** Into a direct buffer, from its start (see {@link #recv}). */
  static native long read(int fd, java.nio.ByteBuffer buf, long len) throws LastErrorException;

  /**
   * {@code open} with a mode (for {@code O_CREAT}): the variadic argument passed as a fixed
   * one, which the x86-64 and aarch64 calling conventions pass alike.
   */
  static native int open(String path, int flags, int mode) throws LastErrorException;

  static native int mkdir(String path, int mode) throws LastErrorException;

  /** The C library's text for an errno ({@code File exists}). */
  static native String strerror(int errno);

  /** {@code getsockopt}: the option's bytes into {@code optval}, their number into {@code optlen[0]}. */
  static native int getsockopt(int fd, int level, int optname, byte[] optval, int[] optlen) throws LastErrorException;

  /** The index of a link of the calling thread's namespace; 0 when there is none of that name. */
  static native int if_nametoindex(String name);

  /** A short text for an errno, as netc's one-line errors say it. */
  static String describe(LastErrorException e) {
    return describe(e.getErrorCode());
  }

  /** A short text for an errno, as netc's one-line errors say it. */
  static String describe(int errno) {
    return switch (errno) {
      case 1 -> "operation not permitted";
      case 2 -> "no such file";
      case 13 -> "permission denied";
      case 22 -> "not a network namespace";
      case 97 -> "address family not supported";
      default -> "errno " + errno;
    };
  }
}
