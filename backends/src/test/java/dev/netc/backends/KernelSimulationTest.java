package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netc.backends.nftables.RulesetBuilder;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Planner;
import dev.netc.backends.plan.PublishedPort;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.model.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The plans reproduce the model: for the web shop, every single-host example and golden case
 * the plans realise fully (no {@code NETC520}) and that have no service, and every Kubernetes conformance fixture, a
 * {@link KernelSim simulation} of the host's kernel as the ip plan and the nftables table leave
 * it (routes, bridging, DNAT, the forward chain's isolation and policy sets) admits a connection
 * from A to B on P exactly when {@link Reachability#allowed} does, for every pair of nodes and
 * every port the topology names, plus the ports just outside every policy port range and a few
 * unrelated ones, in TCP and UDP.
 */
class KernelSimulationTest {
  @TestFactory
  Stream<DynamicTest> planMatchesModel() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    // the cases the simulation cannot judge are left out at once, not skipped: a case with errors
    // has no plan; several hosts are kernels of their own; NETC520 leaves something out; services
    // balance at random (ServicesKernelTest measures them with real traffic)
    java.util.Map<String, Integer> leftOut = new java.util.TreeMap<>();
    for (GoldenTest.Case c : GoldenTest.cases()) {
      if (c.name().startsWith("conformance/")) {
        continue;
      }
      Optional<String> why = notComparable(TestTopologies.compile(c.inputDir(), c.rootFile()));
      if (why.isPresent()) {
        leftOut.merge(why.get(), 1, Integer::sum);
        continue;
      }
      tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c.name(), c.inputDir(), c.rootFile(), false)));
    }
    leftOut.forEach((why, n) -> System.out.println("KernelSimulationTest: " + n + " golden cases left out: " + why));
    try (Stream<Path> dirs = Files.list(ConformanceTest.CONFORMANCE)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        tests.add(DynamicTest.dynamicTest("conformance/" + d.getFileName(),
            () -> check("conformance/" + d.getFileName(), d, "input.netc", true)));
      }
    }
    assertFalse(tests.isEmpty());
    return tests.stream();
  }

  /** Why the simulation cannot judge a compiled case, if it cannot. */
  private static Optional<String> notComparable(CompileResult r) {
    if (r.topology().isEmpty()) {
      return Optional.of("errors, no plan");
    }
    Topology t = r.topology().get();
    if (t.hosts().size() != 1) {
      return Optional.of("several hosts, each a kernel of its own (DriversKernelTest)");
    }
    if (!Planner.plan(t, "").diagnostics().isEmpty()) {
      return Optional.of("the plan leaves something out (NETC520) or warns");
    }
    if (!t.services().isEmpty()) {
      return Optional.of("services balance at random (ServicesKernelTest)");
    }
    return Optional.empty();
  }

  private void check(String name, Path dir, String root, boolean required) {
    CompileResult r = TestTopologies.compile(dir, root);
    if (r.topology().isEmpty()) {
      if (required) {
        fail(name + " does not compile");
      }
      Assumptions.abort("has errors: no plan");
    }
    Topology t = r.topology().get();
    Planner.Result plan = Planner.plan(t, "");
    if (t.hosts().size() != 1 || !plan.diagnostics().isEmpty()) {
      if (required) {
        fail(name + ": expected one host and a plan without diagnostics");
      }
      Assumptions.abort(t.hosts().size() != 1 ? "several hosts: each is a kernel of its own"
          : "the plans leave something out (NETC520): not comparable");
    }
    if (!t.services().isEmpty()) {
      if (required) {
        fail(name + ": a conformance fixture with services");
      }
      // numgen draws the endpoint at random, and the model's verdict is per endpoint: the
      // runner's ServicesKernelTest measures the spread, policies and hairpin with real traffic
      Assumptions.abort("services balance at random: covered by ServicesKernelTest");
    }
    Reachability model = new Reachability(t);
    HostState h = plan.state().get().hosts().get(0);
    KernelSim sim = new KernelSim(h, RulesetBuilder.build(h, model));
    List<String> diffs = new ArrayList<>();
    int cells = 0;
    for (PortSpec port : ports(model)) {
      for (Node a : model.nodes()) {
        for (Node b : model.nodes()) {
          if (shadowed(h, b, port)) {
            continue;
          }
          cells++;
          boolean want = model.allowed(a, b, port);
          boolean got = sim.connects(model, a, b, port);
          if (want != got) {
            Verdict v = model.explain(a, b, port);
            diffs.add(a.name() + " -> " + b.name() + " " + port + ": model " + (want ? "admits" : "denies")
                + ", kernel " + (got ? "admits" : "denies") + " (" + v.steps().get(v.steps().size() - 1).text() + ")");
          }
        }
      }
    }
    if (!diffs.isEmpty()) {
      fail(name + ": " + diffs.size() + " of " + cells + " cells differ:\n  "
          + String.join("\n  ", diffs.subList(0, Math.min(40, diffs.size()))));
    }
  }

  /**
   * Whether the host's own {@code port} is taken by a port published on every host address: the
   * kernel forwards connections to any host address on it to the container (as Docker does), so
   * no node reaches the host itself there, while the model, which does not know, says the host
   * is reachable. A known difference (docs/kernel-plan.md); such cells are not compared.
   */
  private static boolean shadowed(HostState h, Node b, PortSpec port) {
    boolean hostLike = b.kind() == Node.Kind.HOST
        || b.endpoint().map(e -> e.mode() == dev.netc.compiler.ir.NetMode.HOST).orElse(false);
    return hostLike && h.published().stream().anyMatch(p -> p.scope() == PublishedPort.Scope.ANY
        && p.hostPort() == port.range().first() && p.protocol() == port.protocol());
  }

  /** The model's ports, each in TCP and UDP, the ports around every rule's ranges, and a few more. */
  static List<PortSpec> ports(Reachability model) {
    TreeSet<Integer> numbers = new TreeSet<>(List.of(1, 22, 65535));
    model.defaultPorts().forEach(p -> numbers.add(p.range().first()));
    for (Policy p : model.topology().policies()) {
      for (Policy.Rule r : p.rules()) {
        for (PortSpec s : r.ports()) {
          numbers.add(s.range().first());
          numbers.add(s.range().last());
          if (s.range().first() > 1) {
            numbers.add(s.range().first() - 1);
          }
          if (s.range().last() < 65535) {
            numbers.add(s.range().last() + 1);
          }
        }
      }
    }
    List<PortSpec> out = new ArrayList<>();
    for (int n : numbers) {
      out.add(new PortSpec(PortRange.of(n), Protocol.TCP));
      out.add(new PortSpec(PortRange.of(n), Protocol.UDP));
    }
    return out;
  }
}
