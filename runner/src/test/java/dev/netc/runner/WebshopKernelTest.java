package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.ObjectId;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web shop applied in a real sandbox: traffic as the model says, idempotence, foreign
 * objects left alone, destroy, rollback. Each test has its own sandbox, removed afterwards.
 */
@Timeout(120)
class WebshopKernelTest extends SandboxTest {
  private static final Topology WEBSHOP = Kernel.compile("examples/webshop.netc");

  /**
   * examples/webshop.netc with {@code from} replaced by {@code to} (the test fails if that changes
   * nothing), written to {@code dir}, planned for S.
   */
  private Runner.Target webshopWith(Path dir, String from, String to) throws Exception {
    String source = Files.readString(Kernel.root().resolve("examples/webshop.netc"));
    String changed = source.replace(from, to);
    assertFalse(changed.equals(source));
    return Kernel.target(dir, "webshop.netc", changed, s);
  }

  @Test
  void applyTrafficIdempotenceForeignObjectsAndDestroy() throws Exception {
    assertTrue(Kernel.run("ip", "netns", "add", s + "-foreign").ok());
    Runner.Target t = Kernel.target(WEBSHOP, s);
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    runner = new Runner(recorded, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));

    Runner.Outcome first = runner.apply(t);
    // changes go in batches: sandbox (netns, S), netns, S; S-outside's lines, S's sysctls (those
    // of its making and those of the topology) and the four endpoints with no process at all
    // (rtnetlink requests and /proc/sys from threads in their namespaces); one nft transaction
    assertEquals(4, changing(recorded, 0).stream().filter(c -> c.argv().contains("-batch")).count(),
        () -> changing(recorded, 0).toString());
    assertEquals(0, changing(recorded, 0).stream().filter(c -> c.argv().contains("nsenter")
        || List.of("web", "api-1", "api-2", "db").stream().anyMatch(e -> c.argv().contains(s + "-" + e))).count(), () -> changing(recorded, 0).toString());
    assertEquals(1, changing(recorded, 0).stream().filter(c -> c.argv().contains("nft")).count());
    assertEquals(0, changing(recorded, 0).stream().filter(c -> c.argv().contains("sysctl")).count());
    assertEquals(5, changing(recorded, 0).size(), () -> changing(recorded, 0).toString());
    assertTrue(changing(recorded, 0).stream().noneMatch(c -> c.stdin().lines().anyMatch(l -> l.startsWith("netns exec "))), () -> changing(recorded, 0).toString());
    System.out.printf("webshop apply in %s: %d changes, %d processes, %d ms%n", s,
        first.plan().changes().size(), first.processes(), first.millis());
    assertFalse(first.plan().empty());
    assertEquals(Set.of(s, s + "-outside", s + "-foreign", s + "-web", s + "-api-1", s + "-api-2", s + "-db"),
        Kernel.namespacesOf(s));

    // real traffic, as the model says
    Reachability model = new Reachability(WEBSHOP);
    PortSpec p3000 = new PortSpec(PortRange.of(3000), Protocol.TCP);
    Process api = Kernel.listen(s + "-api-1", 3000);
    Process web = Kernel.listen(s + "-web", 80);
    try {
      boolean webToApi = model.allowed(model.node("web").get(), model.node("api-1").get(), p3000);
      boolean dbToApi = model.allowed(model.node("db").get(), model.node("api-1").get(), p3000);
      assertTrue(webToApi, "the model admits web -> api-1:3000");
      assertFalse(dbToApi, "the model denies db -> api-1:3000");
      assertEquals(webToApi, Kernel.connects(s + "-web", "10.20.0.3", 3000), "web -> api-1:3000");
      assertEquals(dbToApi, Kernel.connects(s + "-db", "10.20.0.3", 3000), "db -> api-1:3000");
      assertTrue(Kernel.connects(s, "127.0.0.1", 8080), "the sandbox's 127.0.0.1:8080 reaches web:80");
      assertTrue(Kernel.run("ip", "netns", "exec", s + "-web", "getent", "hosts", "api-1").out().contains("10.20.0.3"),
          "web resolves api-1 by name");
    } finally {
      Kernel.stop(api);
      Kernel.stop(web);
    }

    // a foreign link in S
    assertTrue(Kernel.run("ip", "-n", s, "link", "add", "foreign0", "type", "bridge").ok());

    int before = recorded.calls().size();
    Runner.Outcome second = runner.apply(t);
    assertTrue(second.plan().empty(), () -> "second apply changed: " + second.plan().text());
    assertEquals(List.of(), changing(recorded, before), "a no-op apply sends the kernel nothing");
    System.out.printf("webshop no-op apply: %d processes, %d ms%n", second.processes(), second.millis());
    assertTrue(runner.plan(t).empty());

    Runner.Outcome gone = runner.destroy(t);
    assertTrue(gone.notes().stream().anyMatch(n -> n.contains("kept sandbox")), gone.notes()::toString);
    assertEquals(Set.of(s, s + "-outside", s + "-foreign"), Kernel.namespacesOf(s));
    assertTrue(Kernel.run("ip", "-n", s, "link", "show", "foreign0").ok(), "the foreign link survives");
    assertFalse(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).tables(s).contains("inet netc_webshop"));
    for (String ep : List.of("web", "api-1", "api-2", "db")) {
      assertFalse(Files.exists(Runner.ETC_NETNS.resolve(s + "-" + ep)), "/etc/netns/" + s + "-" + ep);
    }
    assertTrue(Kernel.run("ip", "-n", s, "link", "show", "br-front").exit() != 0, "br-front is gone");
  }

  /** The commands from the {@code from}-th on that change something (all but the reads). */
  static List<RecordingExecutor.Call> changing(RecordingExecutor r, int from) {
    List<RecordingExecutor.Call> calls = r.calls();
    return calls.subList(from, calls.size()).stream()
        .filter(c -> !c.argv().contains("-j") && !c.line().equals("ip netns list") && !c.argv().contains("grep")
            && !(c.stdin().startsWith("--net=") && c.stdin().lines().allMatch(l -> l.matches(".*/read(-6)?\\.batch"))))
        .toList();
  }

  @Test
  void twoAppliesAtOnceOneWaitsAndTheResultIsRight() throws Exception {
    Runner.Target t = Kernel.target(WEBSHOP, s);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Runner.Outcome> a = pool.submit(() -> runner.apply(t));
      Future<Runner.Outcome> b = pool.submit(() -> runner.apply(t));
      Runner.Outcome x = a.get(60, TimeUnit.SECONDS);
      Runner.Outcome y = b.get(60, TimeUnit.SECONDS);
      assertTrue(x.plan().empty() != y.plan().empty(), "one applied, the other found nothing to do");
    } finally {
      pool.shutdownNow();
    }
    assertTrue(runner.plan(t).empty());
    runner.destroy(t);
    assertEquals(Set.of(), Kernel.namespacesOf(s));
  }

  @Test
  void failedApplyRollsBackAndPartialStateIsCompleted() {
    Runner.Target t = Kernel.target(WEBSHOP, s);
    // nft -f fails: everything the apply made goes, the sandbox included
    RecordingExecutor failing = new RecordingExecutor((argv, stdin) -> argv.contains("nft") && argv.contains("-f")
        ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> broken.apply(t));
    assertTrue(e.getMessage().contains("injected failure") && e.getMessage().contains("as before"), e.getMessage());
    assertEquals(Set.of(), Kernel.namespacesOf(s));
    assertFalse(Files.exists(Runner.ETC_NETNS.resolve(s + "-web")));

    runner.apply(t);
    // a veth removed by hand: plan lists what is missing, apply makes only that
    assertTrue(Kernel.run("ip", "-n", s, "link", "del", "ve-db-0").ok());
    Plan partial = runner.plan(t);
    // (with the new eth0, its IPv6 switch: off again, since back is IPv4-only)
    assertEquals(Set.of("link:" + s + ":ve-db-0", "link:" + s + "-db:eth0", "address:" + s + "-db:eth0/10.20.0.5/24",
        "sysctl:" + s + "-db:net.ipv6.conf.eth0.disable_ipv6"),
        partial.changes().stream().map(c -> c.id().toString()).collect(Collectors.toSet()), partial.text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty());
    assertTrue(Kernel.connects(s + "-api-2", "10.20.0.5", 5432) == false, "no listener, so no connection");

    runner.destroy(t);
    assertEquals(Set.of(), Kernel.namespacesOf(s), "destroy removes the sandbox netc made when nothing foreign is left");
  }

  private int ifindex(String ns, String link) {
    String out = Kernel.run("ip", "-n", ns, "-o", "link", "show", link).out();
    return Integer.parseInt(out.substring(0, out.indexOf(':')));
  }

  @Test
  void anMtuAndAStateChangedByHandAreDriftAndRepairedInPlace() throws Exception {
    Runner.Target t = Kernel.target(WEBSHOP, s);
    runner.apply(t);
    int bridge = ifindex(s, "br-back");
    int eth = ifindex(s + "-api-1", "eth0");
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "dev", "br-back", "mtu", "1400").ok());
    assertTrue(Kernel.run("ip", "-n", s + "-api-1", "link", "set", "dev", "eth0", "down").ok());

    Drift drift = runner.drift(t);
    assertEquals(List.of("changed     link:" + s + ":br-back  (mtu 1400 -> 1500)",
        "changed     link:" + s + "-api-1:eth0  (state down -> up)"),
        drift.text().lines().filter(l -> l.startsWith("changed")).toList(), drift.text());
    Plan plan = runner.plan(t);
    assertEquals(List.of("~ link:" + s + ":br-back  (mtu 1400 -> 1500)", "~ link:" + s + "-api-1:eth0  (state down -> up)"),
        plan.changes().stream().map(Change::line).toList(), plan.text());
    assertTrue(plan.summary().equals("Plan: 0 to create, 2 to update, 0 to replace, 0 to delete."), plan.summary());

    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertEquals(bridge, ifindex(s, "br-back"), "br-back updated in place, not made again");
    assertEquals(eth, ifindex(s + "-api-1", "eth0"), "eth0 updated in place, not made again");
    assertTrue(Kernel.run("ip", "-n", s, "-o", "link", "show", "br-back").out().contains(" mtu 1500 "));
    Process api = Kernel.listen(s + "-api-1", 3000);
    try {
      assertTrue(Kernel.connects(s + "-web", "10.20.0.3", 3000), "web reaches api-1:3000 again");
    } finally {
      Kernel.stop(api);
    }
  }

  @Test
  void anMtuRaisedAcross1280GivesThePortsTheirIpv6SettingsAgain(@TempDir Path dir) throws Exception {
    // under 1280 bytes a link has no IPv6 state; raised in place, the kernel makes it anew with a
    // new interface's defaults: IPv6 on in api-1 (an IPv4-only network), address generation on
    // the bridge port
    runner.apply(webshopWith(dir, "  internal  # no route or NAT to the outside", "  internal\n  mtu 1200"));
    assertFalse(Kernel.run("ip", "netns", "exec", s + "-api-1", "sysctl", "-n", "net.ipv6.conf.eth0.disable_ipv6").ok(),
        "no IPv6 state under 1280 bytes");
    int eth = ifindex(s + "-api-1", "eth0");

    Runner.Target t = Kernel.target(WEBSHOP, s);
    Plan plan = runner.plan(t);
    assertTrue(plan.changes().stream().map(Change::line).toList().contains("~ sysctl:" + s
        + "-api-1:net.ipv6.conf.eth0.disable_ipv6  (0 -> 1, IPv6 back with the MTU)"), plan.text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertEquals(eth, ifindex(s + "-api-1", "eth0"), "eth0 updated in place, not made again");
    assertEquals("1", Kernel.run("ip", "netns", "exec", s + "-api-1", "sysctl", "-n", "net.ipv6.conf.eth0.disable_ipv6")
        .out().strip());
    assertEquals("", Kernel.run("ip", "-n", s + "-api-1", "-6", "address", "show", "dev", "eth0").out(), "no IPv6 address in api-1");
    assertEquals("", Kernel.run("ip", "-n", s, "-6", "address", "show", "dev", "ve-api-1-0").out(),
        "the bridge port generates no address, as when it was made");
    Process api = Kernel.listen(s + "-api-1", 3000);
    try {
      assertTrue(Kernel.connects(s + "-web", "10.20.0.3", 3000), "web reaches api-1:3000 at 1500 bytes");
    } finally {
      Kernel.stop(api);
    }
  }

  @Test
  void aBridgeThatNoLongerRoutesAPublishedPortFromLoopbackLosesRouteLocalnet(@TempDir Path dir) throws Exception {
    runner.apply(Kernel.target(WEBSHOP, s));
    List<String> get = List.of("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv4.conf.br-front.route_localnet");
    assertEquals("1", Kernel.run(get.toArray(String[]::new)).out().strip());
    Runner.Target t = webshopWith(dir, "  publish 127.0.0.1:8080 -> 80/tcp\n", "");
    Plan plan = runner.plan(t);
    assertTrue(plan.changes().stream().map(Change::line).toList()
        .contains("~ sysctl:" + s + ":net.ipv4.conf.br-front.route_localnet  (1 -> 0, no published port needs it)"), plan.text());
    runner.apply(t);
    assertEquals("0", Kernel.run(get.toArray(String[]::new)).out().strip(), "as a fresh apply leaves it");
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
  }

  @Test
  void aLinkOfAnotherKindAndAVethWhosePeerWasMovedAreReplaced() {
    Runner.Target t = Kernel.target(WEBSHOP, s);
    runner.apply(t);
    // br-back made a veth by hand (with the mark); db's eth0 moved to a foreign namespace
    assertTrue(Kernel.run("ip", "-n", s, "link", "del", "br-back").ok());
    assertTrue(Kernel.run("ip", "netns", "add", s + "-foreign").ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "add", "br-back", "type", "veth", "peer", "name", "x0", "netns",
        s + "-foreign").ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "br-back", "alias", "netc:webshop:bridge:back").ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "br-back", "up").ok());
    assertTrue(Kernel.run("ip", "-n", s + "-db", "link", "set", "eth0", "netns", s + "-foreign").ok());

    Plan plan = runner.plan(t);
    List<String> lines = plan.changes().stream().map(Change::line).toList();
    assertTrue(lines.contains("-/+ link:" + s + ":br-back  (forces replacement: kind)"), plan.text());
    assertTrue(lines.contains("-/+ link:" + s + ":ve-db-0  (forces replacement: peer)"), plan.text());
    assertTrue(lines.contains("+ link:" + s + "-db:eth0"), plan.text());
    assertTrue(lines.contains("+ address:" + s + ":br-back/10.20.0.1/24  (again, with replaced link:" + s + ":br-back)"),
        plan.text());
    assertTrue(lines.contains("~ link:" + s + ":ve-api-1-0  (master br-back again, with replaced link:" + s + ":br-back)"),
        plan.text());

    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertTrue(Kernel.run("ip", "-n", s, "-d", "link", "show", "br-back").out().contains("bridge"));
    assertFalse(Kernel.run("ip", "-n", s + "-foreign", "link", "show", "eth0").ok(),
        "the moved end went with the replaced veth");
  }

  @Test
  void anEndpointRemovedFromTheTopologyIsDeletedAndTheRestUpdated(@TempDir Path dir) throws Exception {
    runner.apply(Kernel.target(WEBSHOP, s));
    String source = Files.readString(Kernel.root().resolve("examples/webshop.netc"));
    String smaller = source.replaceAll("(?s)container db \\{.*?\\n}\\n", "")
        .replaceAll("(?s)policy api-to-db \\{.*?\\n}\\n", "");
    assertFalse(smaller.contains("container db"), smaller);
    Runner.Target target = Kernel.target(dir, "webshop.netc", smaller, s);

    Plan plan = runner.plan(target);
    Set<String> deleted = plan.changes().stream().filter(c -> c.action() == Change.Action.DELETE)
        .map(c -> c.id().toString()).collect(Collectors.toSet());
    assertEquals(Set.of("namespace:(host):" + s + "-db", "link:" + s + ":ve-db-0",
        "file:" + s + "-db:/etc/netns/" + s + "-db/hosts", "file:" + s + "-db:/etc/netns/" + s + "-db/resolv.conf"),
        deleted, plan.text());
    assertTrue(plan.changes().stream().anyMatch(c -> c.action() == Change.Action.UPDATE
        && c.id().toString().equals("table:" + s + ":inet netc_webshop")), plan.text());
    assertEquals(0, plan.count(Change.Action.CREATE), plan.text());

    runner.apply(target);
    assertTrue(runner.plan(target).empty(), () -> runner.plan(target).text());
    assertFalse(Kernel.namespacesOf(s).contains(s + "-db"));
    assertFalse(Files.exists(Runner.ETC_NETNS.resolve(s + "-db")));
    assertFalse(Kernel.run("ip", "netns", "exec", s + "-web", "getent", "hosts", "db").ok(), "db no longer resolves");
  }

  @Test
  void aSecondTopologyInTheSandboxRollsBackAloneAndLeavesTheFirstAlone(@TempDir Path dir) throws Exception {
    Runner.Target shop = Kernel.target(WEBSHOP, s);
    runner.apply(shop);
    Runner.Target other = Kernel.target(dir, "other.netc", "topology other\n\nnetwork side {\n  subnet 10.99.0.0/24\n}\n\n"
        + "container worker {\n  attach side\n}\n", s);
    Set<String> namespaces = Kernel.namespacesOf(s);
    String links = links();

    RecordingExecutor failing = new RecordingExecutor((argv, stdin) -> argv.contains("nft") && argv.contains("-f")
        ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> broken.apply(other));
    assertTrue(e.getMessage().endsWith("rolled back, sandbox " + s + " is as before"), e.getMessage());
    assertEquals(namespaces, Kernel.namespacesOf(s));
    assertEquals(links, links());
    assertTrue(failing.calls().stream().flatMap(c -> c.stdin().lines()).noneMatch(l -> l.startsWith("link del ve-")),
        "the worker's veth went with its namespace, not by a link del");
    assertFalse(Files.exists(Runner.ETC_NETNS.resolve(s + "-worker")));
    assertTrue(runner.plan(shop).empty());

    runner.apply(other);
    assertTrue(runner.plan(shop).empty(), "the web shop is untouched by the other topology");
    Runner.Outcome gone = runner.destroy(other);
    // it names whose they are: what a destroy of a topology renamed since its apply leaves, too
    assertTrue(gone.notes().stream().anyMatch(n -> n.startsWith("kept sandbox " + s + ": it still holds namespace ")
        && n.contains(", table inet netc_" + WEBSHOP.name()) && n.endsWith("; they are topology " + WEBSHOP.name()
        + "'s (`netc destroy` with its file removes them)")), gone.notes()::toString);
    assertEquals(namespaces, Kernel.namespacesOf(s));
    assertTrue(runner.plan(shop).empty(), "the web shop is untouched by the other's destroy");
    runner.destroy(shop);
    assertEquals(Set.of(), Kernel.namespacesOf(s));
  }

  @Test
  void destroyWhileAProcessHoldsAContainersNamespaceLeavesNothingBehind() throws Exception {
    Runner.Target t = Kernel.target(WEBSHOP, s);
    runner.apply(t);
    // a process still running in web's namespace keeps it alive after its name is gone: the
    // kernel then never removes web's veth with it, and destroy deletes the host end itself
    Process held = new ProcessBuilder("ip", "netns", "exec", s + "-web", "sleep", "60").start();
    try {
      Thread.sleep(200);
      assertTrue(held.isAlive());
      long start = System.nanoTime();
      runner.destroy(t);
      long ms = (System.nanoTime() - start) / 1_000_000;
      System.out.printf("destroy with web's namespace held by a process: %d ms%n", ms);
      assertEquals(Set.of(), Kernel.namespacesOf(s), "no namespace of the sandbox is left by name");
      assertTrue(held.isAlive(), "the process itself is left alone");
      String inside = Kernel.run("nsenter", "--net=/proc/" + held.pid() + "/ns/net", "ip", "-br", "link").out();
      assertEquals(List.of("lo"), inside.lines().map(l -> l.split("\\s+")[0]).toList(),
          "web's eth0 went with its host end: " + inside);
    } finally {
      held.destroyForcibly().waitFor();
    }
  }

  @Test
  void destroySaysWhichFileItKeptBecauseItsMarkWasEditedAway() throws Exception {
    Runner.Target t = Kernel.target(WEBSHOP, s);
    runner.apply(t);
    java.nio.file.Path hosts = Runner.ETC_NETNS.resolve(s + "-web").resolve("hosts");
    java.nio.file.Files.writeString(hosts, "10.0.0.1 myhost\n" + java.nio.file.Files.readString(hosts));
    Runner.Outcome o = runner.destroy(t);
    assertEquals(Set.of(), Kernel.namespacesOf(s));
    assertTrue(java.nio.file.Files.exists(hosts), "not netc's to remove any more");
    assertTrue(o.notes().contains("kept /etc/netns/" + s + "-web/hosts: not marked as netc's (edited by hand above its first"
        + " line?); a later apply refuses to write over it: remove by hand what is not needed"), o.notes()::toString);
  }

  @Test
  void theTableAndTheBridgeHookAreInPlaceBeforeAnyContainerLinkIsUp() {
    // what the kernel holds at the moment the table has been loaded (while the host's batches
    // run: web's eth0 may not be made yet), and when the host's sysctls are set (after them)
    List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    RecordingExecutor looking = new RecordingExecutor((argv, stdin) -> {
      CommandExecutor.Result r = Kernel.EXEC.run(argv, stdin);
      if (argv.contains("nft") && argv.contains("-f") || argv.contains("sysctl") && argv.contains(s)) {
        CommandExecutor.Result eth0 = Kernel.run("ip", "-n", s + "-web", "-br", "link", "show", "eth0");
        seen.add((argv.contains("nft") ? "table: " : "sysctl: ") + (eth0.ok() ? eth0.out().strip() : "no eth0"));
      }
      return r;
    });
    new Runner(looking, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5)).apply(Kernel.target(WEBSHOP, s));
    assertEquals(2, seen.size(), seen::toString);
    for (String x : seen) {
      assertTrue(x.endsWith("no eth0") || x.contains("eth0@") && x.contains(" DOWN "), "web's eth0 is not up yet: " + seen);
    }
    assertTrue(seen.stream().anyMatch(x -> x.startsWith("sysctl: eth0@")), "made by the host's batches: " + seen);
    assertEquals("1", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.bridge.bridge-nf-call-ip6tables").out().strip(),
        "bridged traffic passes the forward hook");
    assertTrue(runner.plan(Kernel.target(WEBSHOP, s)).empty(), () -> runner.plan(Kernel.target(WEBSHOP, s)).text());
  }

  private static boolean loopbackUp(String ns) {
    return Kernel.run("ip", "-n", ns, "-o", "link", "show", "lo").out().matches("(?s).*<[^>]*\\bUP\\b.*");
  }

  /**
   * The loopback of S set down by hand: drift (before, neither diff nor apply saw it, and
   * verify found the host cut off from its own addresses), set up again by apply.
   */
  @Test
  void theSandboxLoopbackSetDownIsDriftAndSetUpAgain() throws Exception {
    Runner.Target t = Kernel.target(WEBSHOP, s);
    runner.apply(t);
    assertTrue(Kernel.run("ip", "-n", s, "link", "set", "lo", "down").ok());
    assertEquals(List.of("~ link:" + s + ":lo  (state down -> up)"), runner.plan(t).changes().stream().map(Change::line).toList());
    assertTrue(runner.drift(t).text().contains("changed     link:" + s + ":lo  (state down -> up)"), runner.drift(t).text());
    runner.apply(t);
    assertTrue(loopbackUp(s));
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    Process host = Kernel.listen(s, 8080);
    try {
      assertTrue(Kernel.connects(s, "198.18.0.1", 8080), "the host reaches its own uplink address");
    } finally {
      Kernel.stop(host);
    }
  }

  @Test
  void aSandboxNamespaceMadeByOthersGetsAnUplinkAndOutlivesDestroy() {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    assertFalse(loopbackUp(s), "`ip netns add` makes the loopback down");
    List<String> sysctls = List.of("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv4.ip_forward",
        "net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables");
    String found = Kernel.EXEC.run(sysctls, "").out();
    Runner.Target t = Kernel.target(WEBSHOP, s);
    runner.apply(t);
    assertTrue(Kernel.EXEC.run(sysctls, "").out().startsWith("1\n"), "S forwards while the topology is there");
    assertTrue(loopbackUp(s), "S's loopback up, as in a sandbox netc makes");
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-web", "ping", "-c1", "-W2", "198.18.0.2").ok(), "web reaches @outside");

    // the uplink deleted by hand (both ends go): a drift that apply repairs, nothing else changes
    assertTrue(Kernel.run("ip", "-n", s, "link", "del", "uplink").ok());
    Plan drift = runner.plan(t);
    assertEquals(List.of("+ link:" + s + ":uplink"), drift.changes().stream().map(c -> c.action().symbol + " " + c.id()).toList(),
        drift.text());
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-web", "ping", "-c1", "-W2", "198.18.0.2").ok(), "again after the repair");

    runner.destroy(t);
    assertEquals(Set.of(s), Kernel.namespacesOf(s), "S was not netc's: it stays, S-outside goes");
    assertEquals(found, Kernel.EXEC.run(sysctls, "").out(), "its sysctls have the values they had before netc");
    assertEquals("lo", Kernel.run("ip", "-n", s, "-br", "link").out().strip().split("\\s+")[0]);
    assertEquals(1, Kernel.run("ip", "-n", s, "-br", "link").out().strip().lines().count(), "only its loopback is left");
  }

  /**
   * A table of someone else's that has the topology's table name, {@code inet} or {@code bridge},
   * but not its comment ({@code netc:webshop}), is not the topology's: plan and apply refuse to
   * load over it (which would have replaced its chains and rules), and destroy leaves it (which
   * deleted it, even without any apply before).
   */
  @Test
  void aTableOfSomeoneElseWithTheTopologysNameIsNeverLoadedOverNorDeleted() {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    for (String family : List.of("inet", "bridge")) {
      assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add table " + family + " netc_webshop { comment \"mine\"; }").ok());
      assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add chain " + family + " netc_webshop mine").ok());
      Runner.Target t = Kernel.target(WEBSHOP, s);
      RunnerException e = assertThrows(RunnerException.class, () -> runner.plan(t));
      assertTrue(e.getMessage().startsWith("objects of topology webshop are taken by others, not touching them: table:" + s + ":"
          + family + " netc_webshop (marked `mine`)"), e.getMessage());
      assertThrows(RunnerException.class, () -> runner.apply(t));
      runner.destroy(t);
      assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "list", "chain", family, "netc_webshop", "mine").ok(),
          "their table, with its chain");
      assertEquals(Set.of(s), Kernel.namespacesOf(s), "nothing made, nothing left");
      assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "delete", "table", family, "netc_webshop").ok());
    }
    // without it, the topology applies there as anywhere, and its own table is its
    Runner.Target t = Kernel.target(WEBSHOP, s);
    runner.apply(t);
    assertTrue(runner.plan(t).empty());
  }

  /**
   * An {@code S} made by someone else with IPv6 off for new links ({@code default.disable_ipv6
   * 1}): the uplink netc makes there has its IPv6 on all the same (its address was refused, and
   * every apply of any topology there rolled back).
   */
  @Test
  void inAnSWithIpv6OffForNewLinksTheUplinkHasIpv6() {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1").ok());
    Runner.Target t = Kernel.target(WEBSHOP, s);
    runner.apply(t);
    assertTrue(Kernel.run("ip", "-n", s, "-6", "address", "show", "dev", "uplink").out().contains("2001:2::1/64"));
    assertTrue(Kernel.run("ip", "netns", "exec", s + "-outside", "ping", "-6", "-c1", "-W2", "2001:2::1").ok(), "the outside reaches S over IPv6");
    assertEquals("1", Kernel.run("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv6.conf.default.disable_ipv6").out().strip(),
        "S's own default is left as it was");
    assertTrue(runner.plan(t).empty());
  }

  /**
   * In an {@code S} made by someone else, {@code net.ipv4.ip_forward} switched on writes the
   * {@code forwarding} of {@code default} and of every device over: the values its devices had
   * come back after it, when an apply rolls back and when destroy gives S back (they were lost:
   * the switch written back to 0 wrote them all to 0).
   */
  @Test
  void theForwardingOfDevicesThatTheSwitchWritesOverIsGivenBack() throws Exception {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "add", "theirs", "type", "bridge").ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "sysctl", "-qw", "net.ipv4.ip_forward=0").ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "sysctl", "-qw", "net.ipv4.conf.theirs.forwarding=1",
        "net.ipv4.conf.default.forwarding=1").ok());
    List<String> read = List.of("ip", "netns", "exec", s, "sysctl", "-n", "net.ipv4.ip_forward",
        "net.ipv4.conf.theirs.forwarding", "net.ipv4.conf.default.forwarding", "net.ipv4.conf.lo.forwarding");
    assertEquals("0\n1\n1\n0\n", Kernel.EXEC.run(read, "").out());
    Runner.Target t = Kernel.target(WEBSHOP, s);
    // an apply that fails at its end (the folder of db's files taken by a file) rolls back
    Path taken = Runner.ETC_NETNS.resolve(s + "-db");
    Files.createDirectories(Runner.ETC_NETNS);
    Files.writeString(taken, "not a folder\n");
    try {
      assertThrows(RunnerException.class, () -> runner.apply(t));
    } finally {
      Files.deleteIfExists(taken);
    }
    assertEquals("0\n1\n1\n0\n", Kernel.EXEC.run(read, "").out(), "as before the apply");
    runner.apply(t);
    assertEquals("1\n1\n1\n1\n", Kernel.EXEC.run(read, "").out(), "forwarding while the topology is there");
    runner.destroy(t);
    assertEquals("0\n1\n1\n0\n", Kernel.EXEC.run(read, "").out(), "as before netc");
  }

  @Test
  void anUplinkOfSomeoneElseInTheSandboxStopsApplyBeforeAnyChange() {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    assertTrue(Kernel.run("ip", "-n", s, "link", "add", "uplink", "type", "bridge").ok());
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(Kernel.target(WEBSHOP, s)));
    assertTrue(e.getMessage().contains("link uplink of sandbox " + s + ", the sandbox's own (no mark)"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; remove them, or choose another sandbox name"), "no renaming in the topology frees it: " + e.getMessage());
    assertEquals(Set.of(s), Kernel.namespacesOf(s));
    assertTrue(Kernel.run("ip", "-n", s, "link", "show", "uplink").ok(), "left as it was");
  }

  @Test
  void aFailureBeforeTheEndpointsExistRollsBackWithoutComplaint() {
    // the endpoints' namespaces are never made: the rollback deletes only what is there
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    RecordingExecutor failing = new RecordingExecutor((argv, stdin) -> stdin.contains("netns add " + s + "-web")
        ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> broken.apply(Kernel.target(WEBSHOP, s)));
    assertEquals("ip -batch - failed: injected failure; rolled back, sandbox " + s + " is as before", e.getMessage());
    assertEquals(Set.of(s), Kernel.namespacesOf(s));
    assertEquals(1, Kernel.run("ip", "-n", s, "-br", "link").out().strip().lines().count(), "no uplink left in S");
  }

  @Test
  void aFailureInTheHostBatchOfASandboxMadeByOthersLeavesItAsItWas() {
    assertTrue(Kernel.run("ip", "netns", "add", s).ok());
    RecordingExecutor failing = new RecordingExecutor((argv, stdin) -> stdin.contains("link add br-")
        ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> broken.apply(Kernel.target(WEBSHOP, s)));
    assertTrue(e.getMessage().endsWith("injected failure; rolled back, sandbox " + s + " is as before"), e.getMessage());
    assertEquals(Set.of(s), Kernel.namespacesOf(s));
    assertEquals(1, Kernel.run("ip", "-n", s, "-br", "link").out().strip().lines().count(), "no uplink left in S");
    assertFalse(loopbackUp(s), "S's loopback down again, as `ip netns add` made it");
    assertTrue(runner.plan(Kernel.target(WEBSHOP, s)).changes().stream().noneMatch(c -> c.action() != Change.Action.CREATE
        && c.action() != Change.Action.UPDATE), "nothing of the topology is left to delete");
  }

  /** The links of S by name and MAC address (not their operstate, which a bridge changes on its own). */
  private String links() {
    return Kernel.run("ip", "-n", s, "-br", "link").out().lines().map(l -> l.split("\\s+"))
        .map(f -> f[0] + " " + f[2]).collect(Collectors.joining("\n"));
  }

  @Test
  void anObjectHeldBySomeoneElseStopsApplyBeforeAnyChange() {
    assertTrue(Kernel.run("ip", "netns", "add", s + "-web").ok());
    Runner.Target t = Kernel.target(WEBSHOP, s);
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(t));
    assertTrue(e.getMessage().contains("namespace:(host):" + s + "-web"), e.getMessage());
    assertEquals(Set.of(s + "-web"), Kernel.namespacesOf(s));
    ObjectId id = new ObjectId(ObjectId.Kind.NAMESPACE, "", s + "-web");
    assertFalse(new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).read(new Sandbox(s), "webshop", List.of()).has(id));
  }
}
