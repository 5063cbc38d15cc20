package dev.netc.runner;

import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.FdbEntry;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Route;
import dev.netc.backends.plan.Sysctl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Links the kernel cannot change in place, and what goes with them. A link is replaced when its
 * kind is not the desired one, and a veth pair when its two ends are not each other's peers
 * (one end missing, or its peer elsewhere): a veth is made with its peer in one command, so
 * the pair is replaced whole. Deleting a link takes its addresses and routes with it, so they
 * are created again; veths enslaved to a replaced bridge and its per-device sysctls are set
 * again ({@code follow}).
 *
 * @param replace the links to replace, with the attribute that forces it
 * @param follow objects to create or update again because of a replacement, with a note
 */
record Rebuild(Map<ObjectId, String> replace, Map<ObjectId, String> follow) {
  /** How the note of a {@code follow} change begins, after any value: {@code again, with replaced link:S:br-back}. */
  static final String AGAIN = "again, with replaced ";

  /**
   * A change of the plan that only makes an object again with a replaced link ({@code follow}):
   * the kernel removes it with the link, or the link's replacement undoes it. It is part of that
   * replacement, not drift of its own.
   */
  static boolean follows(Change c) {
    return c.action() != Change.Action.REPLACE && c.action() != Change.Action.DELETE && c.detail().contains(AGAIN);
  }

  static Rebuild of(HostState h, LiveState live) {
    return of(List.of(h), live);
  }

  /**
   * As above, for the hosts of one sandbox. Beyond kind and peer, a VXLAN device is replaced
   * when its id, port or local address differ, a macvlan sub-interface when its mode does, a
   * VLAN sub-interface when its id does ({@link #params}); a macvlan or VLAN sub-interface whose
   * parent is replaced goes with it (the kernel deletes it with its parent), and so do the
   * forwarding entries of a replaced VXLAN device.
   */
  static Rebuild of(List<HostState> hosts, LiveState live) {
    List<Link> links = hosts.stream().flatMap(h -> h.links().stream()).toList();
    Map<ObjectId, String> replace = new LinkedHashMap<>();
    Set<ObjectId> desiredIds = links.stream().map(Link::id).collect(Collectors.toSet());
    for (Link l : links) {
      live.link(l.id()).ifPresent(now -> {
        if (!now.kind().equals(kind(l.type()))) {
          replace.put(l.id(), "kind");
        } else {
          paramsChange(l, now).or(() -> parentChange(l, now, live, desiredIds)).ifPresent(why -> replace.put(l.id(), why));
        }
      });
    }
    Map<Link.Ref, Link> byRef = new java.util.HashMap<>();
    links.forEach(l -> byRef.putIfAbsent(l.ref(), l));
    for (Link l : links) {
      if (l.type() != Link.Type.VETH || !l.createsPeer()) {
        continue;
      }
      Link peer = byRef.get(l.peer().get());
      if (peer == null) {
        throw new IllegalStateException("the peer of " + l.id() + " is not in the desired state");
      }
      Optional<LiveLink> a = live.link(l.id());
      Optional<LiveLink> b = live.link(peer.id());
      String why = replace.containsKey(l.id()) ? replace.get(l.id()) : replace.get(peer.id());
      if (why == null && (a.isPresent() != b.isPresent()
          || a.isPresent() && (a.get().peer() != b.get().ifindex() || b.get().peer() != a.get().ifindex()))) {
        why = "peer";
      }
      if (why != null) {
        String w = why;
        a.ifPresent(x -> replace.put(l.id(), w));
        b.ifPresent(x -> replace.put(peer.id(), w));
      }
    }
    // sub-interfaces die with their parents: a VLAN with its trunk, macvlans with their parent
    for (boolean more = true; more; ) {
      more = false;
      for (Link l : links) {
        Link.Params p = l.params().orElse(null);
        Optional<Link.Ref> parent = p instanceof Link.Macvlan m ? Optional.of(new Link.Ref(m.hostNamespace(), m.parent()))
            : p instanceof Link.Vlan v ? Optional.of(new Link.Ref(l.namespace(), v.parent())) : Optional.empty();
        if (parent.isPresent() && !replace.containsKey(l.id()) && live.has(l.id())
            && replace.containsKey(new ObjectId(ObjectId.Kind.LINK, parent.get().namespace(), parent.get().name()))) {
          replace.put(l.id(), "parent " + parent.get().name());
          more = true;
        }
      }
    }
    Map<ObjectId, String> follow = new LinkedHashMap<>();
    for (ObjectId r : replace.keySet()) {
      String note = AGAIN + r;
      for (HostState h : hosts) {
        for (Address a : h.addresses()) {
          if (a.namespace().equals(r.namespace()) && a.device().equals(r.name())) {
            follow.putIfAbsent(a.id(), note);
          }
        }
        for (Route rt : h.routes()) {
          if (rt.namespace().equals(r.namespace()) && rt.device().equals(r.name())) {
            follow.putIfAbsent(rt.id(), note);
          }
        }
        for (FdbEntry f : h.fdb()) {
          if (f.namespace().equals(r.namespace()) && f.device().equals(r.name())) {
            follow.putIfAbsent(f.id(), note);
          }
        }
        for (Sysctl x : h.sysctls()) {
          if (x.newInterfaceValue().filter(x.value()::equals).isPresent()) {
            continue; // what the kernel gives the new interface
          }
          if (x.namespace().equals(r.namespace()) && x.key().matches("net\\.ipv[46]\\.conf\\." + java.util.regex.Pattern.quote(r.name()) + "\\..*")) {
            follow.putIfAbsent(x.id(), x.value() + " " + note);
          }
        }
      }
      for (Link l : links) {
        if (l.namespace().equals(r.namespace()) && l.master().filter(r.name()::equals).isPresent()
            && !replace.containsKey(l.id()) && live.has(l.id())) {
          follow.putIfAbsent(l.id(), "master " + r.name() + " " + note);
        }
      }
    }
    return new Rebuild(replace, follow);
  }

  /**
   * What a link is made of that {@code ip link set} cannot change, as the kernel reports it
   * ({@link LiveLink#params}); empty for the plain kinds, and when the live link does not say.
   */
  static Optional<String> paramsChange(Link l, LiveLink now) {
    if (l.params().isEmpty() || now.params().isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> live = new LinkedHashMap<>();
    for (String kv : now.params().split(" ")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        live.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    for (String kv : params(l).split(" ")) {
      int eq = kv.indexOf('=');
      if (eq > 0 && !kv.substring(eq + 1).equals(live.getOrDefault(kv.substring(0, eq), ""))) {
        return Optional.of(kind(l.type()) + " " + kv.substring(0, eq));
      }
    }
    return Optional.empty();
  }

  /**
   * {@code macvlan parent} when a macvlan sub-interface is not on its desired parent: the live
   * one's parent ({@link LiveLink#peer}, its index in the host namespace) is not the index of
   * the desired parent, or the desired parent is not there yet (it is about to be made, so the
   * sub-interface is on another). That is for a parent the topology makes ({@code desired}: the
   * sandbox's veth standing for a NIC, a VLAN sub-interface); another (a NIC of the host, in
   * host mode) is compared by the name the read found for it ({@code parent=} in {@link
   * LiveLink#params}, {@link LiveReader#withParents}), when it found one. A live link that does
   * not say its parent is taken as on it.
   */
  static Optional<String> parentChange(Link l, LiveLink now, LiveState live, Set<ObjectId> desired) {
    if (!(l.params().orElse(null) instanceof Link.Macvlan m) || now.peer() < 0) {
      return Optional.empty();
    }
    ObjectId parent = new ObjectId(ObjectId.Kind.LINK, m.hostNamespace(), m.parent());
    if (!desired.contains(parent)) {
      return java.util.Arrays.stream(now.params().split(" ")).filter(kv -> kv.startsWith("parent=")).findFirst()
          .filter(kv -> !kv.equals("parent=" + m.parent())).map(kv -> "macvlan parent");
    }
    Optional<LiveLink> p = live.link(parent);
    return p.isPresent() && p.get().ifindex() == now.peer() ? Optional.empty() : Optional.of("macvlan parent");
  }

  /** The desired counterpart of {@link LiveLink#params}: {@code id=42 port=4789 local=10.0.0.1}, {@code mode=bridge}, {@code id=10}. */
  static String params(Link l) {
    Link.Params p = l.params().orElse(null);
    return p instanceof Link.Vxlan v ? "id=" + v.vni() + " port=" + v.port() + v.local().map(a -> " local=" + a).orElse("")
        + v.device().map(d -> " dev=" + d).orElse("")
        : p instanceof Link.Macvlan m ? "mode=" + m.mode().label()
        : p instanceof Link.Vlan v ? "id=" + v.id() : "";
  }

  boolean replaced(String namespace, String device) {
    return replace.containsKey(new ObjectId(ObjectId.Kind.LINK, namespace, device));
  }

  static String kind(Link.Type t) {
    return switch (t) {
      case LOOPBACK -> "loopback";
      case BRIDGE -> "bridge";
      case VETH -> "veth";
      case VXLAN -> "vxlan";
      case MACVLAN -> "macvlan";
      case VLAN -> "vlan";
    };
  }
}
