package dev.netc.runner;

import dev.netc.runner.netlink.NativeFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * A lock of the state folder ({@code /run/netc}): a sandbox's, one apply or destroy at a time,
 * or that of new sandboxes ({@link Runner#lockNewSandboxes}). Its file is removed when it is
 * released, so that no file is left per sandbox ever used: a process that waited for the lock
 * on the removed file then sees that the name is no longer its file's and locks the file that
 * has the name now (see {@link #take}).
 */
final class StateLock implements AutoCloseable {
  private final Path file;
  private final Path key;
  private final LockFile held;
  private final FileLock lock;

  private StateLock(Path file, Path key, LockFile held, FileLock lock) {
    this.file = file;
    this.key = key;
    this.held = held;
    this.lock = lock;
  }

  private boolean closed;

  @Override
  public void close() {
    if (closed) {
      return; // (once: the claim released twice could be another thread's by then)
    }
    closed = true;
    try {
      if (held.removable()) {
        // still under the lock: whoever opened the file meanwhile finds its name gone
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // left in place: the next lock takes it as it is
    }
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases the lock in any case
    }
    held.close();
    // last: another thread of this process may open the file only now
    CLAIMED.remove(key);
  }

  /**
   * The lock files held in this process, or being waited for by one of its threads, by absolute
   * path: the locks are the kernel's record locks, which belong to the process, and closing any
   * descriptor of a file releases them all, so a second thread must not open the file another
   * holds (its giving up, which closes what it opened, would release the holder's lock).
   */
  private static final Set<Path> CLAIMED = ConcurrentHashMap.newKeySet();

  /**
   * Takes the lock of {@code file} (its folder exists), waiting up to {@code wait}, or until
   * {@code stopping}: {@code what} is locked, for messages ({@code sandbox S}), {@code isLocked}
   * says so when the wait gives up, and {@code holder} is who holds it; the wait is noted once
   * through {@code exec}. A thread of this process that holds it is waited for before the file
   * is opened at all ({@link #CLAIMED}).
   */
  static StateLock take(Path file, Duration wait, BooleanSupplier stopping, CommandExecutor exec, String what,
      String isLocked, String holder) {
    Path key = file.toAbsolutePath().normalize();
    Waiting w = new Waiting(System.nanoTime() + wait.toNanos(), wait, stopping, exec, file, what, isLocked, holder);
    boolean claimed = false;
    try {
      while (!(claimed = CLAIMED.add(key))) {
        w.pause();
      }
      StateLock taken = open(file, key, w);
      claimed = false; // the lock's now: released with it
      return taken;
    } finally {
      if (claimed) {
        CLAIMED.remove(key);
      }
    }
  }

  /**
   * A wait as the message that gives it up names it: {@code 300 ms} under a second (a wait of
   * the API's; the command line's {@code --lock-timeout} is in whole seconds), {@code 0 s} for
   * none, else seconds, with their fraction when there is one ({@code 60 s}, {@code 1.5 s}).
   */
  static String duration(Duration wait) {
    long ms = wait.toMillis();
    if (ms == 0) {
      return "0 s";
    }
    if (ms < 1000) {
      return ms + " ms";
    }
    return java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString() + " s";
  }

  /** The wait for a lock: its deadline, what stops it, and the note said once. */
  private static final class Waiting {
    private final long deadline;
    private final Duration wait;
    private final BooleanSupplier stopping;
    private final CommandExecutor exec;
    private final Path file;
    private final String what;
    private final String isLocked;
    private final String holder;
    private boolean told;

    Waiting(long deadline, Duration wait, BooleanSupplier stopping, CommandExecutor exec, Path file, String what,
        String isLocked, String holder) {
      this.deadline = deadline;
      this.wait = wait;
      this.stopping = stopping;
      this.exec = exec;
      this.file = file;
      this.what = what;
      this.isLocked = isLocked;
      this.holder = holder;
    }

    /** One pause of the wait, or why it ends. */
    void pause() {
      if (stopping.getAsBoolean()) {
        throw new Runner.Stopped("interrupted while waiting for the lock of " + what);
      }
      if (!told) {
        told = true;
        exec.note("waiting for the lock of " + what + " (" + file + "), held by " + holder, 0);
      }
      if (System.nanoTime() >= deadline) {
        throw new RunnerException(isLocked + " by " + holder + " (" + file + "); gave up after " + duration(wait));
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RunnerException("interrupted while waiting for the lock of " + what);
      }
    }
  }

  /** Takes the lock of {@code file} once no thread of this process holds it ({@code key} claimed). */
  private static StateLock open(Path file, Path key, Waiting w) {
    try {
      while (true) {
        LockFile f;
        try {
          f = LockFile.open(file);
        } catch (java.nio.file.AccessDeniedException e) {
          throw new RunnerException("cannot lock " + file + ": permission denied (apply and destroy need root)");
        } catch (IOException e) {
          String why = e.getMessage() != null && e.getMessage().contains("Permission denied")
              ? "permission denied (apply and destroy need root)" : e.getMessage();
          throw new RunnerException("cannot lock " + file + ": " + why);
        }
        boolean locked = false;
        try {
          while (true) {
            FileLock l = null;
            try {
              l = f.channel().tryLock();
            } catch (OverlappingFileLockException e) {
              // held by this process through another file system's name for it: waited for as any other
            }
            if (l != null) {
              if (f.named(file)) {
                locked = true;
                return new StateLock(file, key, f, l);
              }
              // the holder before removed the file while this one waited for it: the name is
              // another file's now (or nobody's), which is the lock to take
              l.release();
              break;
            }
            w.pause();
          }
        } finally {
          if (!locked) {
            f.close(); // whatever stopped the wait: the file is not held open
          }
        }
      }
    } catch (IOException e) {
      throw new RunnerException("cannot lock " + file + ": " + e.getMessage());
    }
  }

  /**
   * A lock file opened: its channel and, where the C library is bound and the file is on the
   * machine's own file system, its descriptor, through which the file it is stays known whatever
   * happens to its name. Without the descriptor the file is compared by the inode its name had
   * right after the open (a name given to another file in those microseconds goes unseen), and
   * never removed.
   */
  private record LockFile(FileChannel channel, int fd, Object key) {
    static LockFile open(Path file) throws IOException {
      if (file.getFileSystem() == java.nio.file.FileSystems.getDefault() && NativeFiles.usable()) {
        int fd = NativeFiles.openFd(file.toString());
        try {
          Path self = Path.of("/proc/self/fd/" + fd);
          FileChannel ch = FileChannel.open(self, StandardOpenOption.WRITE);
          return new LockFile(ch, fd, Files.readAttributes(self, java.nio.file.attribute.BasicFileAttributes.class).fileKey());
        } catch (IOException | RuntimeException e) {
          NativeFiles.closeFd(fd);
          throw e;
        }
      }
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new LockFile(ch, -1, key(file));
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    }

    /** The identity (device and inode) of the file that has name {@code file} now; null when none has it. */
    private static Object key(Path file) throws IOException {
      try {
        Object k = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        // a file system without keys (jimfs): the name is taken as the file's
        return k != null ? k : file;
      } catch (java.nio.file.NoSuchFileException e) {
        return null;
      }
    }

    /** Whether name {@code file} is this file's still (a holder before did not remove it). */
    boolean named(Path file) throws IOException {
      return key != null && key.equals(key(file));
    }

    /** Whether the file is known by its descriptor, so that its holder may remove it. */
    boolean removable() {
      return fd >= 0;
    }

    void close() {
      try {
        channel.close();
      } catch (IOException e) {
        // closing releases nothing held
      }
      if (fd >= 0) {
        // after the channel: closing any descriptor of the file releases this process's lock
        NativeFiles.closeFd(fd);
      }
    }
  }
}
