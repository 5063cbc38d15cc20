package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.plan.ObjectId;
import dev.netc.compiler.ir.Topology;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner against a recorded, scripted kernel: no root, no processes, files in jimfs. */
class RunnerTest {
  private static final Topology WEBSHOP = Kernel.compile("examples/webshop.netc");
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

  @AfterEach
  void close() throws Exception {
    fs.close();
  }

  private Runner runner(RecordingExecutor exec, Duration wait) {
    return new Runner(exec, fs.getPath("/etc/netns"), fs.getPath("/run/netc"), wait);
  }

  private static CommandExecutor.Result ok(String out) {
    return new CommandExecutor.Result(0, out, "");
  }

  private static LiveState routed(java.util.Map<ObjectId, String> routes) {
    return LiveState.builder().sandboxExists(true).outsideExists(true).namespaces(java.util.Set.of("t1-a"))
        .owned(routes.keySet()).hostNamespaces(java.util.Set.of("t1")).routes(routes).build();
  }

  @Test
  void theRollbacksReadComparesWhatEachRouteGoesThrough() {
    // the rollback's check: a route that is there but not through what it went through is a
    // difference, not "as before"
    ObjectId route = new ObjectId(ObjectId.Kind.ROUTE, "t1-a", "0.0.0.0/0");
    ObjectId other = new ObjectId(ObjectId.Kind.ROUTE, "t1-a", "10.9.0.0/16");
    LiveState before = routed(java.util.Map.of(route, "via 10.1.0.1 dev eth0", other, "blackhole"));
    assertEquals(List.of(), Runner.differences(before, routed(java.util.Map.of(route, "via 10.1.0.1 dev eth0", other, "blackhole"))));
    assertEquals(List.of("routes changed: route:t1-a:0.0.0.0/0 goes via 10.1.0.254 dev eth0, went via 10.1.0.1 dev eth0"),
        Runner.differences(before, routed(java.util.Map.of(route, "via 10.1.0.254 dev eth0", other, "blackhole"))));
  }

  @Test
  void planOnAnEmptyMachineCreatesEverythingSandboxFirstAndRunsOneProcess() {
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> ok(""));
    Plan plan = runner(exec, Duration.ZERO).plan(Kernel.target(WEBSHOP, "t1"));
    assertEquals(List.of("ip netns list"), exec.calls().stream().map(RecordingExecutor.Call::line).toList());
    assertEquals("namespace:(host):t1", plan.changes().get(0).id().toString());
    assertEquals("namespace:(host):t1-outside", plan.changes().get(1).id().toString());
    assertEquals(0, plan.count(Change.Action.DELETE));
    assertTrue(plan.changes().stream().anyMatch(c -> c.id().toString().equals("table:t1:inet netc_webshop")));
    // everything is made: the 3 namespace-wide sysctls of S with S, IPv6 off on the five new
    // interfaces of the IPv4-only networks and route_localnet of the new bridge br-front with them
    assertTrue(plan.text().contains("\n+ sysctl:t1-web:net.ipv6.conf.eth0.disable_ipv6  (1)\n"), plan.text());
    assertTrue(plan.text().contains("\n+ sysctl:t1:net.ipv4.ip_forward  (1)\n"), plan.text());
    assertTrue(plan.text().contains("\n+ sysctl:t1:net.ipv4.conf.br-front.route_localnet  (1)\n"), plan.text());
    assertTrue(!plan.text().contains("accept_dad"), "bridges of IPv4-only networks route no IPv6: " + plan.text());
    assertTrue(plan.summary().startsWith("Plan: 48 to create, 0 to update, 0 to replace, 0 to delete."), plan.summary());
    assertTrue(plan.json().contains("\"summary\": {\n    \"create\": 48,\n    \"update\": 0,\n"), plan.json());
  }

  @Test
  void theTableRulesAreCountedTerselyAndAnUnreadableTableIsNoCount() {
    String listing = "{\"nftables\": [{\"metainfo\": {\"json_schema_version\": 1}},"
        + " {\"table\": {\"family\": \"inet\", \"name\": \"netc_webshop\"}}, {\"chain\": {\"name\": \"fwd\"}},"
        + " {\"set\": {\"name\": \"allow\"}}, {\"rule\": {\"chain\": \"fwd\"}}, {\"rule\": {\"chain\": \"fwd\"}}]}\n";
    String bridge = "{\"nftables\": [{\"metainfo\": {\"json_schema_version\": 1}},"
        + " {\"table\": {\"family\": \"bridge\", \"name\": \"netc_webshop\"}}, {\"chain\": {\"name\": \"prerouting\"}},"
        + " {\"rule\": {\"chain\": \"prerouting\"}}]}\n";
    // the inet table and its bridge companion, counted together
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> ok(argv.contains("bridge") ? bridge : listing));
    LiveReader reader = new LiveReader(exec, fs.getPath("/etc/netns"));
    assertEquals(java.util.Optional.of(new TableRules(3, java.util.Optional.empty())), reader.tableRules("t1", "inet netc_webshop"));
    assertEquals(List.of("ip netns exec t1 nft -j -t list table inet netc_webshop",
        "ip netns exec t1 nft -j -t list table bridge netc_webshop"),
        exec.calls().stream().map(RecordingExecutor.Call::line).toList());
    // a missing companion (a table applied by an older netc) counts nothing
    RecordingExecutor older = new RecordingExecutor((argv, in) -> argv.contains("bridge")
        ? new CommandExecutor.Result(1, "", "No such file or directory") : ok(listing));
    assertEquals(java.util.Optional.of(new TableRules(2, java.util.Optional.empty())),
        new LiveReader(older, fs.getPath("/etc/netns")).tableRules("t1", "inet netc_webshop"));
    RecordingExecutor failing = new RecordingExecutor((argv, in) -> new CommandExecutor.Result(1, "", "No such file"));
    assertEquals(java.util.Optional.empty(), new LiveReader(failing, fs.getPath("/etc/netns")).tableRules("t1", "inet x"));
    RecordingExecutor garbage = new RecordingExecutor((argv, in) -> ok("not json"));
    assertEquals(java.util.Optional.empty(), new LiveReader(garbage, fs.getPath("/etc/netns")).tableRules("t1", "inet x"));
  }

  @Test
  void aTableRulesRecordIsReadBackAndADamagedOneIsNone() {
    String sha = "ab".repeat(32);
    assertEquals(java.util.Optional.of(new TableRules(14, java.util.Optional.of(sha))), TableRules.parse("14 sha256=" + sha));
    assertEquals(java.util.Optional.of(new TableRules(3, java.util.Optional.empty())), TableRules.parse("3\n"));
    // a count no table has, too long for an int, and no count: none, never an exception
    assertEquals(java.util.Optional.empty(), TableRules.parse("99999999999999999999"));
    assertEquals(java.util.Optional.empty(), TableRules.parse("sha256=" + sha));
    // with the elements, as netc records them since it reads them; their text is the record's
    TableRules full = new TableRules(14, java.util.Optional.of(sha), java.util.Optional.of(new TableRules.Elements(31, "cd".repeat(8))));
    assertEquals("14 sha256=" + sha + " elements 31/" + "cd".repeat(8), full.text());
    assertEquals(java.util.Optional.of(full), TableRules.parse(full.text()));
    assertEquals(java.util.Optional.empty(), TableRules.parse("14 sha256=" + sha + " elements 31/" + "cd".repeat(7)));
    // with the chains' shape, as netc records it since it reads it
    TableRules chains = new TableRules(14, java.util.Optional.of(sha), java.util.Optional.of("ef".repeat(32)),
        java.util.Optional.of(new TableRules.Elements(31, "cd".repeat(8))));
    assertEquals("14 sha256=" + sha + " chains=" + "ef".repeat(32) + " elements 31/" + "cd".repeat(8), chains.text());
    assertEquals(java.util.Optional.of(chains), TableRules.parse(chains.text()));
    assertEquals(java.util.Optional.empty(), TableRules.parse("14 sha256=" + sha + " chains=" + "ef".repeat(31)));
  }

  @Test
  void chainsAreComparedOnlyWhenBothSidesHaveThem() {
    String sha = "ab".repeat(32);
    java.util.function.Function<String, TableRules> with = c -> new TableRules(14, java.util.Optional.of(sha),
        java.util.Optional.ofNullable(c), java.util.Optional.empty());
    TableRules applied = with.apply("ef".repeat(32));
    assertEquals(java.util.Optional.empty(), applied.differenceTo(with.apply("ef".repeat(32))));
    assertEquals(java.util.Optional.of("chains edited since apply"), applied.differenceTo(with.apply("01".repeat(32))));
    assertTrue(applied.otherRules(with.apply("01".repeat(32))));
    // the rules first
    assertEquals(java.util.Optional.of("13 rules, applied with 14"), applied.differenceTo(new TableRules(13,
        java.util.Optional.of(sha), java.util.Optional.of("01".repeat(32)), java.util.Optional.empty())));
    // a record of an older netc, or a table read with nft: not compared
    assertEquals(java.util.Optional.empty(), with.apply(null).differenceTo(applied));
    assertEquals(java.util.Optional.empty(), applied.differenceTo(with.apply(null)));
    assertFalse(with.apply(null).otherRules(applied));
  }

  @Test
  void rulesAreComparedBeforeElementsAndElementsOnlyWhenBothSidesHaveThem() {
    String sha = "ab".repeat(32);
    TableRules.Elements e = new TableRules.Elements(31, "cd".repeat(8));
    TableRules applied = new TableRules(14, java.util.Optional.of(sha), java.util.Optional.of(e));
    java.util.function.Function<TableRules.Elements, TableRules> now =
        x -> new TableRules(14, java.util.Optional.of(sha), java.util.Optional.of(x));
    assertEquals(java.util.Optional.empty(), applied.differenceTo(now.apply(e)));
    assertEquals(java.util.Optional.of("32 set elements, applied with 31"),
        applied.differenceTo(now.apply(new TableRules.Elements(32, "ef".repeat(8)))));
    assertEquals(java.util.Optional.of("set elements edited since apply"),
        applied.differenceTo(now.apply(new TableRules.Elements(31, "ef".repeat(8)))));
    // the rules first; and a record without elements (an older netc), or a table read with nft: not compared
    assertEquals(java.util.Optional.of("13 rules, applied with 14"), applied.differenceTo(new TableRules(13, java.util.Optional.empty())));
    assertEquals(java.util.Optional.empty(), applied.differenceTo(new TableRules(14, java.util.Optional.of(sha))));
    assertEquals(java.util.Optional.empty(), new TableRules(14, java.util.Optional.of(sha)).differenceTo(now.apply(e)));
  }

  @Test
  void elementsThatDifferAreNamedBySetWhenBothSidesKnowTheSets() {
    String sha = "ab".repeat(32);
    java.util.function.Function<java.util.Map<String, TableRules.SetElements>, TableRules> rules = sets -> new TableRules(14,
        java.util.Optional.of(sha), java.util.Optional.of(new TableRules.Elements(
            sets.values().stream().mapToInt(TableRules.SetElements::count).sum(), Integer.toHexString(sets.hashCode() | 1 << 31)
                + "0".repeat(8), sets)));
    java.util.Map<String, TableRules.SetElements> was = new java.util.LinkedHashMap<>();
    was.put("inet:allow_in4", new TableRules.SetElements(1, "11".repeat(8)));
    was.put("inet:allow_in4_exact", new TableRules.SetElements(4, "22".repeat(8)));
    was.put("bridge:ports", new TableRules.SetElements(5, "33".repeat(8)));
    TableRules applied = rules.apply(was);
    // the record's text holds the sets, in order, and reads back
    assertEquals("14 sha256=" + sha + " elements 10/" + applied.elements().get().digest() + " sets inet:allow_in4=1/"
        + "11".repeat(8) + " inet:allow_in4_exact=4/" + "22".repeat(8) + " bridge:ports=5/" + "33".repeat(8), applied.text());
    assertEquals(java.util.Optional.of(applied), TableRules.parse(applied.text()));
    java.util.Map<String, TableRules.SetElements> is = new java.util.LinkedHashMap<>(was);
    is.put("inet:allow_in4", new TableRules.SetElements(2, "44".repeat(8)));
    is.put("bridge:ports", new TableRules.SetElements(5, "55".repeat(8)));
    is.remove("inet:allow_in4_exact");
    is.put("inet:extra", new TableRules.SetElements(0, "66".repeat(8)));
    assertEquals(java.util.Optional.of("set allow_in4: 2 elements, applied with 1, set allow_in4_exact deleted since apply,"
        + " set ports: elements edited since apply and 1 more sets"), applied.differenceTo(rules.apply(is)));
    is.remove("inet:extra");
    is.put("inet:allow_in4_exact", was.get("inet:allow_in4_exact"));
    is.put("inet:allow_in4", was.get("inet:allow_in4"));
    assertEquals(java.util.Optional.of("set ports: elements edited since apply"), applied.differenceTo(rules.apply(is)));
    // a set too big to read, on either side: not compared, and written `=?`
    java.util.Map<String, TableRules.SetElements> bigWas = new java.util.LinkedHashMap<>(was);
    bigWas.put("inet:allow_in4_exact", new TableRules.SetElements(0, ""));
    TableRules bigApplied = rules.apply(bigWas);
    assertTrue(bigApplied.text().contains(" inet:allow_in4_exact=? "), bigApplied.text());
    assertEquals(java.util.Optional.of(bigApplied), TableRules.parse(bigApplied.text()));
    java.util.Map<String, TableRules.SetElements> bigIs = new java.util.LinkedHashMap<>(bigWas);
    bigIs.put("inet:allow_in4_exact", new TableRules.SetElements(10_001, ""));
    assertEquals(java.util.Optional.empty(), bigApplied.differenceTo(rules.apply(bigIs)));
    assertEquals(java.util.Optional.empty(), applied.differenceTo(rules.apply(bigIs)));
    bigIs.put("bridge:ports", new TableRules.SetElements(4, "88".repeat(8)));
    assertEquals(java.util.Optional.of("set ports: 4 elements, applied with 5"), applied.differenceTo(rules.apply(bigIs)));
    // a name the record cannot hold: the totals only
    java.util.Map<String, TableRules.SetElements> odd = java.util.Map.of("inet:a set", new TableRules.SetElements(1, "77".repeat(8)));
    assertTrue(rules.apply(odd).text().endsWith(" elements 1/" + rules.apply(odd).elements().get().digest()), rules.apply(odd).text());
  }

  @Test
  void anEndpointNamespaceWithoutTheMarkStopsApplyBeforeAnyChange() {
    String lo = "[{\"ifname\":\"lo\"}]\n[]\n[{\"ifname\":\"lo\",\"addr_info\":[]}]\n[]\n";
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> argv.equals(List.of("ip", "netns", "list"))
        ? ok("t1-web (id: 3)\n") : argv.contains("-j") || in.contains(" ip -N -j -d -batch ") ? read(lo, argv, in) : ok(""));
    RunnerException e = assertThrows(RunnerException.class, () -> runner(exec, Duration.ZERO).apply(Kernel.target(WEBSHOP, "t1")));
    assertTrue(e.getMessage().contains("namespace:(host):t1-web (no mark)"), e.getMessage());
    assertTrue(exec.calls().stream().allMatch(c -> c.line().equals("ip netns list") || c.argv().contains("-j")
        || c.stdin().lines().allMatch(l -> l.matches(".*/read(-6)?\\.batch"))),
        "only reads: " + exec.calls());
  }

  /**
   * What a read of a namespace prints when its links, addresses and routes are {@code docs}: with
   * no policy routing rule ({@code rule show}, an empty document, and the same of {@code ip -6}).
   */
  private static CommandExecutor.Result read(String docs, List<String> argv, String in) {
    if (argv.contains("-6")) {
      return ok("[]\n");
    }
    return ok(in.lines().anyMatch(l -> l.equals("rule show")) ? docs + "[]\n" : docs);
  }

  /** What {@code ip -N -j -d -batch -} prints for a namespace with its loopback only, aliased {@code alias}. */
  private static String loOnly(String alias) {
    return "[{\"ifname\":\"lo\",\"ifalias\":\"" + alias + "\"}]\n[]\n[{\"ifname\":\"lo\",\"addr_info\":[]}]\n[]\n";
  }

  /**
   * A kernel with namespaces {@code aliases} (name to loopback alias) that answers every read of
   * one of them with its loopback only, and everything else with nothing.
   */
  private static RecordingExecutor namespaces(java.util.Map<String, String> aliases) {
    return new RecordingExecutor((argv, in) -> {
      if (argv.equals(List.of("ip", "netns", "list"))) {
        return ok(String.join("\n", new java.util.TreeSet<>(aliases.keySet())) + "\n");
      }
      int n = argv.indexOf("-n");
      if (argv.contains("-j") && n >= 0 && aliases.containsKey(argv.get(n + 1))) {
        String alias = aliases.get(argv.get(n + 1));
        return argv.contains("link") ? ok("[{\"ifname\":\"lo\",\"ifalias\":\"" + alias + "\"}]\n") : read(loOnly(alias), argv, in);
      }
      return ok("");
    });
  }

  private static boolean onlyReads(RecordingExecutor exec) {
    return exec.calls().stream().allMatch(c -> c.line().equals("ip netns list") || c.argv().contains("-j")
        || c.argv().contains("grep"));
  }

  /** A sandbox named after another sandbox's endpoint namespace (xq8-a, container a of sandbox xq8): refused. */
  @Test
  void aSandboxThatIsAnotherSandboxsEndpointIsRefusedBeforeAnyChange() {
    RecordingExecutor exec = namespaces(java.util.Map.of("t1", "netc-sandbox:t1", "t1-a", "netc:tone:namespace:a"));
    RunnerException e = assertThrows(RunnerException.class, () -> runner(exec, Duration.ZERO).apply(Kernel.target(WEBSHOP, "t1-a")));
    assertEquals("sandbox t1-a cannot be used: namespace t1-a is endpoint a of topology tone in sandbox t1; choose another"
        + " sandbox name", e.getMessage());
    assertTrue(onlyReads(exec), () -> "only reads: " + exec.calls());
    // plan and diff say the same
    assertEquals(e.getMessage(), assertThrows(RunnerException.class,
        () -> runner(exec, Duration.ZERO).plan(Kernel.target(WEBSHOP, "t1-a"))).getMessage());
  }

  @Test
  void aSandboxInsideAnotherSandboxsNamesIsRefused() {
    // t1-a does not exist yet: its namespaces t1-a-* would be sandbox t1's
    RecordingExecutor exec = namespaces(java.util.Map.of("t1", "netc-sandbox:t1"));
    RunnerException e = assertThrows(RunnerException.class, () -> runner(exec, Duration.ZERO).apply(Kernel.target(WEBSHOP, "t1-a")));
    assertEquals("sandbox t1-a cannot be used: sandbox t1 holds every namespace named t1-*, this one's among them;"
        + " choose another sandbox name", e.getMessage());
    assertTrue(onlyReads(exec), () -> "only reads: " + exec.calls());
    // the other way round: sandbox t1 beside a sandbox t1-x
    RecordingExecutor other = namespaces(java.util.Map.of("t1", "netc-sandbox:t1", "t1-x", "netc-sandbox:t1-x",
        "t1-x-outside", "netc-sandbox:t1-x:outside"));
    e = assertThrows(RunnerException.class, () -> runner(other, Duration.ZERO).plan(Kernel.target(WEBSHOP, "t1")));
    assertEquals("sandbox t1 cannot be used: namespace t1-x is another sandbox's (marked `netc-sandbox:t1-x`), and t1"
        + " would take every namespace named t1-* for its own; choose another sandbox name", e.getMessage());
    // a namespace named like an enclosing sandbox but not one (no sandbox mark): no clash
    RecordingExecutor plain = namespaces(java.util.Map.of("t1", ""));
    assertTrue(runner(plain, Duration.ZERO).plan(Kernel.target(WEBSHOP, "t1-a")).changes().size() > 40);
  }

  /** Twelve namespaces taken: one line that names the first ten and counts the rest. */
  @Test
  void manyObjectsTakenByOthersAreNamedOnOneShortLine() throws Exception {
    Path dir = java.nio.file.Files.createDirectories(fs.getPath("/work"));
    StringBuilder text = new StringBuilder("topology many\n\nnetwork net {\n  subnet 10.9.0.0/24\n}\n");
    StringBuilder listed = new StringBuilder();
    for (int i = 1; i <= 12; i++) {
      text.append("\ncontainer c").append(i).append(" {\n  attach net\n}\n");
      listed.append("t1-c").append(i).append(" (id: ").append(i).append(")\n");
    }
    Runner.Target t = Kernel.target(dir, "many.netc", text.toString(), "t1");
    String lo = "[{\"ifname\":\"lo\"}]\n[]\n[{\"ifname\":\"lo\",\"addr_info\":[]}]\n[]\n";
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> argv.equals(List.of("ip", "netns", "list"))
        ? ok(listed.toString()) : argv.contains("-j") || in.contains(" ip -N -j -d -batch ") ? read(lo, argv, in) : ok(""));
    RunnerException e = assertThrows(RunnerException.class, () -> runner(exec, Duration.ZERO).plan(t));
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertTrue(e.getMessage().startsWith("objects of topology many are taken by others, not touching them: "
        + "namespace:(host):t1-c1 (no mark), namespace:(host):t1-c2 (no mark), "), e.getMessage());
    assertTrue(e.getMessage().endsWith(" (no mark) and 2 more; if netc made them and their marks were changed by hand,"
        + " put the marks back; else remove them, or rename what this topology names so"), e.getMessage());
    assertEquals(10, e.getMessage().split("\\(no mark\\)", -1).length - 1, e.getMessage());
    // marked by another topology (this one renamed, or another with the same names): which, and what to do
    String marked = "[{\"ifname\":\"lo\",\"ifalias\":\"netc:few:namespace:c1\"}]\n[]\n[{\"ifname\":\"lo\",\"addr_info\":[]}]\n[]\n";
    RecordingExecutor other = new RecordingExecutor((argv, in) -> argv.equals(List.of("ip", "netns", "list"))
        ? ok(listed.toString()) : argv.contains("-j") || in.contains(" ip -N -j -d -batch ") ? read(marked, argv, in) : ok(""));
    e = assertThrows(RunnerException.class, () -> runner(other, Duration.ZERO).plan(t));
    assertTrue(e.getMessage().contains("(marked `netc:few:namespace:c1`)"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; they are topology few's, applied in sandbox t1: destroy it there first"
        + " (`netc destroy` with its file), or rename what this topology names so"), e.getMessage());
  }

  @Test
  void aSecondApplyWaitsForTheLockThenFailsClearly(@TempDir Path stateDir) {
    // a real file system: jimfs grants every lock
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> ok(""));
    Runner r = new Runner(exec, fs.getPath("/etc/netns"), stateDir, Duration.ofMillis(300));
    try (StateLock held = r.lock(new Sandbox("t1"))) {
      long start = System.nanoTime();
      RunnerException e = assertThrows(RunnerException.class, () -> r.apply(Kernel.target(WEBSHOP, "t1")));
      assertTrue((System.nanoTime() - start) / 1_000_000 >= 300, "it waited");
      assertTrue(e.getMessage().contains("sandbox t1 is locked by another netc apply or destroy"), e.getMessage());
    }
    assertEquals(List.of(), exec.calls(), "nothing ran without the lock");
  }

  @Test
  void ownedObjectsNoLongerWantedAreDeletedAfterTheirLinks() {
    // t1-old carries webshop's mark but is no endpoint of it
    String owned = "[{\"ifname\":\"lo\",\"ifalias\":\"netc:webshop:namespace:old\"}]\n"
        + "[]\n[{\"ifname\":\"lo\",\"addr_info\":[]}]\n[]\n";
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> argv.equals(List.of("ip", "netns", "list"))
        ? ok("t1-old\n") : argv.contains("-j") || in.contains(" ip -N -j -d -batch ") ? read(owned, argv, in) : ok(""));
    Plan plan = runner(exec, Duration.ZERO).plan(Kernel.target(WEBSHOP, "t1"));
    Change last = plan.changes().get(plan.changes().size() - 1);
    assertEquals(new ObjectId(ObjectId.Kind.NAMESPACE, "", "t1-old"), last.id());
    assertEquals(Change.Action.DELETE, last.action());
    assertTrue(plan.text().contains("- namespace:(host):t1-old"), plan.text());
  }

  @Test
  void hostModeReadsTheHostNamespaceWithoutIpNetnsExecAndPlansWhatNftCannotSayAsMissing() {
    // a machine with a foreign eth0, nothing of the topology, and an nft that needs root
    String host = "[{\"ifindex\":1,\"ifname\":\"lo\",\"link_type\":\"loopback\"},{\"ifindex\":2,\"ifname\":\"eth0\","
        + "\"flags\":[\"UP\"],\"mtu\":1500,\"link_type\":\"ether\"}]\n[]\n[]\n[]\n";
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> argv.equals(List.of("ip", "netns", "list"))
        ? ok("other-ns\nnetc-webshopx-web\n") : argv.equals(List.of("ip", "-N", "-j", "-d", "-batch", "-")) ? ok(host)
        : argv.get(0).equals("nft") ? new CommandExecutor.Result(1, "", "Operation not permitted (you must be root)")
        : argv.get(0).equals("grep") ? ok("/proc/sys/net/ipv4/ip_forward:0\n") : new CommandExecutor.Result(9, "", "unexpected"));
    Runner.Target t = Kernel.target(WEBSHOP, "");
    Plan plan = runner(exec, Duration.ZERO).plan(t);
    assertEquals(List.of("ip netns list", "ip -N -j -d -batch -", "nft -j list chains"),
        exec.calls().stream().map(RecordingExecutor.Call::line).limit(3).toList());
    assertTrue(exec.calls().get(3).line().startsWith("grep -H . /proc/sys/net/ipv4/ip_forward "), exec.calls().get(3).line());
    assertEquals(4, exec.calls().size(), "no `ip -n` for another topology's netc-webshopx-web");
    assertEquals("namespace:(host):netc-webshop-web", plan.changes().get(0).id().toString());
    assertTrue(plan.text().contains("\n+ link:(host):br-front\n"), plan.text());
    assertTrue(plan.text().contains("\n~ sysctl:(host):net.ipv4.ip_forward  (0 -> 1)\n"), plan.text());
    assertTrue(plan.text().contains("\n+ sysctl:(host):net.ipv4.conf.br-front.route_localnet  (1)\n"), plan.text());
    assertTrue(plan.text().contains("\n+ table:(host):inet netc_webshop\n"), plan.text());
    assertEquals(1, plan.notes().size());
    assertTrue(plan.text().contains("\n\nNote: the nftables tables of the host c"), plan.text());
    assertTrue(plan.text().endsWith(": the table is planned as if it were not there\n"
        + "Plan: 43 to create, 3 to update, 0 to replace, 0 to delete.\n"), plan.text());
    assertTrue(plan.json().contains("\"notes\": [\n    \"the nftables tables of the host c"), plan.json());

    // apply does not act on a guess: the note is its error, before any change
    RunnerException e = assertThrows(RunnerException.class, () -> runner(exec, Duration.ZERO).apply(t));
    assertTrue(e.getMessage().startsWith("the nftables tables of the host c"), e.getMessage());
    assertTrue(exec.calls().stream().allMatch(c -> c.line().equals("ip netns list") || c.argv().contains("-j")
        || c.argv().get(0).equals("grep")), "only reads: " + exec.calls());
  }

  @Test
  void hostModeNamesAndCommands() {
    Sandbox host = Sandbox.host("webshop");
    assertTrue(host.isHost());
    assertEquals("the host", host.label());
    assertTrue(host.holds("netc-webshop-web"));
    assertTrue(!host.holds("netc-webshopx-web") && !host.holds("webshop-web") && !host.holds(""));
    assertEquals(List.of("nft", "-f", "-"), host.in(List.of("nft", "-f", "-")));
    assertEquals(List.of("ip", "netns", "exec", "t1", "nft", "-f", "-"), new Sandbox("t1").in(List.of("nft", "-f", "-")));
    assertEquals(List.of(), host.creation(true, true, false), "nothing to make for the host itself");
    // what destroy gives back in host mode: the namespace's sysctls, not a device's (they go with it)
    assertTrue(Runner.namespaceWide("net.ipv4.ip_forward"));
    // the device of a per-device sysctl: a plan makes it with its device when the device is new
    assertEquals(java.util.Optional.of("br-front"), Runner.deviceOf("net.ipv4.conf.br-front.route_localnet"));
    assertEquals(java.util.Optional.of("eth0"), Runner.deviceOf("net.ipv6.conf.eth0.disable_ipv6"));
    assertEquals(java.util.Optional.empty(), Runner.deviceOf("net.ipv6.conf.all.forwarding"));
    assertEquals(java.util.Optional.empty(), Runner.deviceOf("net.ipv4.conf.default.rp_filter"));
    assertEquals(java.util.Optional.empty(), Runner.deviceOf("net.ipv4.ip_forward"));
    assertEquals(java.util.Optional.empty(), Runner.deviceOf("net.bridge.bridge-nf-call-iptables"));
    assertTrue(Runner.namespaceWide("net.ipv6.conf.all.forwarding"));
    assertTrue(Runner.namespaceWide("net.bridge.bridge-nf-call-iptables"));
    assertTrue(Runner.namespaceWide("net.ipv4.neigh.default.gc_thresh1"));
    assertTrue(!Runner.namespaceWide("net.ipv4.conf.br-front.route_localnet"));
    assertTrue(!Runner.namespaceWide("net.ipv6.conf.ve-web-0.accept_dad"));
  }

  @Test
  void aMountPointIsTheFifthFieldOfMountinfo() {
    String mountinfo = "22 1 0:21 / /run rw,nosuid shared:5 - tmpfs tmpfs rw\n"
        + "812 22 0:21 /netns /run/netns rw,nosuid shared:5 - tmpfs tmpfs rw\n"
        + "901 812 0:4 net:[4026532890] /run/netns/t1 rw shared:5 - nsfs nsfs rw\n";
    assertTrue(Runner.mountPoint(mountinfo, "/run/netns"));
    assertTrue(!Runner.mountPoint(mountinfo.replace("/run/netns rw", "/run/netns2 rw"), "/run/netns"), "no line mounts /run/netns itself");
    assertTrue(!Runner.mountPoint("", "/run/netns"));
  }

  @Test
  void sandboxRunsCreateTheOutsideWithTheModelsAddresses() {
    List<Sandbox.Run> runs = new Sandbox("t1").creation(false, false, false);
    assertEquals(List.of("ip", "-batch", "-"), runs.get(0).argv());
    // S's sysctls before any link is made in it: a router whose links skip IPv6 DAD
    assertEquals(List.of("netns add t1", "netns exec t1 sysctl -qw net.ipv6.conf.all.accept_dad=0"
        + " net.ipv6.conf.default.accept_dad=0 net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
        "netns add t1-outside"), runs.get(0).lines());
    assertEquals(List.of(), new Sandbox("t1").creation(true, true, true), "an S that exists is left as it is");
    // an S made by others, without S-outside: the uplink is made, and nothing is deleted first
    List<Sandbox.Run> inForeign = new Sandbox("t1").creation(true, false, false);
    assertEquals(List.of("netns add t1-outside"), inForeign.get(0).lines());
    assertEquals(List.of("ip", "-n", "t1", "-batch", "-"), inForeign.get(1).argv(), "not forced: every line must work");
    assertTrue(inForeign.get(1).lines().stream().noneMatch(l -> l.startsWith("link del")), inForeign.get(1).lines()::toString);
    // whose defaults may switch IPv6 off and detect duplicates: the uplink has IPv6 on and skips
    // DAD, set between its making and its carrier
    assertEquals("netns exec t1 sysctl -qw net.ipv6.conf.uplink.disable_ipv6=0 net.ipv6.conf.uplink.accept_dad=0",
        inForeign.get(1).lines().get(1));
    // an old host end whose outside is gone is replaced
    assertEquals("link del uplink", new Sandbox("t1").creation(true, false, true).get(1).lines().get(0));
    // a new S next to an S-outside left over (the old S deleted by hand, the pair with it)
    List<Sandbox.Run> newHost = new Sandbox("t1").creation(false, true, false);
    assertTrue(newHost.get(1).lines().stream().anyMatch(l -> l.startsWith("link add uplink type veth peer name uplink netns t1-outside")),
        newHost.toString());
    assertEquals("t1-outside", newHost.get(2).namespace());
    assertTrue(newHost.get(1).lines().stream().noneMatch(l -> l.contains("sysctl")), "a new S's default skips it");
    // both namespaces there, the uplink deleted by hand: made again, in both, no namespace added
    List<Sandbox.Run> relink = new Sandbox("t1").creation(true, true, false);
    assertEquals(List.of("t1", "t1-outside"), relink.stream().map(Sandbox.Run::namespace).toList());
    assertTrue(relink.get(0).lines().get(0).startsWith("link add uplink type veth peer name uplink netns t1-outside"));
    assertTrue(runs.get(2).lines().contains("address add 198.18.0.2/30 dev uplink"));
    assertTrue(runs.get(2).lines().contains("address add 2001:2::2/64 dev uplink nodad"));
    // the outside reaches every host address (a port published on a gateway), not only the uplink's
    assertEquals(List.of("route add default via 198.18.0.1 dev uplink", "route add ::/0 via 2001:2::1 dev uplink"),
        runs.get(2).lines().subList(runs.get(2).lines().size() - 2, runs.get(2).lines().size()));
  }
}
