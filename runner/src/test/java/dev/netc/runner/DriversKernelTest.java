package dev.netc.runner;

import dev.netc.backends.plan.ObjectId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.SetnsNamespaces;
import dev.netc.runner.probe.Verification;
import dev.netc.runner.probe.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay and macvlan drivers in a real sandbox: two hosts joined by the sandbox underlay
 * with an overlay of two containers on each (all reach each other by address and by name, the
 * policy holds across hosts), macvlan members that reach each other and not their host;
 * idempotence and a clean destroy; {@code netc verify} of both hosts at once, and the cells
 * between them it finds cut when a forwarding entry of the overlay is deleted by hand. The 802.1q and IPsec variants skip where the kernel lacks
 * them (KERNEL.md). Each test has its own sandbox, removed afterwards even on failure.
 */
@Timeout(180)
class DriversKernelTest extends SandboxTest {
  private static final PortSpec PORT = new PortSpec(PortRange.of(8080), Protocol.TCP);

  static final String OVERLAY = """
      topology ovk

      host h1 { underlay 192.168.77.11 }
      host h2 { underlay 192.168.77.12 }

      # netc:ignore NETC406 "the sandbox underlay is a bridge of the test"
      network mesh {
        driver overlay
        subnet 10.77.0.0/24
        %s
      }

      container a1 {
        labels app=a
        on h1
        attach mesh
      }

      container a2 {
        labels app=b
        on h1
        attach mesh { alias second }
      }

      container b1 {
        labels app=c
        on h2
        attach mesh
      }

      container b2 {
        labels app=d
        on h2
        attach mesh
      }

      # b2 admits a1 only, on one port: a remote and a local peer are refused
      policy only-a1 {
        select app=d
        allow ingress from app=a port 8080/tcp
      }
      """;

  static final String MACVLAN = """
      topology mvk

      # netc:ignore NETC407 "the sandbox parent is a veth, which takes any MAC address"
      network lan {
        driver macvlan
        parent %s
        mode bridge
        subnet 192.0.2.0/24
      }

      # netc:ignore NETC407 "the same"
      network quiet {
        driver macvlan
        parent eth1
        mode private
        subnet 198.51.100.0/24
      }

      container m1 {
        attach lan
      }

      container m2 {
        attach lan
      }

      container q1 {
        attach quiet
      }

      container q2 {
        attach quiet
      }
      """;

  @TempDir Path dir;

  private Topology compile(String text) throws IOException {
    return Kernel.compile(dir, text);
  }

  private List<Runner.Target> targets(Topology t) {
    return Kernel.targets(t, s);
  }

  /** Whether the kernel can make a link of {@code type} (a scratch namespace, removed at once). */
  private String lacks(String what, String... batch) {
    String scratch = s + "-probe";
    try {
      Kernel.run("ip", "netns", "add", scratch);
      CommandExecutor.Result r = Kernel.EXEC.run(List.of("ip", "-n", scratch, "-batch", "-"), String.join("\n", batch) + "\n");
      return r.ok() ? null : what + " is missing in this kernel (KERNEL.md): " + r.firstError();
    } finally {
      Kernel.run("ip", "netns", "del", scratch);
    }
  }

  // ------------------------------------------------------------------ overlay

  @Test
  void overlayAcrossTwoHosts() throws Exception {
    overlay(compile(String.format(OVERLAY, "")));
  }

  @Test
  void encryptedOverlayAcrossTwoHosts() throws Exception {
    String missing = lacks("IPsec ESP", "link add v type veth peer name w",
        "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 1 mode transport"
            + " aead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 128");
    if (missing != null) {
      System.out.println("skipped: " + missing);
    }
    assumeTrue(missing == null, missing);
    overlay(compile(String.format(OVERLAY, "encrypted")));
  }

  @Test
  void anOverlayMtuAboveWhatTheTunnelTakesIsToldSoAndRolledBack() throws Exception {
    // `mtu 1500` on an IPv4 underlay of 1500: the kernel gives the tunnel 1450, its bridge follows
    List<Runner.Target> ts = targets(compile(String.format(OVERLAY, "mtu 1500")));
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(ts));
    assertTrue(e.getMessage().startsWith("read back after apply, 4 objects are missing or not as desired: "), e.getMessage());
    assertTrue(e.getMessage().contains("link:" + s + "-host_h1:vx-mesh (mtu 1450 -> 1500)"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; " + Runner.TUNNEL_MTU + "; rolled back, sandbox " + s + " is as before"), e.getMessage());
    assertEquals(Set.of(), Kernel.namespacesOf(s));
  }

  @Test
  void anEncryptedOverlayTheKernelRefusesLeavesNoSecretBehind() throws Exception {
    String missing = lacks("IPsec ESP", "link add v type veth peer name w",
        "xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 reqid 1 mode transport"
            + " aead rfc4106(gcm(aes)) 0x0102030405060708090a0b0c0d0e0f1011121314 128");
    assumeTrue(missing != null, "this kernel has ESP");
    List<Runner.Target> ts = targets(compile(String.format(OVERLAY, "encrypted")));
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(ts));
    assertTrue(e.getMessage().endsWith("rolled back, sandbox " + s + " is as before"), e.getMessage());
    assertEquals(Set.of(), Kernel.namespacesOf(s));
    // the sandbox's IPsec secret, made for the keys, went with the sandbox, as destroy removes it
    assertFalse(Files.exists(stateDir.resolve(s + ".ipsec.secret")), "the secret of a sandbox that is gone");
  }

  private void overlay(Topology t) throws Exception {
    List<Runner.Target> ts = targets(t);
    assertEquals(2, ts.size());
    Runner.Outcome first = runner.apply(ts);
    System.out.printf("overlay apply in %s: %d changes, %d processes, %d ms%n", s,
        first.plan().changes().size(), first.processes(), first.millis());
    assertEquals(Set.of(s, s + "-outside", s + "-host_h1", s + "-host_h2", s + "-a1", s + "-a2", s + "-b1", s + "-b2"),
        Kernel.namespacesOf(s));
    assertTrue(Kernel.run("ip", "-n", s + "-host_h1", "-d", "link", "show", "vx-mesh").out().contains("vxlan id"),
        "h1 has the tunnel");
    assertTrue(Kernel.run("bridge", "-n", s + "-host_h1", "fdb", "show", "dev", "vx-mesh").out()
        .contains("00:00:00:00:00:00 dst 192.168.77.12"), "h1 floods to h2");
    for (String host : List.of(s, s + "-host_h1", s + "-host_h2")) {
      // the links netc made there skipped duplicate address detection
      assertEquals("", Kernel.run("ip", "-n", host, "-6", "address", "show", "tentative").out().strip(), host);
    }

    Reachability model = new Reachability(t);
    List<String> names = List.of("a1", "a2", "b1", "b2");
    List<Process> listeners = new ArrayList<>();
    try {
      for (String n : names) {
        listeners.add(Kernel.listen(s + "-" + n, 8080));
      }
      List<String> wrong = new ArrayList<>();
      int admitted = 0;
      for (String a : names) {
        for (String b : names) {
          if (a.equals(b)) {
            continue;
          }
          String addr = model.addresses(model.node(b).get()).get(0).toString();
          assertTrue(Kernel.run("ip", "netns", "exec", s + "-" + a, "getent", "hosts", b).out().startsWith(addr),
              a + " resolves " + b + " to " + addr);
          boolean want = model.allowed(model.node(a).get(), model.node(b).get(), PORT);
          admitted += want ? 1 : 0;
          if (Kernel.connects(s + "-" + a, b, 8080) != want) {
            wrong.add(a + " -> " + b + ":8080 (by name): model " + (want ? "admits" : "denies"));
          }
          if (Kernel.connects(s + "-" + a, addr, 8080) != want) {
            wrong.add(a + " -> " + addr + ":8080 (by address): model " + (want ? "admits" : "denies"));
          }
        }
      }
      assertEquals(List.of(), wrong);
      assertEquals(10, admitted, "the policy refuses a2 -> b2 and b1 -> b2, nothing else");
      assertTrue(Kernel.run("ip", "netns", "exec", s + "-b1", "getent", "hosts", "second").out().startsWith("10.77.0."),
          "an alias resolves across hosts");
      assertTrue(Kernel.connects(s + "-b1", "second", 8080), "b1 on h2 reaches a2 on h1 by its alias");
    } finally {
      Kernel.stop(listeners);
    }

    // netc verify of both hosts at once: every cell of the topology, across hosts too
    try (SetnsNamespaces ns = new SetnsNamespaces()) {
      Verification v = new Verifier(runner, ns, Prober.Options.DEFAULT).verify(ts, model, List.of(PORT),
          Prober.Progress.NONE);
      assertTrue(v.equal(), v::text);
      assertEquals(model.nodes().size() * model.nodes().size(), v.compared(), "every cell compared, none skipped");
    }

    Runner.Outcome second = runner.apply(ts);
    assertTrue(second.plan().empty(), () -> "second apply changed: " + second.plan().text());
    assertTrue(runner.plan(ts).empty());
    assertTrue(runner.drift(ts).inSync());

    // h1's forwarding entry to h2 deleted by hand: verify refuses (drift), and the probe without
    // the drift check finds every cell between members on different hosts the model admits cut
    Kernel.run("bridge", "-n", s + "-host_h1", "fdb", "del", "00:00:00:00:00:00", "dev", "vx-mesh", "dst", "192.168.77.12");
    try (SetnsNamespaces ns = new SetnsNamespaces()) {
      Verifier verifier = new Verifier(runner, ns, Prober.Options.DEFAULT);
      RunnerException refused = assertThrows(RunnerException.class,
          () -> verifier.verify(ts, model, List.of(PORT), Prober.Progress.NONE));
      assertEquals("sandbox " + s + " is not in sync with topology ovk (1 missing, 0 changed, 0 unexpected;"
          + " `netc diff` lists them): run `netc apply` first", refused.getMessage());
      Verification v = verifier.compare(ts, model, List.of(PORT), Prober.Progress.NONE);
      Set<String> cut = new TreeSet<>();
      for (String a : names) {
        for (String b : names) {
          Node na = model.node(a).get();
          Node nb = model.node(b).get();
          if (!na.host().equals(nb.host()) && model.allowed(na, nb, PORT)) {
            cut.add(a + " -> " + b);
          }
        }
      }
      assertEquals(7, cut.size(), "every pair across hosts but a2 -> b2 (the policy): " + cut);
      assertEquals(cut, v.differences().stream().map(d -> d.from().name() + " -> " + d.to().name() + (d.model()
          && !d.kernel() ? "" : " (model " + d.model() + ", kernel " + d.kernel() + ")")).collect(Collectors.toCollection(TreeSet::new)),
          v::text);
    }
    assertEquals(1, runner.apply(ts).plan().count(Change.Action.CREATE), "apply puts the entry back");
    assertTrue(runner.plan(ts).empty());

    // the tunnel set down with another MTU by hand: updated in place (its bridge follows its MTU)
    String h1 = s + "-host_h1";
    ObjectId vx = new ObjectId(ObjectId.Kind.LINK, h1, "vx-mesh");
    Kernel.run("ip", "-n", h1, "link", "set", "vx-mesh", "down", "mtu", "1400");
    Plan moved = runner.plan(ts);
    assertEquals(List.of("~ link:" + h1 + ":br-mesh  (mtu 1400 -> 1450)",
        "~ link:" + h1 + ":vx-mesh  (mtu 1400 -> 1450, state down -> up)"),
        moved.changes().stream().map(Change::line).toList());
    assertEquals(2, runner.apply(ts).plan().count(Change.Action.UPDATE));
    assertTrue(runner.plan(ts).empty());
    // made again by hand with another VNI (and its mark): replaced, with its forwarding entry
    String alias = Kernel.run("ip", "-n", h1, "-j", "link", "show", "vx-mesh").out().replaceAll("(?s).*\"ifalias\":\"([^\"]*)\".*", "$1");
    String local = Kernel.run("ip", "-n", h1, "-j", "-d", "link", "show", "vx-mesh").out().replaceAll("(?s).*\"local\":\"([^\"]*)\".*", "$1");
    Kernel.run("ip", "-n", h1, "link", "del", "vx-mesh");
    Kernel.run("ip", "-n", h1, "link", "add", "vx-mesh", "mtu", "1450", "type", "vxlan", "id", "999", "dstport", "4789",
        "local", local, "dev", "underlay", "nolearning");
    Kernel.run("ip", "-n", h1, "link", "set", "vx-mesh", "alias", alias, "master", "br-mesh", "up");
    Plan replaced = runner.plan(ts);
    assertEquals(Change.Action.REPLACE, replaced.changes().get(0).action(), replaced::text);
    assertEquals(vx, replaced.changes().get(0).id());
    assertEquals("forces replacement: vxlan id", replaced.changes().get(0).detail());
    assertTrue(replaced.changes().stream().anyMatch(c -> c.action() == Change.Action.CREATE
        && c.id().kind() == ObjectId.Kind.FDB && c.id().namespace().equals(h1)), replaced::text);
    runner.apply(ts);
    assertTrue(runner.plan(ts).empty());
    assertFalse(Kernel.run("ip", "-n", h1, "-d", "link", "show", "vx-mesh").out().contains("vxlan id 999"));
    assertTrue(Kernel.run("bridge", "-n", h1, "fdb", "show", "dev", "vx-mesh").out().contains("dst "));

    runner.destroy(ts);
    assertEquals(Set.of(), Kernel.namespacesOf(s), "destroy removes the hosts, the underlay and the sandbox");
    for (String n : names) {
      assertFalse(Files.exists(Runner.ETC_NETNS.resolve(s + "-" + n)), "/etc/netns/" + s + "-" + n);
    }
  }

  // ------------------------------------------------------------------ macvlan

  @Test
  void macvlanMembersReachEachOtherNotTheirHost() throws Exception {
    macvlan(compile(String.format(MACVLAN, "eth0")), "eth0");
  }

  /**
   * A policy that isolates a member of a macvlan network in bridge mode, beside another member on
   * the same host: the members talk through the parent, past the host's table (NETC520), so the
   * kernel admits what the model denies; verify leaves those cells out instead of reporting them.
   */
  @Test
  void verifyLeavesOutAPolicyBetweenMacvlanMembersOfOneHost() throws Exception {
    Topology t = compile(String.format(MACVLAN, "eth0").replace("container m1 {", "container m1 {\n  labels app=m1")
        + "\npolicy m1-closed {\n  select app=m1\n  isolate ingress\n}\n");
    List<Runner.Target> ts = targets(t);
    runner.apply(ts);
    Reachability model = new Reachability(t);
    assertFalse(model.allowed(model.node("m2").get(), model.node("m1").get(), PORT));
    Process l = Kernel.listen(s + "-m1", 8080);
    try {
      assertTrue(Kernel.connects(s + "-m2", "m1", 8080), "m2 -> m1 past the table, as NETC520 says");
    } finally {
      Kernel.stop(l);
    }
    Verification v = verified(ts.get(0), model);
    assertEquals(1, v.skippedCells(), v::text); // m2 -> m1
  }

  /** netc verify of {@code t} on {@link #PORT}, which must find the kernel as the model says. */
  private Verification verified(Runner.Target t, Reachability model) {
    try (SetnsNamespaces ns = new SetnsNamespaces()) {
      Verification v = new Verifier(runner, ns, Prober.Options.DEFAULT).verify(t, model, List.of(PORT),
          Prober.Progress.NONE);
      assertTrue(v.equal(), v::text);
      return v;
    }
  }

  @Test
  void macvlanOnAVlanTrunk() throws Exception {
    String missing = lacks("802.1q vlan", "link add v type veth peer name w", "link add link v name v.10 type vlan id 10");
    if (missing != null) {
      System.out.println("skipped: " + missing);
    }
    assumeTrue(missing == null, missing);
    macvlan(compile(String.format(MACVLAN, "eth0.10")), "eth0.10");
  }

  @Test
  void aKernelWithoutVlansIsToldWhichLineItRefused() throws Exception {
    String missing = lacks("802.1q vlan", "link add v type veth peer name w", "link add link v name v.10 type vlan id 10");
    assumeTrue(missing != null, "this kernel makes VLAN sub-interfaces");
    List<Runner.Target> ts = targets(compile(String.format(MACVLAN, "eth0.10")));
    RunnerException e = assertThrows(RunnerException.class, () -> runner.apply(ts));
    // the kernel's words alone ("Unknown device type.") do not say what it refused
    assertTrue(e.getMessage().startsWith("ip -n " + s + " -batch - failed: Error: Unknown device type. (line "), e.getMessage());
    assertTrue(e.getMessage().endsWith(": `link add link eth0 name eth0.10 type vlan id 10`); rolled back, sandbox "
        + s + " is as before"), e.getMessage());
    assertEquals(Set.of(), Kernel.namespacesOf(s));
  }

  @Test
  void aPassthruMemberTakesItsParentWithItsMacAddress() throws Exception {
    List<Runner.Target> ts = targets(compile("""
        topology mvp

        network nic {
          driver macvlan
          parent eth0
          mode passthru
          subnet 198.51.100.0/24
        }

        container appliance {
          attach nic
        }
        """));
    runner.apply(ts);
    String mac = Kernel.run("ip", "-n", s + "-appliance", "-o", "link", "show", "eth0").out().replaceAll("(?s).*link/ether (\\S+).*", "$1").strip();
    String parent = Kernel.run("ip", "-n", s, "-o", "link", "show", "eth0").out().replaceAll("(?s).*link/ether (\\S+).*", "$1").strip();
    assertEquals(parent, mac, "the member has its parent's MAC address");
    assertTrue(runner.plan(ts).empty(), () -> runner.plan(ts).text());
    runner.destroy(ts);
    assertEquals(Set.of(), Kernel.namespacesOf(s));
  }

  private void macvlan(Topology t, String parent) throws Exception {
    List<Runner.Target> ts = targets(t);
    Runner.Outcome first = runner.apply(ts);
    System.out.printf("macvlan apply in %s: %d changes, %d processes, %d ms%n", s,
        first.plan().changes().size(), first.processes(), first.millis());
    assertEquals(Set.of(s, s + "-outside", s + "-m1", s + "-m2", s + "-q1", s + "-q2"), Kernel.namespacesOf(s));
    String details = Kernel.run("ip", "-n", s + "-m1", "-d", "link", "show", "eth0").out();
    assertTrue(details.contains("macvlan mode bridge"), details);
    assertTrue(details.contains("link/ether 02:42:c0:00:02:02"), "the MAC derives from the address: " + details);

    Reachability model = new Reachability(t);
    String m1 = model.addresses(model.node("m1").get()).get(0).toString();
    String m2 = model.addresses(model.node("m2").get()).get(0).toString();
    String q2 = model.addresses(model.node("q2").get()).get(0).toString();
    List<Process> listeners = new ArrayList<>();
    try {
      for (String n : List.of("m1", "m2", "q2")) {
        listeners.add(Kernel.listen(s + "-" + n, 8080));
      }
      assertTrue(Kernel.run("ip", "netns", "exec", s + "-m2", "getent", "hosts", "m1").out().startsWith(m1));
      assertTrue(model.allowed(model.node("m2").get(), model.node("m1").get(), PORT));
      assertTrue(Kernel.connects(s + "-m2", "m1", 8080), "m2 -> m1 by name (bridge mode)");
      assertTrue(Kernel.connects(s + "-m1", m2, 8080), "m1 -> m2 by address");
      assertFalse(model.allowed(model.node("q1").get(), model.node("q2").get(), PORT));
      assertFalse(Kernel.connects(s + "-q1", q2, 8080), "q1 -/-> q2 (private mode)");
      // the host, even with an address of the LAN on the parent, reaches none of its members
      assertFalse(model.allowed(model.node("@host").orElse(model.nodes().stream()
          .filter(n -> n.kind() == Node.Kind.HOST).findFirst().orElseThrow()),
          model.node("m1").get(), PORT));
      assertTrue(Kernel.run("ip", "-n", s, "address", "add", "192.0.2.250/24", "dev", parent).ok());
      try {
        assertFalse(Kernel.connects(s, m1, 8080), "the host -/-> m1");
      } finally {
        Kernel.run("ip", "-n", s, "address", "del", "192.0.2.250/24", "dev", parent);
      }
    } finally {
      Kernel.stop(listeners);
    }

    verified(ts.get(0), model);
    Runner.Outcome second = runner.apply(ts);
    assertTrue(second.plan().empty(), () -> "second apply changed: " + second.plan().text());
    runner.destroy(ts);
    assertEquals(Set.of(), Kernel.namespacesOf(s));
  }
}
