package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netc.backends.plan.KernelObject;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Ownership;
import dev.netc.compiler.ir.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@link Runner#tunnelClash}: a VNI and port another topology's tunnel has on a shared host. */
class TunnelClashTest {
  private static final Sandbox SB = new Sandbox("tc1");

  private static Link vxlan(String ns, String network, int vni, int port) {
    return new Link(ns, "vx-" + network, Link.Type.VXLAN, Ownership.vxlan("b", network), OptionalInt.of(1450),
        Optional.of("br-" + network), Optional.empty(), false, Optional.empty(),
        Optional.of(new Link.Vxlan(vni, port, Optional.of(IpAddress.parse("192.168.70.11").get()), Optional.of("underlay"))));
  }

  private static LiveState live(Map<ObjectId, String> tunnels, Map<ObjectId, String> marks) {
    return LiveState.builder().tunnels(tunnels).foreign(marks).build();
  }

  private static final ObjectId OTHER = new ObjectId(ObjectId.Kind.LINK, "tc1-host_h1", "vx-mesh");

  @Test
  void aVniAndPortAnotherTopologyHasOnTheHostClash() {
    List<KernelObject> desired = List.of(vxlan("tc1-host_h1", "web", 4096, 4789), vxlan("tc1-host_h2", "web", 4096, 4789));
    LiveState live = live(Map.of(OTHER, "id=4096 port=4789 local=192.168.70.11 dev=underlay",
        new ObjectId(ObjectId.Kind.LINK, "tc1-host_h3", "vx-db"), "id=4097 port=4789 local=192.168.70.13 dev=underlay"),
        Map.of(OTHER, "netc:a:vxlan:mesh"));
    assertEquals(Optional.of("topology b cannot make its tunnels in sandbox tc1: overlay network web would take VNI 4096"
        + " (port 4789), which network mesh of topology a has on tc1-host_h1; the kernel gives a VNI and port to one VXLAN"
        + " device per host: set `vni` in one of them (`vni 4098` in network web, say)"),
        Runner.tunnelClash("b", SB, desired, live));
  }

  @Test
  void anotherPortAnotherHostOrNoTunnelIsNoClash() {
    LiveState live = live(Map.of(OTHER, "id=4096 port=4789 local=192.168.70.11 dev=underlay"), Map.of(OTHER, "netc:a:vxlan:mesh"));
    assertEquals(Optional.empty(), Runner.tunnelClash("b", SB, List.of(vxlan("tc1-host_h1", "web", 4096, 4790)), live));
    assertEquals(Optional.empty(), Runner.tunnelClash("b", SB, List.of(vxlan("tc1-host_h2", "web", 4096, 4789)), live));
    assertEquals(Optional.empty(), Runner.tunnelClash("b", SB, List.of(vxlan("tc1-host_h1", "web", 4100, 4789)), live));
  }

  @Test
  void aTunnelNotNetcsIsNamedByItsMark() {
    LiveState live = live(Map.of(OTHER, "id=4096 port=4789"), Map.of(OTHER, ""));
    assertEquals(Optional.of("topology b cannot make its tunnels in sandbox tc1: overlay network web would take VNI 4096"
        + " (port 4789), which VXLAN device vx-mesh (no mark) has on tc1-host_h1; the kernel gives a VNI and port to one VXLAN"
        + " device per host: set `vni` in one of them (`vni 4097` in network web, say)"),
        Runner.tunnelClash("b", SB, List.of(vxlan("tc1-host_h1", "web", 4096, 4789)), live));
  }
}
