package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Route;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Applies that fail part way and roll back: an endpoint's batch sent as rtnetlink requests that
 * the kernel refuses (a route through a gateway no link reaches) fails with the kernel's reason
 * and the line; a file that cannot be written fails after the endpoints are configured. Either
 * way the rollback leaves the sandbox as it was: here, not there at all.
 */
class NetlinkRollbackKernelTest extends SandboxTest {
  @Test
  void aRefusedRequestRollsTheApplyBack() {
    Runner.Target good = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    HostState h = good.host();
    List<Route> routes = new ArrayList<>(h.routes());
    routes.add(new Route(s + "-db", Optional.of(Cidr.parse("10.99.0.0/16").get()), IpAddress.parse("10.77.0.1").get(), "eth0"));
    HostState bad = new HostState(h.host(), h.hostNamespace(), h.namespaces(), h.links(), h.addresses(), routes,
        h.sysctls(), h.files(), h.table(), h.bridges(), h.published(), h.endpoints(), h.notes(), h.services(), h.fdb(),
        h.xfrmStates(), h.xfrmPolicies(), h.underlay());
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    Runner r = new Runner(recorded, Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));

    RunnerException e = assertThrows(RunnerException.class, () -> r.apply(new Runner.Target(good.state(), bad, good.nft())));
    System.out.println("netlink rollback: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("the batch of namespace " + s + "-db failed: RTNETLINK answers: "), e.getMessage());
    assertTrue(e.getMessage().contains("(line "), e.getMessage());
    assertTrue(e.getMessage().contains("route add 10.99.0.0/16 via 10.77.0.1 dev eth0"), e.getMessage());
    assertTrue(e.getMessage().endsWith("is as before"), e.getMessage());
    // the endpoints went through netlink: no process entered them (nsenter, or the fallback
    // without it: `netns exec NS ip ...` lines of an `ip -batch`), and none ran with `-n S-...`
    assertTrue(recorded.calls().stream().noneMatch(c -> c.argv().contains("nsenter") || c.stdin().contains("netns exec " + s + "-")
        || c.argv().stream().anyMatch(a -> a.startsWith(s + "-") && !a.equals(s + "-outside"))), () -> recorded.calls().toString());
    assertEquals(Set.of(), Kernel.namespacesOf(s));
    try (var dirs = Files.list(Runner.ETC_NETNS)) {
      assertEquals(List.of(), dirs.filter(p -> p.getFileName().toString().startsWith(s + "-")).toList());
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }

    // the good topology applies afterwards
    assertTrue(!r.apply(good).plan().empty());
    assertTrue(r.plan(good).empty());
  }

  /**
   * A file that cannot be written (its folder's name is taken by a file of someone else's) fails
   * the apply after the endpoints are configured and their other files written side by side; the
   * rollback removes every namespace, file and folder the apply made, and leaves the foreign
   * file alone.
   */
  @Test
  void aFileThatCannotBeWrittenRollsTheApplyBack() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    java.nio.file.Path taken = Runner.ETC_NETNS.resolve(s + "-db");
    Files.createDirectories(Runner.ETC_NETNS);
    Files.writeString(taken, "not a folder\n");
    try {
      RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(t));
      System.out.println("file rollback: " + e.getMessage());
      assertEquals("cannot write /etc/netns/" + s + "-db/hosts: " + taken + " is not a folder; rolled back, sandbox " + s
          + " is as before", e.getMessage());
      assertEquals(Set.of(), Kernel.namespacesOf(s));
      try (var dirs = Files.list(Runner.ETC_NETNS)) {
        assertEquals(List.of(taken), dirs.filter(p -> p.getFileName().toString().startsWith(s + "-")).toList());
      }
      assertEquals("not a folder\n", Files.readString(taken));
    } finally {
      Files.deleteIfExists(taken);
    }
    assertTrue(!runner.apply(t).plan().empty());
    assertTrue(runner.plan(t).empty());
  }

  /**
   * A pipe where a hosts file goes (someone else's): read without blocking, it has no mark, so
   * plan and apply stop before any change and name it; they do not wait for a writer forever.
   */
  /**
   * A file of someone else's where the topology writes one: its first line is no mark, and the
   * refusal says it is the first line (it called it the file's mark).
   */
  @Test
  void aFileOfSomeoneElseIsNamedByItsFirstLine() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    java.nio.file.Path dir = Runner.ETC_NETNS.resolve(s + "-db");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("hosts"), "1.2.3.4 myhost\n");
    try {
      RunnerException e = assertThrows(RunnerException.class, () -> runner.plan(t));
      assertTrue(e.getMessage().startsWith("objects of topology webshop are taken by others, not touching them: file:" + s
          + "-db:/etc/netns/" + s + "-db/hosts (no mark, its first line `1.2.3.4 myhost`); if netc made them"), e.getMessage());
    } finally {
      Files.deleteIfExists(dir.resolve("hosts"));
      Files.deleteIfExists(dir);
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
  void aPipeWhereAFileGoesIsForeignAndNothingHangs() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    java.nio.file.Path dir = Runner.ETC_NETNS.resolve(s + "-db");
    java.nio.file.Path pipe = dir.resolve("hosts");
    Files.createDirectories(dir);
    assertEquals(0, Kernel.run("mkfifo", pipe.toString()).exit());
    try {
      RunnerException e = assertThrows(RunnerException.class, () -> runner.plan(t));
      assertTrue(e.getMessage().startsWith("objects of topology webshop are taken by others, not touching them: file:" + s
          + "-db:/etc/netns/" + s + "-db/hosts (no mark)"), e.getMessage());
      RunnerException a = assertThrows(RunnerException.class, () -> runner.apply(t));
      assertEquals(e.getMessage(), a.getMessage());
      assertEquals(Set.of(), Kernel.namespacesOf(s));
      assertTrue(Files.exists(pipe) && !Files.isRegularFile(pipe), "the pipe is left alone");
    } finally {
      Files.deleteIfExists(pipe);
      Files.deleteIfExists(dir);
    }
  }
}
