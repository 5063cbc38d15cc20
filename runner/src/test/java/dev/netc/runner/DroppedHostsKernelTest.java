package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.ObjectId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host namespace ({@code S-host_H}) that a topology played and no longer plays goes with its
 * underlay port when no other topology's record of its hosts ({@code /run/netc/S.TOPOLOGY.hosts})
 * names it; one another topology plays stays, also when that topology has nothing in it (its
 * endpoints there are all {@code mode host} or {@code mode none}); destroy removes the hosts only
 * its topology played; without a record (an older netc) nothing goes.
 */
@Timeout(180)
class DroppedHostsKernelTest extends SandboxTest {
  @TempDir Path dir;

  /** Topology {@code dra}: hosts h1, h2, h3 on an overlay, one container each. */
  private static final String DRA = "topology dra\n"
      + "host h1 { underlay 192.168.79.11 }\nhost h2 { underlay 192.168.79.12 }\nhost h3 { underlay 192.168.79.13 }\n"
      + "# netc:ignore NETC406 \"the sandbox underlay is a bridge of the test\"\n"
      + "network net-dra {\n  driver overlay\n  subnet 10.79.1.0/24\n}\n"
      + "container dra1 {\n  on h1\n  attach net-dra\n}\ncontainer dra2 {\n  on h2\n  attach net-dra\n}\n"
      + "container dra3 {\n  on h3\n  attach net-dra\n}\n";

  /** {@code dra} without h3, its container moved to h2. */
  private static final String DRA_WITHOUT_H3 = DRA.replace("host h3 { underlay 192.168.79.13 }\n", "")
      .replace("container dra3 {\n  on h3", "container dra3 {\n  on h2");

  /**
   * Topology {@code drb}: hosts h1 and h3 (h1's address, h3's), a container on h1, and on h3
   * only endpoints that leave nothing of drb in its namespace: one {@code mode host}, one {@code
   * mode none}.
   */
  private static final String DRB = "topology drb\n"
      + "host h1 { underlay 192.168.79.11 }\nhost h3 { underlay 192.168.79.13 }\n"
      + "network net-drb {\n  subnet 10.79.2.0/24\n}\n"
      + "container drb1 {\n  on h1\n  attach net-drb\n}\n"
      + "container drbh {\n  on h3\n  mode host\n}\ncontainer drbn {\n  on h3\n  mode none\n}\n";

  private List<Runner.Target> targets(String text) throws Exception {
    return Kernel.targets(Kernel.compile(dir, text), s);
  }

  private Set<String> namespaces() {
    return Kernel.namespacesOf(s);
  }

  private List<String> lines(Plan plan) {
    return plan.changes().stream().map(Change::line).toList();
  }

  private List<String> hostDeletions(Plan plan) {
    return plan.changes().stream().filter(c -> c.id().kind() == ObjectId.Kind.NAMESPACE && c.id().name().contains("-host_"))
        .map(Change::line).toList();
  }

  private String removal(String host) {
    return "- namespace:(host):" + s + "-host_" + host + "  (host " + host + ", with its underlay port: no topology applied in"
        + " sandbox " + s + " plays it)";
  }

  private Path record(String topology) {
    return stateDir.resolve(s + "." + topology + ".hosts");
  }

  private boolean port(String host) {
    return Kernel.run("ip", "-n", s, "link", "show", "ul-" + host).ok();
  }

  /**
   * h3 dropped (its container moved to h2): plan and diff list its namespace; an apply that
   * fails removing it leaves it as it was, one that fails after it makes it again with its
   * underlay; the next one removes it with its port {@code ul-h3}; the apply after that is a
   * no-op, and the record names h1 and h2.
   */
  @Test
  void aDroppedHostGoesWithItsUnderlayPortAndASecondApplyIsANoOp() throws Exception {
    runner.apply(targets(DRA));
    assertEquals(List.of("# netc: the host namespaces topology dra plays in sandbox " + s + "; written by apply, removed by destroy",
        s + "-host_h1", s + "-host_h2", s + "-host_h3"), Files.readAllLines(record("dra")));
    List<Runner.Target> dropped = targets(DRA_WITHOUT_H3);
    Plan plan = runner.plan(dropped);
    assertTrue(lines(plan).contains(removal("h3")), plan::text);
    assertTrue(runner.drift(dropped).text().contains("unexpected  namespace:(host):" + s + "-host_h3"),
        () -> runner.drift(dropped).text());

    // the removal fails: rolled back, h3 made again with its underlay address and port
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    Runner failing = new Runner(new RecordingExecutor((argv, stdin) -> stdin.contains("netns del " + s + "-host_h3")
        && once.compareAndSet(false, true) ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin)),
        Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> failing.apply(dropped));
    assertEquals("ip -force -batch - failed: injected failure; rolled back, sandbox " + s + " is as before", e.getMessage());
    assertTrue(namespaces().contains(s + "-host_h3"), namespaces()::toString);
    assertTrue(port("h3"), "ul-h3 kept");
    assertTrue(Files.readString(record("dra")).contains(s + "-host_h3"), "the record as before");
    assertTrue(Kernel.run("ip", "-n", s + "-host_h3", "link", "show", "vx-net-dra").ok(), "and what dra has in h3");

    // the apply fails after the removal (its read back): h3 made again, with its mark, underlay
    // address, default route and port, and what dra had in it (its bridge and tunnel made again,
    // its table loaded again, the other hosts' forwarding entries towards it appended again)
    java.util.concurrent.atomic.AtomicBoolean removed = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
    Runner late = new Runner(new RecordingExecutor((argv, stdin) -> {
      if (removed.get() && argv.contains("-j") && failed.compareAndSet(false, true)) {
        return new CommandExecutor.Result(1, "", "injected failure");
      }
      CommandExecutor.Result r = Kernel.EXEC.run(argv, stdin);
      removed.compareAndSet(false, stdin.contains("netns del " + s + "-host_h3") && r.ok());
      return r;
    }), Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    e = assertThrows(RunnerException.class, () -> late.apply(dropped));
    assertTrue(e.getMessage().endsWith("injected failure; rolled back, sandbox " + s + " is as before"), e.getMessage());
    assertTrue(Kernel.run("ip", "-n", s + "-host_h3", "address", "show", "dev", "br-net-dra").out().contains(" 10.79.1.1/24 "),
        "h3's bridge back with its address");
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-host_h3", "nft", "list", "table", "inet", "netc_dra").ok(), "and its table");
    assertEquals(targets(DRA).stream().filter(x -> x.hostNs().equals(s + "-host_h3")).findFirst().orElseThrow().nft().orElseThrow(),
        Files.readString(stateDir.resolve(s + "-host_h3.dra.nft")), "and the file apply kept of it, as it was");
    assertTrue(Kernel.run("ip", "-n", s + "-host_h3", "address", "show", "dev", "underlay").out().contains(" 192.168.79.13/24 "),
        "h3 back with its underlay address");
    assertTrue(Kernel.run("ip", "-n", s + "-host_h3", "route", "show", "default").out().contains("via 192.168.79.254"),
        "and its default route");
    assertTrue(Kernel.run("ip", "-n", s + "-host_h3", "-d", "link", "show", "lo").out().contains("netc-sandbox:" + s + ":host:h3"),
        "and its mark");
    assertTrue(port("h3"), "ul-h3 back");
    assertTrue(Files.readString(record("dra")).contains(s + "-host_h3"), "the record as before");
    assertEquals("1", Kernel.run("ip", "netns", "exec", s + "-host_h3", "sysctl", "-n", "net.ipv4.ip_forward").out().strip(),
        "and its sysctls");
    Plan old = runner.plan(targets(DRA));
    assertTrue(old.empty(), old::text);
    assertEquals(List.of(removal("h3")), hostDeletions(runner.plan(dropped)));

    runner.apply(dropped);
    assertFalse(namespaces().contains(s + "-host_h3"), namespaces()::toString);
    assertFalse(port("h3"), "ul-h3 gone");
    assertTrue(port("h1") && port("h2"));
    assertEquals(List.of("# netc: the host namespaces topology dra plays in sandbox " + s + "; written by apply, removed by destroy",
        s + "-host_h1", s + "-host_h2"), Files.readAllLines(record("dra")));
    Plan again = runner.plan(dropped);
    assertTrue(again.empty(), again::text);
    assertTrue(runner.apply(dropped).plan().empty());
    assertTrue(runner.drift(dropped).inSync());
  }

  /**
   * h3 dropped by dra while drb plays it with endpoints that leave nothing of drb in it (`mode
   * host`, `mode none`): kept, and drb stays in sync; then drb destroyed: h3, which only drb
   * played, goes with its port, h1 (dra's too) stays.
   */
  @Test
  void aHostAnotherTopologyPlaysStaysAndGoesWithTheDestroyOfTheLastOneThatPlaysIt() throws Exception {
    runner.apply(targets(DRA));
    List<Runner.Target> drb = targets(DRB);
    runner.apply(drb);
    assertTrue(runner.plan(drb).empty(), () -> runner.plan(drb).text());
    List<Runner.Target> dropped = targets(DRA_WITHOUT_H3);
    Plan plan = runner.plan(dropped);
    assertEquals(List.of(), hostDeletions(plan), plan::text);
    assertEquals(List.of(), plan.notes());
    runner.apply(dropped);
    assertTrue(namespaces().contains(s + "-host_h3"), namespaces()::toString);
    assertTrue(port("h3"));
    assertTrue(runner.plan(dropped).empty(), () -> runner.plan(dropped).text());
    assertTrue(runner.plan(drb).empty(), () -> runner.plan(drb).text());
    assertFalse(Files.readString(record("dra")).contains("host_h3"), "dra plays h3 no more");

    // destroy drb: h3 goes (only drb played it), h1 stays (dra plays it)
    Runner.Outcome out = runner.destroy(drb);
    assertTrue(lines(out.plan()).contains(removal("h3")), () -> lines(out.plan()).toString());
    assertFalse(namespaces().contains(s + "-host_h3"), namespaces()::toString);
    assertFalse(port("h3"));
    assertTrue(namespaces().containsAll(Set.of(s + "-host_h1", s + "-host_h2")), namespaces()::toString);
    assertFalse(Files.exists(record("drb")));
    assertTrue(runner.plan(dropped).empty(), () -> runner.plan(dropped).text());
    assertTrue(runner.drift(dropped).inSync());
  }

  /**
   * dra destroyed beside drb: h2, which only dra played, goes with its port; h1 and h3 (drb's
   * too) stay, and drb stays in sync.
   */
  @Test
  void destroyOfOneOfTwoTopologiesRemovesTheHostsOnlyItPlayed() throws Exception {
    runner.apply(targets(DRA));
    List<Runner.Target> drb = targets(DRB);
    runner.apply(drb);
    Runner.Outcome out = runner.destroy(targets(DRA));
    assertEquals(List.of(removal("h2")), hostDeletions(out.plan()));
    assertEquals(Set.of(s, s + "-outside", s + "-host_h1", s + "-host_h3", s + "-drb1", s + "-drbn"), namespaces());
    assertFalse(port("h2"));
    assertTrue(port("h1") && port("h3"));
    assertFalse(Files.exists(record("dra")));
    assertTrue(runner.plan(drb).empty(), () -> runner.plan(drb).text());
    assertTrue(runner.drift(drb).inSync());
  }

  /**
   * A destroy of one host at a time ({@code --host}): the one that takes the last of the
   * topology removes the hosts only it played and its record, as a destroy of all at once; a
   * host kept for something in it stays in the record, so that a destroy after it is gone still
   * removes it.
   */
  @Test
  void aDestroyHostByHostEndsAsOneOfAllAtOnce() throws Exception {
    List<Runner.Target> dra = targets(DRA);
    runner.apply(dra);
    runner.apply(targets(DRB));
    // a link not netc's in h2 keeps it
    CommandExecutor.Result added = Kernel.run("ip", "-n", s + "-host_h2", "link", "add", "fx-a", "type", "veth", "peer",
        "name", "fx-b");
    assertTrue(added.ok(), added::toString);
    for (Runner.Target t : dra) {
      runner.destroy(t);
    }
    assertEquals(Set.of(s, s + "-outside", s + "-host_h1", s + "-host_h2", s + "-host_h3", s + "-drb1", s + "-drbn"),
        namespaces());
    assertEquals(Set.of(s + "-host_h2"), new HostRecords(stateDir).read(new Sandbox(s), "dra").orElseThrow());
    assertTrue(Kernel.run("ip", "-n", s + "-host_h2", "link", "del", "fx-a").ok());
    Runner.Outcome out = runner.destroy(dra);
    assertEquals(List.of(removal("h2")), hostDeletions(out.plan()));
    assertFalse(port("h2"));
    assertFalse(Files.exists(record("dra")));
    assertTrue(runner.plan(targets(DRB)).empty());
  }

  /**
   * No record of the topology's hosts (applied by an older netc): h3 dropped stays, as before
   * the records, and the apply writes the record; another topology without a record that may
   * play h3 keeps it too, said.
   */
  @Test
  void withoutARecordNothingGoes() throws Exception {
    runner.apply(targets(DRA));
    Files.delete(record("dra"));
    List<Runner.Target> dropped = targets(DRA_WITHOUT_H3);
    assertEquals(List.of(), hostDeletions(runner.plan(dropped)));
    runner.apply(dropped);
    assertTrue(namespaces().contains(s + "-host_h3"), namespaces()::toString);
    assertTrue(port("h3"));
    assertTrue(Files.readString(record("dra")).contains(s + "-host_h2"), "written by the apply");
    assertTrue(runner.plan(dropped).empty(), () -> runner.plan(dropped).text());

    // dra plays h3 again; drb, which plays it too, has no record: dra dropping h3 keeps it, and says why
    runner.apply(targets(DRA));
    runner.apply(targets(DRB));
    Files.delete(record("drb"));
    Plan plan = runner.plan(dropped);
    assertEquals(List.of(), hostDeletions(plan), plan::text);
    List<String> note = List.of("kept " + s + "-host_h3 (host h3, which topology dra no longer plays): topology drb, applied in"
        + " sandbox " + s + " without a record of its hosts (by an older netc?), may play it: apply it again first");
    assertEquals(note, plan.notes());
    assertEquals(note, runner.apply(dropped).notes());
    assertTrue(namespaces().contains(s + "-host_h3"), namespaces()::toString);
    assertTrue(Files.readString(record("dra")).contains(s + "-host_h3"), "kept in dra's record until it goes");
    // drb applied again writes its record: dra's next apply leaves h3 to it
    runner.apply(targets(DRB));
    assertTrue(runner.plan(dropped).notes().isEmpty(), runner.plan(dropped).notes()::toString);
    runner.apply(dropped);
    assertTrue(namespaces().contains(s + "-host_h3"), namespaces()::toString);
    assertFalse(Files.readString(record("dra")).contains(s + "-host_h3"));
  }

  /** Topology {@code NAME} of hosts {@code hosts} ({@code h1 192.168.79.11}, ...), a {@code mode none} container on each. */
  private static String ofHosts(String name, String... hosts) {
    StringBuilder out = new StringBuilder("topology " + name + "\n");
    for (int i = 0; i < hosts.length; i += 2) {
      out.append("host ").append(hosts[i]).append(" { underlay ").append(hosts[i + 1]).append(" }\n");
    }
    for (int i = 0; i < hosts.length; i += 2) {
      out.append("container ").append(name).append(hosts[i]).append(" {\n  on ").append(hosts[i]).append("\n  mode none\n}\n");
    }
    return out.toString();
  }

  /** The global IPv6 addresses of the bridge {@code underlay} of {@code S}. */
  private String v6Routers() {
    return Kernel.run("ip", "-n", s, "-6", "-o", "address", "show", "dev", "underlay", "scope", "global").out().strip();
  }

  /**
   * The router of a family no host is left with (h6, the last IPv6 host, dropped) goes with it,
   * with S-outside's route back to its subnet; one another topology's host still uses stays, and
   * goes with the destroy of that topology.
   */
  @Test
  void theRouterOfAFamilyNoHostUsesAnyMoreGoesWithItsLastHost() throws Exception {
    List<Runner.Target> drv = targets(ofHosts("drv", "h1", "192.168.79.11", "h2", "192.168.79.12", "h6", "fd00:79::16"));
    List<Runner.Target> without = targets(ofHosts("drv", "h1", "192.168.79.11", "h2", "192.168.79.12"));
    runner.apply(drv);
    String router = v6Routers().replaceAll(".* inet6 (\\S+) .*", "$1");
    assertTrue(router.startsWith("fd00:79::"), v6Routers());
    assertTrue(Kernel.run("ip", "-n", s + "-outside", "-6", "route", "show").out().contains("fd00:79::/64"));
    Plan plan = runner.plan(without);
    assertTrue(lines(plan).containsAll(List.of(removal("h6"), "~ link:" + s + ":underlay  (address " + router + " unexpected)",
        "~ link:" + s + "-outside:uplink  (route fd00:79::/64 via 2001:2::1 unexpected)")), plan::text);
    runner.apply(without);
    assertEquals("", v6Routers());
    assertFalse(Kernel.run("ip", "-n", s + "-outside", "-6", "route", "show").out().contains("fd00:79::"));
    assertTrue(Kernel.run("ip", "-n", s, "address", "show", "dev", "underlay").out().contains(" 192.168.79.254/24 "));
    assertTrue(runner.plan(without).empty(), () -> runner.plan(without).text());

    // h6 back, and drw's h7 on IPv6 too: h6 dropped keeps the router, drw's destroy takes it
    runner.apply(drv);
    assertTrue(v6Routers().contains(" " + router + " "), v6Routers());
    List<Runner.Target> drw = targets(ofHosts("drw", "h1", "192.168.79.11", "h7", "fd00:79::17"));
    runner.apply(drw);
    Plan kept = runner.plan(without);
    assertEquals(List.of(removal("h6")), lines(kept).stream().filter(l -> l.contains(":underlay") || l.contains(":uplink")
        || l.contains("-host_")).toList(), kept::text);
    runner.apply(without);
    assertTrue(v6Routers().contains(" " + router + " "), v6Routers());
    assertTrue(runner.plan(drw).empty(), () -> runner.plan(drw).text());
    runner.destroy(drw);
    assertFalse(namespaces().contains(s + "-host_h7"), namespaces()::toString);
    assertEquals("", v6Routers());
    assertFalse(Kernel.run("ip", "-n", s + "-outside", "-6", "route", "show").out().contains("fd00:79::"));
    assertTrue(runner.plan(without).empty(), () -> runner.plan(without).text());
  }
}
