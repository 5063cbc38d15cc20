package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netc.compiler.Compiler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy changed in an applied topology: when only set elements differ, apply sends one
 * {@code nft -f} transaction of exactly those elements; the kernel's set then holds what the
 * topology says (read with {@code nft -j list set}) and traffic follows it. A table edited by
 * hand, or rules that change, fall back to the whole-table replace. Each test has its own
 * sandbox, removed afterwards.
 */
@Timeout(120)
class TableUpdateKernelTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path stateDir;
  @TempDir Path dir;
  String s;
  Runner runner;
  RecordingExecutor recorded;
  Path file;
  String source;

  @BeforeEach
  void setUp() throws Exception {
    Kernel.assumeKernel();
    s = Kernel.sandboxName();
    recorded = RecordingExecutor.around(Kernel.EXEC);
    runner = new Runner(recorded, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    source = Files.readString(Kernel.root().resolve("examples/webshop.netc"));
    file = dir.resolve("webshop.netc"); // one path: element comments name it
  }

  @AfterEach
  void tearDown() {
    if (s != null) {
      Kernel.removeSandbox(s, stateDir);
    }
  }

  private Runner.Target target(String text) throws Exception {
    Files.writeString(file, text);
    return Kernel.target(new Compiler().compile(file).topology().orElseThrow(), s);
  }

  /** web -> api on port 3001 instead of 3000. */
  private String moved() {
    String t = source.replace("allow ingress from app=web port 3000/tcp", "allow ingress from app=web port 3001/tcp");
    assertFalse(t.equals(source));
    return t;
  }

  private List<RecordingExecutor.Call> nftLoads(int from) {
    List<RecordingExecutor.Call> calls = recorded.calls();
    return calls.subList(from, calls.size()).stream()
        .filter(c -> c.argv().contains("nft") && c.argv().contains("-f")).toList();
  }

  /**
   * The (destination, port) of every element of {@code allow_in4} and {@code allow_in4_exact},
   * as the kernel holds them.
   */
  private Set<String> allowIn4() throws Exception {
    Set<String> out = new TreeSet<>();
    for (String set : List.of("allow_in4", "allow_in4_exact")) {
      CommandExecutor.Result r = Kernel.run("ip", "netns", "exec", s, "nft", "-j", "list", "set", "inet",
          "netc_webshop", set);
      assertTrue(r.ok(), r.err());
      for (JsonNode item : JSON.readTree(r.out()).path("nftables")) {
        for (JsonNode e : item.path("set").path("elem")) {
          JsonNode concat = e.has("elem") ? e.path("elem").path("val").path("concat") : e.path("concat");
          assertEquals(4, concat.size(), e::toString);
          out.add(concat.get(1).asText() + ":" + concat.get(3).asText());
        }
      }
    }
    return out;
  }

  @Test
  void aChangedPolicyIsOneTransactionOfItsElementsAndTrafficFollows() throws Exception {
    runner.apply(target(source));
    assertEquals(Set.of("10.20.0.3:3000", "10.20.0.4:3000", "10.20.0.5:5432"), allowIn4());

    Runner.Target changed = target(moved());
    Plan plan = runner.plan(changed);
    assertEquals(List.of("~ table:" + s + ":inet netc_webshop  (set allow_in4_exact: +4 -4 elements)"),
        plan.changes().stream().map(Change::line).toList(), plan.text());

    int before = recorded.calls().size();
    runner.apply(changed);
    List<RecordingExecutor.Call> loads = nftLoads(before);
    assertEquals(1, loads.size(), loads::toString);
    String tx = loads.get(0).stdin();
    assertTrue(tx.startsWith("delete element inet netc_webshop allow_in4_exact {"), tx);
    assertFalse(tx.contains("table"), tx);
    assertEquals(4, tx.lines().filter(l -> l.contains(". tcp . 3000")).count(), tx);
    assertEquals(4, tx.lines().filter(l -> l.contains(". tcp . 3001")).count(), tx);
    assertEquals(Set.of("10.20.0.3:3001", "10.20.0.4:3001", "10.20.0.5:5432"), allowIn4());
    assertTrue(runner.plan(changed).empty(), () -> runner.plan(changed).text());

    Process p3000 = Kernel.listen(s + "-api-1", 3000);
    Process p3001 = Kernel.listen(s + "-api-1", 3001);
    try {
      assertTrue(Kernel.connects(s + "-web", "10.20.0.3", 3001), "web -> api-1:3001 is admitted now");
      assertFalse(Kernel.connects(s + "-web", "10.20.0.3", 3000), "web -> api-1:3000 no longer");
      assertFalse(Kernel.connects(s + "-db", "10.20.0.3", 3001), "db -> api-1:3001 never");
    } finally {
      Kernel.stop(p3000);
      Kernel.stop(p3001);
    }
  }

  @Test
  void aFailedTransactionChangesNothingAndRulesThatChangeReplaceTheTable() throws Exception {
    Runner.Target original = target(source);
    runner.apply(original);

    // the same topology, its tables flushed by hand: replaced whole, not an (empty) element delta
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "flush", "table", "inet", "netc_webshop").ok());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "flush", "table", "bridge", "netc_webshop").ok());
    assertTrue(runner.plan(original).changes().get(0).detail().startsWith("0 rules, applied with "),
        () -> runner.plan(original).text());
    int flushed = recorded.calls().size();
    runner.apply(original);
    assertTrue(nftLoads(flushed).get(0).stdin().contains("delete table inet netc_webshop"));
    assertTrue(runner.plan(original).empty(), () -> runner.plan(original).text());

    // one rule edited by hand, the number of rules the same: seen by the rules' digest
    String rule = Kernel.run("ip", "netns", "exec", s, "nft", "-a", "list", "table", "inet", "netc_webshop").out().lines()
        .filter(l -> l.contains("ct state established,related accept")).findFirst().orElseThrow();
    String chain = Kernel.run("ip", "netns", "exec", s, "nft", "-a", "list", "table", "inet", "netc_webshop").out().lines()
        .takeWhile(l -> !l.equals(rule)).filter(l -> l.strip().startsWith("chain ")).reduce((a, b) -> b).orElseThrow()
        .strip().split(" ")[1];
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "replace rule inet netc_webshop " + chain + " handle "
        + rule.replaceAll(".*# handle (\\d+).*", "$1") + " ct state established accept").ok());
    // named in nft's words, the live listing against the loaded file's
    assertEquals("rules edited since apply: chain " + chain + ": `ct state established accept` added, `ct state established,related"
        + " accept comment \"replies and related traffic of admitted connections\"` deleted; replaced atomically",
        runner.plan(original).changes().get(0).detail(), () -> runner.plan(original).text());
    runner.apply(original);
    assertTrue(runner.plan(original).empty(), () -> runner.plan(original).text());
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "list", "table", "inet", "netc_webshop").out()
        .contains("ct state established,related accept"));

    Runner.Target changed = target(moved());

    // the element transaction fails: the table and its records are as they were
    RecordingExecutor failing = new RecordingExecutor((argv, stdin) -> argv.contains("nft") && argv.contains("-f")
        ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> broken.apply(changed));
    assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
    assertEquals(Set.of("10.20.0.3:3000", "10.20.0.4:3000", "10.20.0.5:5432"), allowIn4());
    assertEquals("set allow_in4_exact: +4 -4 elements", runner.plan(changed).changes().get(0).detail());

    // a rule deleted by hand: the table is not as applied, so the whole table is replaced
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "flush", "chain", "inet", "netc_webshop", "policy_check").ok());
    assertEquals("24 rules, applied with 26: chain policy_check flushed (2 rules); " + Runner.WHOLE_TABLE,
        runner.plan(changed).changes().get(0).detail());
    int before = recorded.calls().size();
    runner.apply(changed);
    assertTrue(nftLoads(before).get(0).stdin().contains("delete table inet netc_webshop"));
    assertEquals(Set.of("10.20.0.3:3001", "10.20.0.4:3001", "10.20.0.5:5432"), allowIn4());
    assertTrue(runner.plan(changed).empty());

    // a policy with a deny rule adds rules: the whole table again
    Runner.Target denying = target(moved().replace("allow ingress from app=web port 3001/tcp",
        "allow ingress from app=web port 3001/tcp\n  deny ingress from cidr 10.66.0.0/16"));
    assertEquals("content, replaced atomically", runner.plan(denying).changes().get(0).detail());
    before = recorded.calls().size();
    runner.apply(denying);
    assertTrue(nftLoads(before).get(0).stdin().contains("delete table inet netc_webshop"));
    assertTrue(runner.plan(denying).empty());
    Process api = Kernel.listen(s + "-api-1", 3001);
    try {
      assertTrue(Kernel.connects(s + "-web", "10.20.0.3", 3001), "web -> api-1:3001");
      assertFalse(Kernel.connects(s + "-db", "10.20.0.3", 3001), "db -> api-1:3001");
    } finally {
      Kernel.stop(api);
    }
  }

  @Test
  void aPlanReadsTheRulesOnlyWhenTheRulesetChangedSinceApply() throws Exception {
    List<String> trace = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Runner traced = new Runner(new TracingExecutor(recorded, trace::add), Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    Runner.Target original = target(source);
    traced.apply(original);
    // the record: the table's rules, chains and elements, the generation of S's ruleset read just before
    // them, and the kept file's size, inode and change time
    String record = Files.readString(stateDir.resolve(s + ".webshop.nft.sha256"));
    assertTrue(record.matches("(?s)[0-9a-f]{64}\nrules \\d+ sha256=[0-9a-f]{64} chains=[0-9a-f]{64} elements 31/[0-9a-f]{16} sets inet:bridges=\\d+/[0-9a-f]{16} [^\n]+\ngeneration \\d+ \\d+\nkept \\d+ \\d+ \\d+\n"),
        record);

    // nothing changed in S's ruleset since: the plan reads its generation with its tables, not the rules
    trace.clear();
    assertTrue(traced.plan(original).empty());
    assertTrue(trace.stream().anyMatch(l -> l.matches("\\d+ ms: netlink: the nftables chains of " + s + ", generation \\d+")),
        trace::toString);
    assertTrue(trace.stream().noneMatch(l -> l.contains("set elements in table")), trace::toString);

    // another table in S: a new generation, so the rules are read (and are as applied)
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add", "table", "inet", "someone_else").ok());
    trace.clear();
    assertTrue(traced.plan(original).empty(), () -> traced.plan(original).text());
    assertTrue(trace.stream().anyMatch(l -> l.contains("set elements in table inet netc_webshop")), trace::toString);
    // a no-op apply records that generation: the plans after it skip the read again
    String generation = record().get(2);
    assertTrue(traced.apply(original).plan().empty());
    assertFalse(record().get(2).equals(generation), record()::toString);
    trace.clear();
    assertTrue(traced.plan(original).empty(), () -> traced.plan(original).text());
    assertTrue(trace.stream().noneMatch(l -> l.contains("set elements in table")), trace::toString);
    // and still sees an element added by hand after it
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add", "element", "inet", "netc_webshop", "allow_in4_exact",
        "{ 10.10.0.10 . 10.20.0.5 . tcp . 5432 }").ok());
    assertEquals("set allow_in4_exact: 10.10.0.10 . 10.20.0.5 . tcp . 5432 added since apply; replaced atomically",
        traced.plan(original).changes().get(0).detail());
    traced.apply(original);

    // a rule of netc's table edited by hand, the number the same: found by the rules' digest
    String rule = Kernel.run("ip", "netns", "exec", s, "nft", "-a", "list", "chain", "inet", "netc_webshop", "forward").out()
        .lines().filter(l -> l.contains("ct state established,related accept")).findFirst().orElseThrow();
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "replace rule inet netc_webshop forward handle "
        + rule.replaceAll(".*# handle (\\d+).*", "$1") + " ct state established accept").ok());
    assertEquals("rules edited since apply: chain forward: `ct state established accept` added, `ct state established,related"
        + " accept comment \"replies and related traffic of admitted connections\"` deleted; replaced atomically",
        traced.plan(original).changes().get(0).detail());
    traced.apply(original);
    trace.clear();
    assertTrue(traced.plan(original).empty(), () -> traced.plan(original).text());
    assertTrue(trace.stream().noneMatch(l -> l.contains("set elements in table")), trace::toString);
  }

  /** The table's record ({@code S.webshop.nft.sha256} in the state folder), line by line. */
  private List<String> record() throws Exception {
    return Files.readAllLines(stateDir.resolve(s + ".webshop.nft.sha256"));
  }

  @Test
  void aDamagedRecordIsAWholeTableReplaceThatWritesItAnew() throws Exception {
    runner.apply(target(source));
    Path rec = stateDir.resolve(s + ".webshop.nft.sha256");
    String good = Files.readString(rec);
    for (String damaged : List.of("garbage\n", good.replaceFirst("(?m)^rules .*$", "rules x"))) {
      Files.writeString(rec, damaged);
      assertEquals(List.of("~ table:" + s + ":inet netc_webshop  (content, replaced atomically)"),
          runner.plan(target(source)).changes().stream().map(Change::line).toList());
      runner.apply(target(source));
      List<String> written = record();
      assertTrue(written.get(0).matches("[0-9a-f]{64}") && written.get(1).startsWith("rules "), written::toString);
      Plan again = runner.plan(target(source));
      assertTrue(again.empty(), again::text);
    }
  }

  /**
   * A table of the topology with no record of what netc loaded (loaded by hand from `emit
   * --backend nft`, or the records under /run/netc removed): its content is unknown, so it is
   * replaced whole, and the plan says why rather than that its content changed.
   */
  @Test
  void aTableWithoutARecordSaysSoAndIsReplacedWhole() throws Exception {
    runner.apply(target(source));
    Files.delete(stateDir.resolve(s + ".webshop.nft"));
    Files.delete(stateDir.resolve(s + ".webshop.nft.sha256"));
    assertEquals(List.of("~ table:" + s + ":inet netc_webshop  (no record of what netc loaded; content, replaced atomically)"),
        runner.plan(target(source)).changes().stream().map(Change::line).toList());
    runner.apply(target(source));
    assertTrue(runner.plan(target(source)).empty());
  }

  @Test
  void theKeptFileIsTrustedByItsStatAndHashedWhenItChanged() throws Exception {
    runner.apply(target(source));
    Path kept = stateDir.resolve(s + ".webshop.nft");
    assertTrue(record().get(record().size() - 1).matches("kept \\d+ \\d+ \\d+"), record()::toString);
    // the kept file changed since apply wrote it: hashed, not the record's, so no element delta
    Files.writeString(kept, Files.readString(kept) + "\n");
    Runner.Target changed = target(moved());
    assertEquals(Runner.WHOLE_TABLE, runner.plan(changed).changes().get(0).detail());
    int before = recorded.calls().size();
    runner.apply(changed);
    assertTrue(nftLoads(before).get(0).stdin().contains("delete table inet netc_webshop"));
    // as apply wrote it (its size, inode and change time in the record): not hashed, so a
    // record whose hash no longer matches still gives the element delta
    List<String> lines = new java.util.ArrayList<>(record());
    lines.set(0, "0".repeat(64));
    Files.writeString(stateDir.resolve(s + ".webshop.nft.sha256"), String.join("\n", lines) + "\n");
    assertEquals("set allow_in4_exact: +4 -4 elements", runner.plan(target(source)).changes().get(0).detail());
  }

  @Test
  void anElementAddedByHandIsDriftAndAnUpdateDoesNotKeepIt() throws Exception {
    runner.apply(target(source));
    assertTrue(record().get(1).matches("rules \\d+ sha256=[0-9a-f]{64} chains=[0-9a-f]{64} elements 31/[0-9a-f]{16} sets .* inet:allow_in4_exact=4/[0-9a-f]{16} .*"), record()::toString);
    // c -> db on 5432 let in by hand: a hole the topology does not have
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add", "element", "inet", "netc_webshop", "allow_in4_exact",
        "{ 10.10.0.10 . 10.20.0.5 . tcp . 5432 }").ok());
    Drift drift = runner.drift(target(source));
    assertTrue(drift.text().startsWith("changed     table:" + s
        + ":inet netc_webshop  (set allow_in4_exact: 10.10.0.10 . 10.20.0.5 . tcp . 5432 added since apply; replaced atomically)\n"),
        drift::text);
    assertEquals(1, drift.plan().changes().size(), drift::text);
    // a policy change is no element transaction now (the hand-made element would stay): the whole table
    Runner.Target changed = target(moved());
    assertEquals("set allow_in4_exact: 10.10.0.10 . 10.20.0.5 . tcp . 5432 added since apply; " + Runner.WHOLE_TABLE,
        runner.plan(changed).changes().get(0).detail());
    int before = recorded.calls().size();
    assertTrue(runner.apply(changed).notes().isEmpty());
    List<RecordingExecutor.Call> loads = nftLoads(before);
    assertEquals(1, loads.size(), loads::toString);
    assertTrue(loads.get(0).stdin().contains("delete table inet netc_webshop"), loads.get(0).stdin());
    assertEquals(Set.of("10.20.0.3:3001", "10.20.0.4:3001", "10.20.0.5:5432"), allowIn4());
    assertTrue(runner.plan(changed).empty(), () -> runner.plan(changed).text());
  }

  @Test
  void anElementDeletedByHandIsDriftThatApplyRepairs() throws Exception {
    runner.apply(target(source));
    // web -> api-1 on 3000 deleted by hand: a connection the topology allows now fails
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "delete", "element", "inet", "netc_webshop", "allow_in4_exact",
        "{ 10.20.0.2 . 10.20.0.3 . tcp . 3000 }").ok());
    Plan plan = runner.plan(target(source));
    // named with the policy and line it came from (the comment of the line apply loaded)
    assertEquals(List.of("~ table:" + s + ":inet netc_webshop  (set allow_in4_exact: 10.20.0.2 . 10.20.0.3 . tcp . 3000"
        + " (web-to-api " + file + ":46) deleted since apply; replaced atomically)"),
        plan.changes().stream().map(Change::line).toList(), plan.text());
    int before = recorded.calls().size();
    assertTrue(runner.apply(target(source)).notes().isEmpty());
    assertEquals(1, nftLoads(before).size());
    assertEquals(Set.of("10.20.0.3:3000", "10.20.0.4:3000", "10.20.0.5:5432"), allowIn4());
    assertEquals(4, allowIn4Exact());
    Plan again = runner.plan(target(source));
    assertTrue(again.empty(), again::text);
  }

  @Test
  void rulesAndElementsEditedTogetherAreBothNamed() throws Exception {
    runner.apply(target(source));
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add", "element", "inet", "netc_webshop", "allow_in4_exact",
        "{ 10.10.0.10 . 10.20.0.5 . tcp . 5432 }").ok());
    String rule = Kernel.run("ip", "netns", "exec", s, "nft", "-a", "list", "chain", "inet", "netc_webshop", "forward").out()
        .lines().filter(l -> l.contains("ct state established,related accept")).findFirst().orElseThrow();
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "replace rule inet netc_webshop forward handle "
        + rule.replaceAll(".*# handle (\\d+).*", "$1") + " ct state established accept").ok());
    assertEquals("rules edited since apply: chain forward: `ct state established accept` added, `ct state established,related"
        + " accept comment \"replies and related traffic of admitted connections\"` deleted, set allow_in4_exact: 10.10.0.10"
        + " . 10.20.0.5 . tcp . 5432 added since apply; replaced atomically", runner.plan(target(source)).changes().get(0).detail());
    runner.apply(target(source));
    Plan again = runner.plan(target(source));
    assertTrue(again.empty(), again::text);
    assertEquals(4, allowIn4Exact());
  }

  /** The number of elements of {@code allow_in4_exact}. */
  private int allowIn4Exact() throws Exception {
    CommandExecutor.Result r = Kernel.run("ip", "netns", "exec", s, "nft", "-j", "list", "set", "inet", "netc_webshop",
        "allow_in4_exact");
    assertTrue(r.ok(), r.err());
    int n = 0;
    for (JsonNode item : JSON.readTree(r.out()).path("nftables")) {
      n += item.path("set").path("elem").size();
    }
    return n;
  }

  @Test
  void anElementDeletedByHandUnderARecordWithoutElementsDoesNotStopTheNextUpdate() throws Exception {
    runner.apply(target(source));
    // a record as netc wrote it before it read the elements: the plan cannot see the deletion
    Path record = stateDir.resolve(s + ".webshop.nft.sha256");
    Files.writeString(record, Files.readString(record).replaceAll(" elements .*", ""));
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "delete", "element", "inet", "netc_webshop", "allow_in4_exact",
        "{ 10.20.0.2 . 10.20.0.3 . tcp . 3000 }").ok());
    Runner.Target changed = target(moved());
    assertEquals("set allow_in4_exact: +4 -4 elements", runner.plan(changed).changes().get(0).detail());
    int before = recorded.calls().size();
    Runner.Outcome o = runner.apply(changed);
    // the transaction changed nothing; the whole table replaced the sets, and the user is told
    List<RecordingExecutor.Call> loads = nftLoads(before);
    assertEquals(2, loads.size(), loads::toString);
    assertTrue(loads.get(0).stdin().startsWith("delete element inet netc_webshop allow_in4_exact {"), loads.get(0).stdin());
    assertTrue(loads.get(1).stdin().contains("delete table inet netc_webshop"), loads.get(1).stdin());
    assertEquals(1, o.notes().size(), o.notes()::toString);
    String note = o.notes().get(0);
    assertTrue(note.startsWith("the elements of table inet netc_webshop in sandbox " + s
        + " were not as the last apply left them (nft: "), note);
    assertTrue(note.contains("No such file or directory") && note.endsWith("); replaced the whole table"), note);
    assertEquals(Set.of("10.20.0.3:3001", "10.20.0.4:3001", "10.20.0.5:5432"), allowIn4());
    assertTrue(runner.plan(changed).empty(), () -> runner.plan(changed).text());
    // the new record has the elements, and the next change is an element update again
    assertTrue(record().get(1).contains(" elements 31/"), record()::toString);
    Runner.Target back = target(source);
    assertEquals("set allow_in4_exact: +4 -4 elements", runner.plan(back).changes().get(0).detail());
    before = recorded.calls().size();
    assertTrue(runner.apply(back).notes().isEmpty());
    assertEquals(1, nftLoads(before).size());
    assertEquals(Set.of("10.20.0.3:3000", "10.20.0.4:3000", "10.20.0.5:5432"), allowIn4());
  }

  @Test
  void aTableUpdatedByAnApplyThatFailsLaterIsPutBack() throws Exception {
    Runner.Target original = target(source);
    runner.apply(original);
    // db and its policy go, web-to-api moves: the table update comes before the deletions
    String smaller = moved().replaceAll("(?s)container db \\{.*?\\n}\\n", "")
        .replaceAll("(?s)policy api-to-db \\{.*?\\n}\\n", "");
    Runner.Target changed = target(smaller);
    assertEquals("set isolated_in4: +1 -1 elements, set allow_in4: +0 -1 elements, set allow_in4_exact: +4 -4 elements,"
        + " set ports: +0 -1 elements, set port_mac: +0 -1 elements, set port_addr4: +0 -1 elements",
        runner.plan(changed).changes().stream()
        .filter(c -> c.id().kind() == dev.netc.backends.plan.ObjectId.Kind.TABLE).findFirst().orElseThrow().detail());
    RecordingExecutor failing = new RecordingExecutor((argv, stdin) -> stdin.contains("netns del " + s + "-db")
        ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> broken.apply(changed));
    assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
    assertEquals(Set.of("10.20.0.3:3000", "10.20.0.4:3000", "10.20.0.5:5432"), allowIn4());
    // the table and its records are as before (db's files, deleted before the failure, are
    // not restored: runner.md)
    Runner.Target back = target(source);
    Plan plan = runner.plan(back);
    assertTrue(plan.changes().stream().noneMatch(c -> c.id().kind() == dev.netc.backends.plan.ObjectId.Kind.TABLE),
        plan::text);
  }
}
