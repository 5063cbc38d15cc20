package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.KernelObject;
import dev.netc.backends.plan.FdbEntry;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.Netns;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Ownership;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * What every desired state keeps, for every golden case, with and without a sandbox: unique
 * identities, valid and owned names, veth pairs that point at each other, bridges that exist
 * where veths are enslaved, and plans that are the same when made twice.
 */
class PlanInvariantsTest {
  @TestFactory
  Stream<DynamicTest> everyCase() throws IOException {
    List<DynamicTest> out = new ArrayList<>();
    int leftOut = 0;
    for (GoldenTest.Case c : GoldenTest.cases()) {
      CompileResult compiled = TestTopologies.compile(c.inputDir(), c.rootFile());
      for (String sandbox : List.of("", "t1")) {
        // a case with errors, or whose plan has errors, has no desired state: left out, not skipped
        if (compiled.topology().isEmpty() || Planner.plan(compiled.topology().get(), sandbox).state().isEmpty()) {
          leftOut++;
          continue;
        }
        out.add(DynamicTest.dynamicTest(c.name() + (sandbox.isEmpty() ? "" : " in sandbox " + sandbox), () -> {
          Topology t = compiled.topology().get();
          Planner.Result plan = Planner.plan(t, sandbox);
          check(t, plan.state().get());
          Planner.Result again = Planner.plan(t, sandbox);
          Reachability model = new Reachability(t);
          assertEquals(KernelPlans.ip(plan.state().get()), KernelPlans.ip(again.state().get()));
          assertEquals(KernelPlans.nft(plan.state().get(), model), KernelPlans.nft(again.state().get(), model));
        }));
      }
    }
    System.out.println("PlanInvariantsTest: " + leftOut + " case and sandbox pairs left out: errors, no plan");
    return out.stream();
  }

  private static void check(Topology t, DesiredState s) {
    Set<ObjectId> ids = new HashSet<>();
    for (HostState h : s.hosts()) {
      for (KernelObject o : h.objects()) {
        // several hosts are several kernels: identities are unique per host
        assertTrue(ids.add(new ObjectId(o.id().kind(), h.host() + "|" + o.id().namespace(), o.id().name())),
            "two objects are " + o.id());
      }
      String prefix = s.sandbox().isEmpty() ? "netc-" + t.name() + "-" : s.sandbox() + "-";
      // one host plays in S; several hosts each in S-host_HOST, which no endpoint namespace can be
      assertEquals(s.sandbox().isEmpty() || s.hosts().size() == 1 ? s.sandbox()
          : KernelNames.hostNamespace(s.sandbox(), h.host()), h.hostNamespace().name());
      assertTrue(h.namespaces().stream().noneMatch(n -> n.name().equals(h.hostNamespace().name())));
      for (Netns n : h.namespaces()) {
        assertTrue(n.name().startsWith(prefix), n.name());
        assertTrue(KernelNames.validNetns(n.name()), n.name());
        assertTrue(Ownership.owns(t.name(), n.mark().get()));
      }
      for (Link l : h.links()) {
        assertTrue(l.name().length() <= KernelNames.IFNAME_MAX, l.name());
        assertTrue(Ownership.owns(t.name(), l.alias()), l.alias());
        assertFalse(Ownership.owns(t.name() + "x", l.alias()), "a mark names exactly one topology");
        if (l.type() == Link.Type.VETH) {
          Link peer = h.links().stream().filter(x -> x.ref().equals(l.peer().get())).findFirst().orElseThrow();
          assertEquals(l.ref(), peer.peer().get(), "veth ends point at each other");
          assertTrue(l.createsPeer() != peer.createsPeer(), "one end creates the pair");
          if (l.createsPeer()) {
            assertEquals(h.hostNamespace().name(), l.namespace(), "created from the host end");
          }
          if (l.createsPeer() && !peer.namespace().equals(l.namespace())) {
            assertTrue(h.links().stream().anyMatch(b -> b.type() == Link.Type.BRIDGE
                && b.namespace().equals(l.namespace()) && b.name().equals(l.master().get())));
          }
        }
      }
      for (Link l : h.links()) {
        if (l.type() == Link.Type.VXLAN) {
          assertTrue(h.linksIn(l.namespace()).stream().anyMatch(b -> b.type() == Link.Type.BRIDGE
              && b.name().equals(l.master().get())), "a tunnel is a port of its network's bridge");
        }
        if (l.params().orElse(null) instanceof Link.Macvlan m) {
          assertEquals(h.hostNamespace().name(), m.hostNamespace(), "made by the host namespace");
          // but a passthru member, which takes its parent's
          assertEquals(m.mode() != dev.netc.compiler.ir.MacvlanMode.PASSTHRU, l.mac().isPresent(),
              "every macvlan member has its own MAC address, but a passthru one");
        }
      }
      for (FdbEntry f : h.fdb()) {
        assertTrue(h.links().stream().anyMatch(l -> l.type() == Link.Type.VXLAN && l.name().equals(f.device())));
      }
      h.table().ifPresent(tb -> assertEquals(Ownership.table(t.name()), tb.name()));
    }
  }

  @Test
  void interfaceNamesAreReadableWhenTheyFitAndHashedWhenNot() {
    assertEquals("br-front", KernelNames.ifname("br-", "front", "bridge:shop:front", 0));
    String hashed = KernelNames.ifname("ve-", "checkout-stable-12-0", "veth:shop:checkout-stable-12:0", 0);
    assertEquals(15, hashed.length());
    assertTrue(hashed.startsWith("ve-chec_"), hashed);
    assertEquals(hashed, KernelNames.ifname("ve-", "checkout-stable-12-0", "veth:shop:checkout-stable-12:0", 0),
        "stable");
    assertFalse(hashed.equals(KernelNames.ifname("ve-", "checkout-stable-12-0", "veth:shop:checkout-stable-12:0", 1)),
        "a salt steps past a collision");
    // pinned (base 32 of SHA-256, as `base32` prints it): a change of the hash renames every long interface of every user
    assertEquals("ve-chec_" + KernelNames.hash("veth:shop:checkout-stable-12:0", 7), hashed);
    assertEquals("dkdfmf7", KernelNames.hash("netc", 7));
  }

  @Test
  void sandboxNamesAreChecked() {
    assertTrue(KernelNames.sandbox("t1").ok());
    assertTrue(KernelNames.sandbox("ci_run-42.a").ok());
    for (String bad : List.of("", "-x", "a/b", "a b", "..", "a..b", "x".repeat(33))) {
      assertFalse(KernelNames.sandbox(bad).ok(), bad);
    }
  }

  @Test
  void namespaceNamesMapPodsSafely() {
    assertEquals("netc-k8s-shop-shop.frontend-1", KernelNames.endpointNamespace("k8s-shop", "shop/frontend-1", ""));
    assertEquals("t1-shop.frontend-1", KernelNames.endpointNamespace("k8s-shop", "shop/frontend-1", "t1"));
  }
}
