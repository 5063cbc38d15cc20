package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The process executor: arguments as given (no shell), large input and output, timeouts. */
@Timeout(30)
class ProcessExecutorTest {
  private final ProcessExecutor exec = new ProcessExecutor(Duration.ofSeconds(10));

  @Test
  void argumentsReachTheCommandAsTheyAreWithoutAShell() {
    CommandExecutor.Result r = exec.run(List.of("printf", "%s|", "a b", "$(id)", ";rm"), "");
    assertEquals(0, r.exit());
    assertEquals("a b|$(id)|;rm|", r.out());
  }

  @Test
  void megabytesInAndOutDoNotDeadlock() {
    String big = "x".repeat(2_000_000) + "\n";
    CommandExecutor.Result r = exec.run(List.of("cat"), big);
    assertEquals(big, r.out());
    assertEquals(1, exec.processes());
  }

  @Test
  void aCommandThatOutlivesItsTimeoutIsKilled() {
    ProcessExecutor quick = new ProcessExecutor(Duration.ofMillis(200));
    CommandExecutor.Result r = quick.run(List.of("sleep", "10"), "");
    assertEquals(-1, r.exit());
    assertTrue(r.err().contains("timed out"), r.err());
  }

  @Test
  void aMissingCommandIsAResultNotACrash() {
    CommandExecutor.Result r = exec.run(List.of("netc-no-such-command"), "");
    assertEquals(127, r.exit());
  }
}
