package dev.netc.backends.json;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.Namespace;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Requirement;
import dev.netc.compiler.ir.Selector;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The IR as JSON ({@code netc emit --backend json}): every declaration in IR order, values in
 * their canonical text, each declaration with the {@code file:line} it comes from.
 */
public final class IrJson {
  private IrJson() {}

  public static String write(Topology t) {
    ObjectNode root = Json.object();
    root.put("topology", t.name());
    ArrayNode hosts = root.putArray("hosts");
    t.hosts().forEach(h -> hosts.add(host(h)));
    ArrayNode namespaces = root.putArray("namespaces");
    t.namespaces().forEach(n -> namespaces.add(namespace(n)));
    ArrayNode networks = root.putArray("networks");
    t.networks().forEach(n -> networks.add(network(n)));
    ArrayNode endpoints = root.putArray("endpoints");
    t.endpoints().forEach(e -> endpoints.add(endpoint(e)));
    ArrayNode services = root.putArray("services");
    t.services().forEach(s -> services.add(service(s)));
    ArrayNode policies = root.putArray("policies");
    t.policies().forEach(p -> policies.add(policy(p)));
    return Json.pretty(root);
  }

  private static void source(ObjectNode o, Span span) {
    if (span != null) {
      o.put("source", span.file().path() + ":" + span.line());
    }
  }

  private static ObjectNode labels(Map<String, String> labels) {
    ObjectNode o = Json.object();
    new TreeMap<>(labels).forEach(o::put);
    return o;
  }

  private static ObjectNode host(Host h) {
    ObjectNode o = Json.object();
    o.put("name", h.name());
    h.underlay().ifPresent(u -> o.put("underlay", u.toString()));
    o.set("labels", labels(h.labels()));
    if (h.implicit()) {
      o.put("implicit", true);
    } else {
      source(o, h.span());
    }
    return o;
  }

  private static ObjectNode namespace(Namespace n) {
    ObjectNode o = Json.object();
    o.put("name", n.name());
    o.set("labels", labels(n.labels()));
    source(o, n.span());
    return o;
  }

  private static ObjectNode network(Network n) {
    ObjectNode o = Json.object();
    o.put("name", n.name());
    o.put("driver", n.driver().label());
    ArrayNode subnets = o.putArray("subnets");
    for (Subnet s : n.subnets()) {
      ObjectNode so = subnets.addObject();
      so.put("cidr", s.cidr().toString());
      so.put("gateway", s.gateway().toString());
      s.pool().ifPresent(p -> so.put("pool", p.toString()));
      strings(so.putArray("reserved"), s.reserved());
    }
    n.mtu().ifPresent(m -> o.put("mtu", m));
    o.put("internal", n.internal());
    o.put("resolve", n.resolve());
    n.overlay().ifPresent(ov -> {
      ObjectNode x = o.putObject("overlay");
      x.put("vni", ov.vni());
      x.put("port", ov.port());
      x.put("encrypted", ov.encrypted());
    });
    n.macvlan().ifPresent(m -> {
      ObjectNode x = o.putObject("macvlan");
      x.put("parent", m.parent());
      x.put("mode", m.mode().label());
    });
    if (n.implicit()) {
      o.put("implicit", true);
    } else {
      source(o, n.span());
    }
    return o;
  }

  private static void strings(ArrayNode a, Collection<?> values) {
    values.forEach(v -> a.add(v.toString()));
  }

  private static ObjectNode endpoint(Endpoint e) {
    ObjectNode o = Json.object();
    o.put("name", e.name());
    o.put("kind", e.kind() == Endpoint.Kind.POD ? "pod" : "container");
    if (!e.namespace().isEmpty()) {
      o.put("namespace", e.namespace());
    }
    e.replicaOf().ifPresent(r -> o.put("replicaOf", r));
    if (!e.resolvesByName()) {
      o.put("resolvesByName", false);
    }
    o.put("host", e.host());
    o.put("mode", e.mode().label());
    o.set("labels", labels(e.labels()));
    ArrayNode atts = o.putArray("attachments");
    for (Attachment a : e.attachments()) {
      ObjectNode ao = atts.addObject();
      ao.put("network", a.network());
      strings(ao.putArray("addresses"), a.addresses());
      strings(ao.putArray("assigned"), a.assigned());
      strings(ao.putArray("aliases"), a.aliases());
      a.mac().ifPresent(m -> ao.put("mac", m));
    }
    ArrayNode pubs = o.putArray("publishes");
    for (Publish p : e.publishes()) {
      ObjectNode po = pubs.addObject();
      po.put("hostAddress", p.hostAddress().map(Object::toString).orElse(null));
      po.put("hostPorts", p.hostPorts().map(Object::toString).orElse(null));
      po.put("containerPorts", p.containerPorts().toString());
      po.put("protocol", p.protocol().label());
    }
    strings(o.putArray("exposes"), e.exposes());
    if (e.kind() == Endpoint.Kind.POD) {
      ArrayNode members = o.putArray("members");
      for (Endpoint.Member m : e.members()) {
        ObjectNode mo = members.addObject();
        mo.put("name", m.name());
        strings(mo.putArray("exposes"), m.exposes());
      }
    }
    source(o, e.span());
    return o;
  }

  private static ObjectNode service(Service s) {
    ObjectNode o = Json.object();
    o.put("name", s.name());
    if (!s.namespace().isEmpty()) {
      o.put("namespace", s.namespace());
    }
    o.set("select", selector(s.selector()));
    strings(o.putArray("addresses"), s.addresses());
    if (!s.families().isEmpty()) {
      // the families it asked netc to choose an address of (`address ipv6`), as written
      strings(o.putArray("families"),
          s.families().stream().map(f -> "ip" + f.name().toLowerCase(java.util.Locale.ROOT)).toList());
    }
    strings(o.putArray("assigned"), s.assigned());
    ArrayNode ports = o.putArray("ports");
    for (Service.Port p : s.ports()) {
      ObjectNode po = ports.addObject();
      po.put("port", p.port());
      po.put("targetPort", p.targetPort());
      po.put("protocol", p.protocol().label());
      p.nodePort().ifPresent(n -> po.put("nodePort", n));
    }
    ArrayNode backends = o.putArray("backends");
    for (Service.Backend b : s.backends()) {
      ObjectNode bo = backends.addObject();
      bo.set("select", selector(b.selector()));
      bo.put("weight", b.weight());
    }
    source(o, s.span());
    return o;
  }

  private static ArrayNode selector(Selector s) {
    ArrayNode a = Json.array();
    for (Requirement r : s.requirements()) {
      ObjectNode ro = a.addObject();
      ro.put("key", r.key());
      ro.put("operator", r.operator().name());
      strings(ro.putArray("values"), r.values());
    }
    return a;
  }

  private static ObjectNode policy(Policy p) {
    ObjectNode o = Json.object();
    o.put("name", p.name());
    if (!p.namespace().isEmpty()) {
      o.put("namespace", p.namespace());
    }
    o.set("select", selector(p.selector()));
    ArrayNode iso = o.putArray("isolates");
    p.isolates().stream().sorted().forEach(d -> iso.add(d.label()));
    ArrayNode rules = o.putArray("rules");
    for (Policy.Rule r : p.rules()) {
      ObjectNode ro = rules.addObject();
      ro.put("action", r.action().name().toLowerCase(java.util.Locale.ROOT));
      ro.put("direction", r.direction().label());
      ArrayNode peers = ro.putArray("peers");
      r.peers().forEach(peer -> peers.add(peer(peer)));
      ArrayNode ports = ro.putArray("ports");
      for (PortSpec ps : r.ports()) {
        ports.add(ps.toString());
      }
      source(ro, r.span());
    }
    source(o, p.span());
    return o;
  }

  private static ObjectNode peer(Peer p) {
    ObjectNode o = Json.object();
    switch (p.kind()) {
      case ALL -> o.put("all", true);
      case ENDPOINTS -> {
        p.namespaces().ifPresent(n -> o.set("namespaces", selector(n)));
        o.set("endpoints", selector(p.endpoints()));
      }
      case CIDR -> {
        o.put("cidr", p.cidr().get().toString());
        strings(o.putArray("except"), p.except());
      }
      case SPECIAL -> o.put("endpoint", p.special().get());
    }
    return o;
  }
}
