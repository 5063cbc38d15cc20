package dev.netc.runner.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The C library calls netc makes itself (through JNA: the JDK has no API that enters a network
 * namespace or opens a netlink socket): {@code open}, {@code setns}, {@code close}, and the
 * socket calls of a netlink conversation.
 */
public interface LibC extends Library {
  /** {@code CLONE_NEWNET} of {@code <sched.h>}: the namespace type setns joins. */
  int CLONE_NEWNET = 0x40000000;
  int O_RDONLY = 0;
  int O_CLOEXEC = 0x80000;

  int open(String path, int flags) throws LastErrorException;

  int setns(int fd, int nstype) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int socket(int domain, int type, int protocol) throws LastErrorException;

  long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

  long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

  /** The C library, loaded on first use; an {@link UnsatisfiedLinkError} when JNA cannot load it. */
  static LibC get() {
    return Holder.LIBC;
  }

  /** The C library's text for an errno ({@code File exists}). */
  String strerror(int errno);

  /** The index of a link of the calling thread's namespace; 0 when there is none of that name. */
  int if_nametoindex(String name);

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

  /** Loads the library once, when first asked for. */
  final class Holder {
    static final LibC LIBC = Native.load("c", LibC.class);

    private Holder() {}
  }
}
