package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.ObjectId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which host ends die with their peers' namespaces, and the wait for them (a scripted kernel). */
class DyingPeersTest {
  private static ObjectId link(String ns, String name) {
    return new ObjectId(ObjectId.Kind.LINK, ns, name);
  }

  private static LiveLink veth(int ifindex, int peer) {
    return new LiveLink("veth", 1500, true, "", "x", ifindex, peer);
  }

  private static LiveState live(Map<ObjectId, LiveLink> links) {
    return LiveState.builder().sandboxExists(true).outsideExists(true).owned(links.keySet())
        .hostNamespaces(Set.of("t1")).links(links).build();
  }

  @Test
  void aHostEndPairsWithTheLinkWhoseIndexAndPeerAreCrossedAndCountsWhenThatNamespaceDies() {
    Map<ObjectId, LiveLink> links = new LinkedHashMap<>();
    links.put(link("t1", "ve-a-0"), veth(10, 2));
    links.put(link("t1-a", "eth0"), veth(2, 10));
    links.put(link("t1", "ve-b-0"), veth(11, 2));
    links.put(link("t1-b", "eth0"), veth(2, 11));
    links.put(link("t1", "br-x"), new LiveLink("bridge", 1500, true, "", "x", 5, -1));
    // an index that matches one way only is no pair
    links.put(link("t1", "ve-c-0"), veth(12, 3));
    links.put(link("t1-c", "eth0"), veth(3, 99));
    List<ObjectId> ids = List.of(link("t1", "ve-a-0"), link("t1", "ve-b-0"), link("t1", "br-x"), link("t1", "ve-c-0"));
    assertEquals(Map.of(link("t1", "ve-a-0"), 10), DyingPeers.of(live(links), ids, Set.of("t1-a", "t1-c")));
    assertEquals(Map.of(link("t1", "ve-a-0"), 10, link("t1", "ve-b-0"), 11),
        DyingPeers.of(live(links), ids, Set.of("t1-a", "t1-b")));
    assertEquals(Map.of(), DyingPeers.of(live(links), ids, Set.of()));
  }

  @Test
  void inDoubtAHostEndIsDeletedExplicitly() {
    // two links could be ve-a-0's peer (indexes are per namespace): one dies, the other stays
    Map<ObjectId, LiveLink> links = new LinkedHashMap<>();
    links.put(link("t1", "ve-a-0"), veth(10, 2));
    links.put(link("t1-a", "eth0"), veth(2, 10));
    links.put(link("t1-z", "eth1"), veth(2, 10));
    assertEquals(Map.of(), DyingPeers.of(live(links), List.of(link("t1", "ve-a-0")), Set.of("t1-a")));
    assertEquals(Map.of(link("t1", "ve-a-0"), 10),
        DyingPeers.of(live(links), List.of(link("t1", "ve-a-0")), Set.of("t1-a", "t1-z")));
  }

  @Test
  void theWaitEndsWhenNameAndIndexAreGoneAndReturnsWhatIsLeftAfterTheBound() {
    List<String> answers = new ArrayList<>(List.of(
        "[{\"ifindex\":10,\"ifname\":\"ve-a-0\"},{\"ifindex\":11,\"ifname\":\"ve-b-0\"}]",
        // ve-b-0 is another link now (another index): gone as far as the wait is concerned
        "[{\"ifindex\":10,\"ifname\":\"ve-a-0\"},{\"ifindex\":40,\"ifname\":\"ve-b-0\"}]",
        "[]"));
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> new CommandExecutor.Result(0,
        answers.size() > 1 ? answers.remove(0) : answers.get(0), ""));
    Map<ObjectId, Integer> pending = Map.of(link("t1", "ve-a-0"), 10, link("t1", "ve-b-0"), 11);
    assertEquals(Map.of(), DyingPeers.await(exec, pending, Duration.ofSeconds(5)));
    assertEquals(3, exec.calls().size());
    assertTrue(exec.calls().stream().allMatch(c -> c.line().equals("ip -j -n t1 link show type veth")), exec.calls()::toString);

    RecordingExecutor stays = new RecordingExecutor((argv, in) -> new CommandExecutor.Result(0,
        "[{\"ifindex\":10,\"ifname\":\"ve-a-0\"}]", ""));
    long start = System.nanoTime();
    assertEquals(Map.of(link("", "ve-a-0"), 10), DyingPeers.await(stays, Map.of(link("", "ve-a-0"), 10), Duration.ofMillis(100)));
    assertTrue((System.nanoTime() - start) / 1_000_000 >= 100, "waited for the bound");
    assertEquals("ip -j link show type veth", stays.calls().get(0).line(), "host mode: the namespace netc runs in");

    RecordingExecutor failing = new RecordingExecutor((argv, in) -> new CommandExecutor.Result(1, "", "Cannot open"));
    assertEquals(Map.of(link("t1", "ve-a-0"), 10), DyingPeers.await(failing, Map.of(link("t1", "ve-a-0"), 10), DyingPeers.WAIT));
    assertEquals(1, failing.calls().size(), "a namespace that cannot be read is not waited for");
  }
}
