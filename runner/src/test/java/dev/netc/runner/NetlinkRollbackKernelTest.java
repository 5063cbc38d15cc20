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
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An endpoint's batch sent as rtnetlink requests that the kernel refuses part way (a route
 * through a gateway no link reaches) fails the apply with the kernel's reason and the line, and
 * the rollback leaves the sandbox as it was: here, not there at all.
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
    assertTrue(e.getMessage().startsWith("ip -n " + s + "-db -batch - failed: RTNETLINK answers: "), e.getMessage());
    assertTrue(e.getMessage().contains("(line "), e.getMessage());
    assertTrue(e.getMessage().contains("route add 10.99.0.0/16 via 10.77.0.1 dev eth0"), e.getMessage());
    assertTrue(e.getMessage().endsWith("is as before"), e.getMessage());
    // the endpoints went through netlink: no ip process entered them
    assertTrue(recorded.calls().stream().noneMatch(c -> c.argv().contains("nsenter")), () -> recorded.calls().toString());
    assertEquals(Set.of(), namespaces());
    try (var dirs = Files.list(Runner.ETC_NETNS)) {
      assertEquals(List.of(), dirs.filter(p -> p.getFileName().toString().startsWith(s + "-")).toList());
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }

    // the good topology applies afterwards
    assertTrue(!r.apply(good).plan().empty());
    assertTrue(r.plan(good).empty());
  }

  private Set<String> namespaces() {
    return new LiveReader(Kernel.EXEC, Runner.ETC_NETNS).namespaces().stream()
        .filter(n -> n.equals(s) || n.startsWith(s + "-")).collect(Collectors.toCollection(TreeSet::new));
  }
}
