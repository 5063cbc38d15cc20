package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers removed by destroy or by an apply: their namespaces are deleted and the host ends
 * of their veths go with them, removed by the kernel's namespace cleanup in one batch, never
 * by a {@code link del} each ({@link DyingPeers}); what stays keeps its ifindex.
 */
@Timeout(120)
class FastDeletionKernelTest extends SandboxTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** Containers {@code c1} ... {@code cN} on one bridge network, both families. */
  private Runner.Target containers(int n) throws Exception {
    return Kernel.containers(dir, "fastdel", n, s);
  }

  /** The links of namespace {@code ns}, name to ifindex. */
  private static Map<String, Integer> links(String ns) {
    Map<String, Integer> out = new TreeMap<>();
    try {
      for (JsonNode l : JSON.readTree(Kernel.run("ip", "-j", "-n", ns, "link", "show").out())) {
        out.put(l.path("ifname").asText(), l.path("ifindex").asInt());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out;
  }

  /** Every {@code ip -batch} line {@code recorded} sent that deletes a link. */
  private static List<String> linkDeletions(RecordingExecutor recorded, int from) {
    List<RecordingExecutor.Call> calls = recorded.calls();
    return calls.subList(from, calls.size()).stream().flatMap(c -> c.stdin().lines())
        .filter(l -> l.startsWith("link del")).toList();
  }

  @Test
  void destroyOfThirtyContainersDeletesTheirNamespacesAndNoVethOneByOne() throws Exception {
    Runner.Target t = containers(30);
    runner.apply(t);
    assertEquals(30, links(s).keySet().stream().filter(n -> n.startsWith("ve-")).count(), () -> links(s).toString());
    // a foreign link keeps S, so that what is left in it can be seen
    assertTrue(Kernel.run("ip", "-n", s, "link", "add", "foreign0", "type", "bridge").ok());
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    Runner r = new Runner(recorded, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));

    Runner.Outcome gone = r.destroy(t);
    System.out.printf("destroy of 30 containers: %d processes, %d ms%n", gone.processes(), gone.millis());
    assertTrue(gone.notes().stream().anyMatch(n -> n.contains("kept sandbox")), gone.notes()::toString);
    assertEquals(Set.of(s, s + "-outside"), Kernel.namespacesOf(s));
    assertEquals(Set.of("lo", "uplink", "foreign0"), links(s).keySet(), "no veth, no bridge of the topology left in S");
    assertEquals(List.of("link del br-net"), linkDeletions(recorded, 0),
        "the veths went with their namespaces, only the bridge was deleted");
    assertEquals(1, recorded.calls().stream().filter(c -> c.stdin().lines().filter(l -> l.startsWith("netns del")).count() == 30)
        .count(), "the 30 namespaces in one ip -batch");
    for (int i = 1; i <= 30; i++) {
      assertFalse(Files.exists(Runner.ETC_NETNS.resolve(s + "-c" + i)), "/etc/netns/" + s + "-c" + i);
    }
    assertTrue(r.plan(t).changes().stream().noneMatch(c -> c.action() == Change.Action.DELETE), "nothing owned is left");
  }

  @Test
  void anApplyThatRemovesContainersLeavesTheOthersUntouched() throws Exception {
    runner.apply(containers(10));
    Map<String, Integer> before = links(s);
    Map<String, Map<String, Integer>> endpointsBefore = new TreeMap<>();
    for (int i = 1; i <= 7; i++) {
      endpointsBefore.put(s + "-c" + i, links(s + "-c" + i));
    }
    Set<String> removedVeths = before.keySet().stream().filter(n -> n.matches("ve-c(8|9|10)-.*")).collect(Collectors.toSet());
    assertEquals(3, removedVeths.size(), before::toString);
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    Runner r = new Runner(recorded, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    Runner.Target seven = containers(7);

    Runner.Outcome o = r.apply(seven);
    assertEquals(3, o.plan().changes().stream().filter(c -> c.action() == Change.Action.DELETE
        && c.id().kind() == dev.netc.backends.plan.ObjectId.Kind.NAMESPACE).count(), o.plan()::text);
    assertEquals(List.of(), linkDeletions(recorded, 0), "the removed veths went with their namespaces");
    Set<String> ns = Kernel.namespacesOf(s);
    for (int i = 8; i <= 10; i++) {
      assertFalse(ns.contains(s + "-c" + i), s + "-c" + i + " is gone");
    }
    Map<String, Integer> after = links(s);
    Map<String, Integer> expected = new TreeMap<>(before);
    expected.keySet().removeAll(removedVeths);
    assertEquals(expected, after, "the removed host ends are gone, the other links of S keep their ifindex");
    for (Map.Entry<String, Map<String, Integer>> e : endpointsBefore.entrySet()) {
      assertEquals(e.getValue(), links(e.getKey()), e.getKey() + " untouched");
    }
    assertTrue(r.plan(seven).empty(), () -> r.plan(seven).text());
  }
}
