package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sandbox named after an endpoint namespace of another sandbox ({@code S-a}, container
 * {@code a} of sandbox {@code S}) is refused in one line before any change: it would use the
 * container's namespace as its host, and sandbox {@code S} would take its namespaces for its own.
 */
class SandboxNameKernelTest extends SandboxTest {
  private static final String ONE = "topology tone\nnetwork net1 { subnet 10.77.0.0/24 }\ncontainer a {\n  attach net1\n}\n";
  private static final String TWO = "topology ttwo\nnetwork net2 { subnet 10.78.0.0/24 }\ncontainer b {\n  attach net2\n}\n";

  @TempDir Path dir;

  @Test
  void aSandboxNamedAfterAnotherSandboxsEndpointIsRefused() throws Exception {
    runner.apply(Kernel.target(dir, "t1.netc", ONE, s));
    Runner.Target two = Kernel.target(dir, "t2.netc", TWO, s + "-a");
    String refused = "sandbox " + s + "-a cannot be used: namespace " + s + "-a is endpoint a of topology tone in sandbox "
        + s + "; choose another sandbox name";
    assertEquals(refused, assertThrows(RunnerException.class, () -> runner.apply(two)).getMessage());
    assertEquals(refused, assertThrows(RunnerException.class, () -> runner.plan(two)).getMessage());
    assertFalse(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces().contains(s + "-a-outside"), "nothing made");
    assertEquals("lo", Kernel.run("ip", "-n", s + "-a", "-br", "link", "show").out().lines()
        .filter(l -> !l.startsWith("eth0")).map(l -> l.split("\\s+")[0]).reduce("", String::concat), "a's namespace untouched");

    // destroy there changes nothing, and says why
    Runner.Outcome o = runner.destroy(two);
    assertEquals(java.util.List.of("left sandbox " + s + "-a alone: namespace " + s + "-a is endpoint a of topology tone in"
        + " sandbox " + s), o.notes());
    assertTrue(runner.plan(Kernel.target(dir, "t1.netc", ONE, s)).empty(), "sandbox " + s + " is as it was");
    // and so with the endpoint's own topology: what is in S-a is sandbox S's endpoint, not a
    // sandbox S-a of topology tone (it once failed: "destroy left 2 object(s) of tone: ...")
    Runner.Outcome same = runner.destroy(Kernel.target(dir, "t1.netc", ONE, s + "-a"));
    assertEquals(o.notes(), same.notes());
    assertTrue(same.plan().changes().isEmpty(), same.plan()::text);
    assertTrue(runner.plan(Kernel.target(dir, "t1.netc", ONE, s)).empty(), "sandbox " + s + " is as it was");

    // a sandbox S-x (no such namespace yet): its namespaces would be sandbox S's
    Runner.Target inside = Kernel.target(dir, "t2.netc", TWO, s + "-x");
    assertEquals("sandbox " + s + "-x cannot be used: sandbox " + s + " holds every namespace named " + s + "-*, this one's"
        + " among them; choose another sandbox name", assertThrows(RunnerException.class, () -> runner.apply(inside)).getMessage());
    assertTrue(runner.plan(Kernel.target(dir, "t1.netc", ONE, s)).empty(), "sandbox " + s + " is as it was");
  }
  /**
   * Applies of {@code S} and {@code S-x} started together, both new: each takes only its own
   * sandbox's lock, so without the lock of new sandboxes both read before either made its marks,
   * both found no clash, and both applied. Now the second reads once the first's marks are there
   * and is refused in the usual line, whichever comes first. Five rounds, a barrier at the start.
   */
  @Test
  void nestedSandboxesAppliedTogetherAreNeverBothMade() throws Exception {
    String x = s + "-x";
    Runner.Target outer = Kernel.target(dir, "t1.netc", ONE, s);
    Runner.Target inner = Kernel.target(dir, "t2.netc", TWO, x);
    String outerRefused = "sandbox " + s + " cannot be used: namespace " + x + " is another sandbox's (marked `netc-sandbox:"
        + x + "`), and " + s + " would take every namespace named " + s + "-* for its own; choose another sandbox name";
    String innerRefused = "sandbox " + x + " cannot be used: sandbox " + s + " holds every namespace named " + s
        + "-*, this one's among them; choose another sandbox name";
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      for (int round = 1; round <= 5; round++) {
        // two runners, as two netc processes: one folder of locks
        Runner one = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(30));
        Runner two = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(30));
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        java.util.concurrent.Future<String> a = pool.submit(() -> outcome(start, () -> one.apply(outer)));
        java.util.concurrent.Future<String> b = pool.submit(() -> outcome(start, () -> two.apply(inner)));
        String ra = a.get(60, java.util.concurrent.TimeUnit.SECONDS);
        String rb = b.get(60, java.util.concurrent.TimeUnit.SECONDS);
        String r = "round " + round + ": ";
        if (ra.equals("applied")) {
          assertEquals(r + innerRefused, r + rb);
          assertTrue(runner.plan(outer).empty(), r + "sandbox " + s + " is as applied");
          assertFalse(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces().contains(x + "-outside"), r + "nothing of " + x);
        } else {
          assertEquals(r + outerRefused, r + ra);
          assertEquals(r + "applied", r + rb);
          assertTrue(runner.plan(inner).empty(), r + "sandbox " + x + " is as applied");
          assertFalse(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces().contains(s), r + "nothing of " + s);
        }
        Kernel.removeSandbox(s, stateDir);
        Kernel.removeSandbox(x, stateDir);
      }
    } finally {
      pool.shutdownNow();
      Kernel.removeSandbox(x, stateDir);
    }
  }

  /** {@code applied}, or the message of the apply's failure, once both threads are at the barrier. */
  private static String outcome(java.util.concurrent.CyclicBarrier start, java.util.concurrent.Callable<Runner.Outcome> apply)
      throws Exception {
    start.await(10, java.util.concurrent.TimeUnit.SECONDS);
    try {
      apply.call();
      return "applied";
    } catch (RunnerException e) {
      return e.getMessage();
    }
  }

  /** The same for a sandbox whose S someone else made (no sandbox mark on its loopback; its S-outside has one). */
  @Test
  void aSandboxWhoseNamespaceOthersMadeHoldsItsNamesToo() throws Exception {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    runner.apply(Kernel.target(dir, "t1.netc", ONE, s));
    Runner.Target inside = Kernel.target(dir, "t2.netc", TWO, s + "-x");
    assertEquals("sandbox " + s + "-x cannot be used: sandbox " + s + " holds every namespace named " + s + "-*, this one's"
        + " among them; choose another sandbox name", assertThrows(RunnerException.class, () -> runner.apply(inside)).getMessage());
    assertFalse(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces().contains(s + "-x"), "nothing made");
  }
  /** An S-outside or S-host_H someone else made is theirs: refused before any change, never deleted. */
  @Test
  void theSandboxsOwnNamespacesMadeByOthersAreRefusedAndKept() throws Exception {
    assertTrue(Kernel.run("ip", "netns", "add", s + "-outside").ok());
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(Kernel.target(dir, "t1.netc", ONE, s)));
    assertTrue(e.getMessage().startsWith("objects of topology tone are taken by others, not touching them: namespace " + s
        + "-outside, the sandbox's own (no mark)"), e.getMessage());
    assertTrue(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces().contains(s + "-outside"), "kept");
    assertFalse(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces().contains(s), "nothing made");
    assertTrue(Kernel.run("ip", "netns", "del", s + "-outside").ok());

    assertTrue(Kernel.run("ip", "netns", "add", s + "-host_h1").ok());
    java.util.List<Runner.Target> overlay = Kernel.targets(Kernel.compile("examples/overlay.netc"), s);
    e = assertThrows(RunnerException.class, () -> runner.apply(overlay));
    assertTrue(e.getMessage().contains("namespace " + s + "-host_h1, the sandbox's own (no mark)"), e.getMessage());
    assertTrue(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces().contains(s + "-host_h1"), "kept");
  }
}
