package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Saved plans: what the file holds, what is refused, and that a moved live state makes it stale. */
class SavedPlanTest {
  private static final Runner.Target T = Kernel.target(Kernel.compile("examples/webshop.netc"), "t1");
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

  @AfterEach
  void close() throws Exception {
    fs.close();
  }

  private Runner runner(RecordingExecutor exec) {
    return new Runner(exec, fs.getPath("/etc/netns"), fs.getPath("/run/netc"), Duration.ZERO);
  }

  private static CommandExecutor.Result ok(String out) {
    return new CommandExecutor.Result(0, out, "");
  }

  private SavedPlan fromNothing() {
    return runner(new RecordingExecutor((argv, in) -> ok(""))).planToSave(T, "1.2.3");
  }

  @Test
  void aTopologyOfSeveralHostsIsRefusedInOneLineBeforeAnythingIsRead() {
    var t = Kernel.compile("examples/overlay.netc");
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> ok(""));
    // every host in a sandbox, one host of it (--host), and host mode (this machine is h1)
    for (String sandbox : List.of("t1", "")) {
      dev.netc.backends.plan.DesiredState s = dev.netc.backends.plan.Planner.plan(t, sandbox).state().orElseThrow();
      List<Runner.Target> all = s.hosts().stream().map(h -> Targets.of(t, s, h)).toList();
      for (List<Runner.Target> ts : List.of(all, List.of(all.get(0)))) {
        RunnerException e = assertThrows(RunnerException.class, () -> runner(exec).planToSave(ts, "1.2.3"));
        assertEquals("saved plans cover topologies of one host only, and overlay has 2: plan and apply it"
            + " from its file (`netc apply FILE`)", e.getMessage());
      }
    }
    assertEquals(List.of(), exec.calls(), "refused before reading the live state");
  }

  @Test
  void aMacvlanTopologyKeepsWhatItsLinksAreMadeOf() {
    Runner.Target t = Kernel.target(Kernel.compile("examples/macvlan.netc"), "t1");
    SavedPlan saved = runner(new RecordingExecutor((argv, in) -> ok(""))).planToSave(t, "1.2.3");
    SavedPlan read = SavedPlan.parse(saved.json(), "1.2.3");
    assertTrue(t.host().links().stream().anyMatch(l -> l.params().isPresent()), "macvlan links with their parent and mode");
    assertEquals(t.host().links(), read.target().host().links(), "params and hairpin too");
    assertEquals(dev.netc.backends.iproute2.IpPlan.of(t.host()), dev.netc.backends.iproute2.IpPlan.of(read.target().host()));
  }

  @Test
  void theFileHoldsThePlanAndEverythingApplyNeedsAndReadsBackTheSame() throws Exception {
    SavedPlan saved = fromNothing();
    String json = saved.json();
    assertTrue(json.startsWith("{\n  \"netcPlan\": 1,\n  \"netcVersion\": \"1.2.3\",\n"
        + "  \"topology\": \"webshop\",\n  \"sandbox\": \"t1\",\n  \"host\": \"local\",\n"), json);
    assertTrue(SavedPlan.is(json));
    assertFalse(SavedPlan.is("topology webshop\n"));
    assertFalse(SavedPlan.is("{\"services\": {}}"), "a Compose file in JSON is a topology");

    SavedPlan read = SavedPlan.parse(json, "1.2.3");
    assertEquals(saved.plan(), read.plan());
    assertEquals(saved.liveSha256(), read.liveSha256());
    assertEquals(saved.desiredSha256(), read.desiredSha256());
    assertEquals(T.host().objects(), read.target().host().objects(), "every kernel object, every attribute");
    assertEquals(T.nft(), read.target().nft());
    assertEquals(dev.netc.backends.iproute2.IpPlan.of(T.host()), dev.netc.backends.iproute2.IpPlan.of(read.target().host()),
        "the same ip batches");
    assertEquals(json, read.json(), "written again, the same file");
  }

  @Test
  void anotherVersionAnotherFormatAnEditedDesiredStateAndGarbageAreRefusedInOneLine() {
    String json = fromNothing().json();
    List<String> refused = List.of(
        assertThrows(RunnerException.class, () -> SavedPlan.parse(json, "1.2.4")).getMessage(),
        assertThrows(RunnerException.class, () -> SavedPlan.parse(json.replaceFirst("\"netcPlan\": 1", "\"netcPlan\": 2"),
            "1.2.3")).getMessage(),
        assertThrows(RunnerException.class, () -> SavedPlan.parse(json.replace("10.20.0.5/24", "10.20.0.6/24"),
            "1.2.3")).getMessage(),
        assertThrows(RunnerException.class, () -> SavedPlan.parse("{\"netcPlan\": 1, \"netcVersion\": \"1.2.3\"}",
            "1.2.3")).getMessage(),
        assertThrows(RunnerException.class, () -> SavedPlan.parse("{", "1.2.3")).getMessage());
    assertEquals("saved plan made by netc 1.2.3, this is netc 1.2.4; run netc plan again", refused.get(0));
    assertEquals("saved plan of format 2, this netc reads format 1; run netc plan again", refused.get(1));
    assertTrue(refused.get(2).startsWith("the saved plan's desired state does not match its SHA-256"), refused.get(2));
    assertTrue(refused.get(3).startsWith("not a valid saved plan: `topology` is missing"), refused.get(3));
    assertTrue(refused.get(4).startsWith("not a saved plan: "), refused.get(4));
    refused.forEach(m -> assertEquals(1, m.lines().count(), m));
    // an action edited by hand: named as such, not as a Java enum
    String explode = json.replaceFirst("\"action\": *\"[a-z]+\"", "\"action\": \"explode\"");
    assertTrue(!explode.equals(json));
    assertEquals("not a valid saved plan: unknown action `explode`",
        assertThrows(RunnerException.class, () -> SavedPlan.parse(explode, "1.2.3")).getMessage());
  }

  @Test
  void aLiveStateThatMovedMakesThePlanStaleBeforeAnyChange() throws Exception {
    SavedPlan saved = fromNothing();
    // since the plan: someone made the sandbox
    RecordingExecutor moved = new RecordingExecutor((argv, in) -> argv.equals(List.of("ip", "netns", "list"))
        ? ok("t1\n") : argv.contains("-j") && argv.contains("-batch") && argv.contains("-6") ? ok("[]\n") // no IPv6 rule
        : argv.contains("-j") && argv.contains("-batch")
        ? ok("[{\"ifname\":\"lo\"}]\n[]\n[{\"ifname\":\"lo\",\"addr_info\":[]}]\n[]\n" + (in.contains("rule show") ? "[]\n" : ""))
        : argv.contains("-j") ? ok("{\"nftables\": []}") : ok(""));
    StalePlanException e = assertThrows(StalePlanException.class, () -> runner(moved).apply(saved));
    assertTrue(e.getMessage().startsWith("the live state of sandbox t1 changed since the plan was made (fingerprint "),
        e.getMessage());
    assertTrue(moved.calls().stream().allMatch(c -> c.line().equals("ip netns list") || c.argv().contains("-j")
        || c.argv().contains("grep")), "only reads: " + moved.calls());
    assertFalse(Files.exists(fs.getPath("/etc/netns")));
  }

  @Test
  void theFingerprintCoversWhatThePlanReadNotForeignObjectsItDoesNotWant() {
    Runner r = runner(new RecordingExecutor((argv, in) -> ok("")));
    LiveState empty = LiveState.builder().build();
    LiveState foreignElsewhere = LiveState.builder().namespaces(java.util.Set.of("t1-other"))
        .foreign(java.util.Map.of(new dev.netc.backends.plan.ObjectId(dev.netc.backends.plan.ObjectId.Kind.NAMESPACE, "", "t1-other"), ""))
        .build();
    LiveState sandbox = LiveState.builder().sandboxExists(true).namespaces(java.util.Set.of("t1")).build();
    assertEquals(r.fingerprint(T, empty), r.fingerprint(T, foreignElsewhere));
    assertFalse(r.fingerprint(T, empty).equals(r.fingerprint(T, sandbox)));
    assertEquals(64, r.fingerprint(T, empty).length());
  }

  @Test
  void theFingerprintCoversTheTableFileAnElementDeltaStartsFrom() throws Exception {
    Runner r = runner(new RecordingExecutor((argv, in) -> ok("")));
    LiveState empty = LiveState.builder().build();
    String none = r.fingerprint(T, empty);
    Files.createDirectories(fs.getPath("/run/netc"));
    Files.writeString(fs.getPath("/run/netc/t1.webshop.nft"), "table inet netc_webshop {\n}\n");
    String kept = r.fingerprint(T, empty);
    assertFalse(none.equals(kept));
    Files.writeString(fs.getPath("/run/netc/t1.webshop.nft"), "table inet netc_webshop {\n  # edited\n}\n");
    assertFalse(kept.equals(r.fingerprint(T, empty)));
  }

  /** A stale plan's refusal names the first change that differs, as `plan` writes it. */
  @Test
  void theFirstDifferenceIsNamed() {
    Change bridge = new Change(Change.Action.CREATE, new dev.netc.backends.plan.ObjectId(
        dev.netc.backends.plan.ObjectId.Kind.LINK, "s", "br-front"), "");
    Change route = new Change(Change.Action.CREATE, new dev.netc.backends.plan.ObjectId(
        dev.netc.backends.plan.ObjectId.Kind.ROUTE, "s-web", "0.0.0.0/0"), "again, after eth0 is set up");
    assertEquals(" (`" + route.line() + "` is not needed any more)", Runner.firstDifference(List.of(bridge, route), List.of(bridge)));
    assertEquals(" (`" + route.line() + "` is needed and not listed)", Runner.firstDifference(List.of(bridge), List.of(bridge, route)));
    assertEquals(" (the same changes in another order)", Runner.firstDifference(List.of(bridge, route), List.of(route, bridge)));
  }
}
