package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netc.runner.netlink.NativeFiles;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox lock on the machine's own file system (inodes and names are what it is about,
 * which jimfs does not model): its file goes with its release, and a waiter that locked a file
 * whose name was removed meanwhile does not take it for the lock.
 */
@Timeout(30)
class LockFileTest {
  @TempDir
  Path state;

  private Runner runner() {
    return new Runner(new RecordingExecutor((a, in) -> new CommandExecutor.Result(0, "", "")), state.resolve("etc"), state,
        Duration.ofSeconds(20));
  }

  @Test
  void theLockFileGoesWithTheLock() throws Exception {
    assumeTrue(NativeFiles.usable(), "the C library is not bound here (JNA): the file is kept, as documented");
    Runner r = runner();
    Sandbox sb = new Sandbox("lk");
    try (StateLock l = r.lock(sb)) {
      assertTrue(Files.exists(state.resolve("lk.lock")));
    }
    assertEquals(List.of(), Files.list(state).map(p -> p.getFileName().toString()).toList());
    // and again: a new file each time
    try (StateLock l = r.lock(sb)) {
      assertTrue(Files.exists(state.resolve("lk.lock")));
    }
    assertFalse(Files.exists(state.resolve("lk.lock")));
  }

  @Test
  void aWaiterWhoseFileLostItsNameLocksTheFileThatHasItNow() throws Exception {
    assumeTrue(NativeFiles.usable(), "the C library is not bound here (JNA)");
    Path file = state.resolve("lk.lock");
    Runner r = runner();
    Sandbox sb = new Sandbox("lk");
    FileChannel first = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock held = first.lock();
    CompletableFuture<StateLock> waiter = CompletableFuture.supplyAsync(() -> r.lock(sb));
    try {
      // the waiter has opened the file and waits for it
      assertWaiting(waiter, 300);
      // the holder removes the name and a third party makes and locks a new file of that name
      // before the first is released, as a holder's release and a newcomer can interleave
      Files.delete(file);
      FileChannel third = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      FileLock thirds = third.lock();
      held.release();
      first.close();
      // the waiter now holds the old file's lock, sees the name is another's, and waits for that one
      assertWaiting(waiter, 500);
      thirds.release();
      third.close();
      try (StateLock l = waiter.get(10, TimeUnit.SECONDS)) {
        assertTrue(Files.exists(file), "the waiter holds the file that has the name");
      }
      assertFalse(Files.exists(file), "released: the file goes");
    } finally {
      waiter.thenAccept(StateLock::close);
      if (first.isOpen()) {
        first.close();
      }
    }
  }

  /** {@code f} has not completed within {@code millis}. */
  private static void assertWaiting(CompletableFuture<?> f, long millis) throws Exception {
    try {
      f.get(millis, TimeUnit.MILLISECONDS);
      throw new AssertionError("the lock was taken while another held it");
    } catch (TimeoutException e) {
      // still waiting: as it should
    }
  }

  /**
   * A thread of this process that waits for the lock another holds, and gives up, leaves it held:
   * the kernel's record locks belong to the process, and closing any descriptor of the file
   * would release them, so the waiter never opens it ({@code /proc/locks} still lists the
   * holder's lock on the file's inode).
   */
  @Test
  void aThreadThatGivesUpWaitingLeavesTheLockOfAnotherThreadHeld() throws Exception {
    Path locks = Path.of("/proc/locks");
    assumeTrue(Files.isReadable(locks), "no /proc/locks here");
    Runner quick = new Runner(new RecordingExecutor((a, in) -> new CommandExecutor.Result(0, "", "")), state.resolve("etc"),
        state, Duration.ofMillis(300));
    Sandbox sb = new Sandbox("lk");
    try (StateLock l = runner().lock(sb)) {
      String inode = ":" + Files.getAttribute(state.resolve("lk.lock"), "unix:ino") + " ";
      java.util.function.Supplier<Boolean> listed = () -> {
        try {
          return Files.readAllLines(locks).stream().anyMatch(x -> x.contains(" POSIX ") && x.contains(inode));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      };
      assertTrue(listed.get());
      Throwable e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
          () -> CompletableFuture.supplyAsync(() -> quick.lock(sb)).join().close()).getCause();
      assertTrue(e instanceof RunnerException && e.getMessage().startsWith("sandbox lk is locked by another netc apply or destroy"), e.getMessage());
      // a wait under a second is named in milliseconds, not as `0 s`
      assertTrue(e.getMessage().endsWith("; gave up after 300 ms"), e.getMessage());
      assertTrue(listed.get(), "the holder's lock was released by the waiter's giving up");
    }
    // and once released, another thread takes it at once
    quick.lock(sb).close();
  }

  /** How the message that gives a wait up names it: milliseconds under a second, seconds else. */
  @Test
  void theWaitGivenUpIsNamedInAUnitThatFitsIt() {
    assertEquals("0 s", StateLock.duration(Duration.ZERO));
    assertEquals("1 ms", StateLock.duration(Duration.ofMillis(1)));
    assertEquals("300 ms", StateLock.duration(Duration.ofMillis(300)));
    assertEquals("999 ms", StateLock.duration(Duration.ofMillis(999)));
    assertEquals("1 s", StateLock.duration(Duration.ofSeconds(1)));
    assertEquals("1.5 s", StateLock.duration(Duration.ofMillis(1500)));
    assertEquals("60 s", StateLock.duration(Duration.ofSeconds(60)));
    assertEquals("86400 s", StateLock.duration(Duration.ofSeconds(86_400)));
  }
}
