package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The endpoints' namespaces of a plan that only makes things are made beside the sandbox, by
 * {@code ip -batch} processes side by side ({@link Runner#NAMESPACE_BATCHES}): each exactly once,
 * all before the first veth is made into them, and a failure there is rolled back like any other.
 */
@Timeout(120)
class EarlyNamespacesKernelTest extends SandboxTest {
  private static final int CONTAINERS = 70;

  @TempDir Path dir;

  /** The namespaces {@code netns add} lines of {@code calls} make, in the order sent, by batch. */
  private static List<List<String>> namespaceBatches(List<RecordingExecutor.Call> calls) {
    return calls.stream().map(c -> c.stdin().lines().filter(l -> l.startsWith("netns add ")).map(l -> l.substring(10)).toList())
        .filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void manyNamespacesAreMadeOnceEachBySeveralBatchesBeforeTheirVeths() throws Exception {
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    Runner r = new Runner(recorded, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    Runner.Target t = Kernel.containers(dir, "early", CONTAINERS, s);
    r.apply(t);
    Set<String> endpoints = IntStream.rangeClosed(1, CONTAINERS).mapToObj(i -> s + "-c" + i).collect(Collectors.toCollection(TreeSet::new));
    Set<String> all = new TreeSet<>(endpoints);
    all.addAll(Set.of(s, s + "-outside"));
    assertEquals(all, Kernel.namespacesOf(s));
    List<RecordingExecutor.Call> calls = recorded.calls();
    List<List<String>> batches = namespaceBatches(calls).stream().filter(b -> !b.contains(s)).toList();
    List<String> made = batches.stream().flatMap(List::stream).sorted().toList();
    assertEquals(endpoints.stream().sorted().toList(), made, "each endpoint namespace made once");
    assertEquals(Runner.namespaceBatches(CONTAINERS), batches.size(), batches::toString);
    assertTrue(Runtime.getRuntime().availableProcessors() < 2 || batches.size() == 2, "two side by side on two processors or more");
    int lastNamespaces = 0;
    int firstVeth = -1;
    for (int i = 0; i < calls.size(); i++) {
      if (calls.get(i).stdin().lines().anyMatch(l -> l.startsWith("netns add "))) {
        lastNamespaces = i;
      }
      if (firstVeth < 0 && calls.get(i).stdin().contains(" type veth peer name eth0 ")) {
        firstVeth = i;
      }
    }
    assertTrue(firstVeth > lastNamespaces, "every namespace before the first veth: " + lastNamespaces + ", " + firstVeth);
    // and they are the topology's: a second apply changes nothing
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).changes().toString());
  }

  @Test
  void aTopologyThatGrowsMakesItsNewNamespacesBesideTheExistingSandbox() throws Exception {
    runner.apply(Kernel.containers(dir, "early", 5, s));
    RecordingExecutor recorded = RecordingExecutor.around(Kernel.EXEC);
    Runner r = new Runner(recorded, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    Runner.Target grown = Kernel.containers(dir, "early", CONTAINERS, s);
    r.apply(grown);
    List<String> made = namespaceBatches(recorded.calls()).stream().flatMap(List::stream).sorted().toList();
    assertEquals(IntStream.rangeClosed(6, CONTAINERS).mapToObj(i -> s + "-c" + i).sorted().toList(), made,
        "the new ones, each once");
    assertEquals(Runner.namespaceBatches(CONTAINERS - 5), namespaceBatches(recorded.calls()).size());
    assertEquals(CONTAINERS + 2, Kernel.namespacesOf(s).size());
    assertTrue(runner.plan(grown).empty(), () -> runner.plan(grown).changes().toString());
  }

  @Test
  void aFailedNamespaceBatchIsRolledBackWithTheSandbox() throws Exception {
    String last = "netns add " + s + "-c" + CONTAINERS + "\n";
    RecordingExecutor failing = new RecordingExecutor((argv, stdin) -> stdin.endsWith(last)
        ? new CommandExecutor.Result(1, "", "injected failure") : Kernel.EXEC.run(argv, stdin));
    Runner broken = new Runner(failing, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> broken.apply(Kernel.containers(dir, "early", CONTAINERS, s)));
    assertEquals("ip -batch - failed: injected failure; rolled back, sandbox " + s + " is as before", e.getMessage());
    assertEquals(Set.of(), Kernel.namespacesOf(s), "nothing left: the sandbox was new");
  }
}
