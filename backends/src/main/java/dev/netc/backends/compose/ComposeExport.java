package dev.netc.backends.compose;

import dev.netc.backends.Export;
import dev.netc.backends.Templates;
import dev.netc.backends.YamlText;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Namespace;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code netc emit --backend compose}: the topology as a Compose file, rendered by {@code
 * compose.ftl}: a service per declared container or pod (replicas as {@code deploy.replicas}),
 * its networks with aliases and static addresses, published and exposed ports, {@code
 * network_mode} for host, none and pod members; networks with their driver, options and IPAM.
 * Java computes and quotes every value.
 *
 * <p>Compose runs on one host, has no policies, no virtual services and no namespaces; each
 * construct it cannot express gets a warning or note (NETC511-NETC516) with the construct's span.
 */
public final class ComposeExport {
  /** The image of every service: it only holds the container's network. */
  public static final String IMAGE = "registry.k8s.io/pause:3.9";

  private final Topology topology;
  private final List<Diagnostic> diags = new ArrayList<>();
  /** The key of each service and network written, and the spans of the declarations it is written from. */
  private final Map<String, List<Span>> serviceOrigins = new LinkedHashMap<>();
  private final Map<String, List<Span>> networkOrigins = new LinkedHashMap<>();

  private ComposeExport(Topology topology) {
    this.topology = topology;
  }

  public static Export write(Topology t) {
    ComposeExport x = new ComposeExport(t);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("topology", t.name());
    model.put("name", YamlText.quote(t.name()));
    model.put("image", YamlText.quote(IMAGE));
    model.put("imageName", IMAGE);
    model.put("services", x.services());
    model.put("networks", x.networks());
    x.unsupported();
    String text = Templates.render("compose.ftl", model);
    List<Export.Block> blocks = new ArrayList<>(blocks(text, "services:", x.serviceOrigins));
    blocks.addAll(blocks(text, "networks:", x.networkOrigins));
    return new Export(text, x.diags, blocks);
  }

  /** The entries under top-level key {@code section}: each from its key's line to the next entry. */
  private static List<Export.Block> blocks(String text, String section, Map<String, List<Span>> origins) {
    List<String> lines = text.lines().toList();
    List<Export.Block> out = new ArrayList<>();
    int at = lines.indexOf(section);
    if (at < 0) {
      return out;
    }
    for (int i = at + 1; i < lines.size() && lines.get(i).startsWith(" "); i++) {
      String line = lines.get(i);
      if (line.startsWith("  ") && !line.startsWith("   ") && line.endsWith(":")) {
        List<Span> from = origins.get(line.substring(2, line.length() - 1));
        int last = i + 1;
        while (last < lines.size() && lines.get(last).startsWith("   ")) {
          last++;
        }
        if (from != null) {
          out.add(new Export.Block(i + 1, last, "  ", from));
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ model records

  /** A key and a value, both quoted. */
  public record KV(String key, String value) {}

  /**
   * A Compose service. {@code networkMode} is "" when the service has networks of its own;
   * {@code replicas} 0 when not replicated.
   */
  public record Svc(String name, List<KV> labels, int replicas, String networkMode,
      List<Net> networks, List<String> ports, List<String> expose) {}

  /** A service's attachment to a network; empty strings for what is not set. */
  public record Net(String name, String aliases, String ipv4, String ipv6, String mac) {}

  /** A top-level network. */
  public record NetworkOut(String name, String driver, boolean attachable, boolean internal,
      boolean ipv6, List<KV> options, List<Pool> pools) {}

  /** One {@code ipam.config} entry. */
  public record Pool(String subnet, String gateway, String ipRange, List<KV> aux) {}

  // ------------------------------------------------------------------ services

  /** The Compose service name of a declaration: namespaces are flattened into the name. */
  private static String serviceName(Endpoint e) {
    String declared = e.replicaOf().orElse(e.localName());
    return e.namespace().isEmpty() ? declared : e.namespace() + "-" + declared;
  }

  private List<Svc> services() {
    Map<String, List<Endpoint>> groups = new LinkedHashMap<>();
    for (Endpoint e : topology.endpoints()) {
      groups.computeIfAbsent(serviceName(e), k -> new ArrayList<>()).add(e);
    }
    List<Svc> out = new ArrayList<>();
    groups.forEach((name, group) -> {
      Endpoint e = group.get(0);
      int replicas = e.replicaOf().isPresent() ? group.size() : 0;
      List<Net> nets = new ArrayList<>();
      String mode = "";
      if (e.mode() == NetMode.HOST) {
        mode = "host";
      } else if (e.mode() == NetMode.NONE) {
        mode = "none";
      } else {
        for (Attachment a : e.attachments()) {
          if (isImplicitDefault(a.network())) {
            continue;
          }
          nets.add(net(a));
        }
        boolean onDefault = e.attachments().stream().anyMatch(a -> isImplicitDefault(a.network()));
        if (onDefault && nets.isEmpty()) {
          mode = "bridge"; // Docker's default bridge: netc's `default` network
        } else if (onDefault) {
          diags.add(Diagnostic.of(Code.NETC515, e.span(), "a Compose service is either on Docker's"
                  + " default bridge or on networks of its own, so `" + name + "` leaves the"
                  + " `default` network")
              .withHint("attach it to a declared network instead of `default`"));
        }
      }
      List<String> ports = new ArrayList<>();
      if (e.mode() == NetMode.BRIDGE) {
        e.publishes().forEach(p -> ports.add(YamlText.quote(publish(p))));
      }
      List<String> expose = new ArrayList<>();
      List<PortSpec> specs = new ArrayList<>(e.exposes());
      e.members().forEach(m -> specs.addAll(m.exposes()));
      specs.forEach(s -> expose.add(YamlText.quote(s.toString())));
      out.add(new Svc(YamlText.quote(name), kvs(e.labels()), replicas,
          mode.isEmpty() ? "" : YamlText.quote(mode), nets, ports, expose));
      serviceOrigins.put(YamlText.quote(name), group.stream().map(Endpoint::span).toList());
      if (e.members().size() > 1) {
        List<String> members = new ArrayList<>();
        java.util.Set<String> used = new java.util.HashSet<>(List.of(name));
        for (Endpoint.Member m : e.members()) {
          // a member named as the pod is its service itself (so the Compose front end reads a
          // pod's service: the member it adds); one named POD-X keeps its name; others get the
          // pod's name before theirs: `import` of the file and `emit` again give it back as it was
          if (m.name().equals(name)) {
            continue;
          }
          String memberName = m.name().startsWith(name + "-") && !used.contains(m.name()) ? m.name() : name + "-" + m.name();
          used.add(memberName);
          members.add("`" + memberName + "`");
          out.add(new Svc(YamlText.quote(memberName), List.of(), 0,
              YamlText.quote("service:" + name), List.of(), List.of(), List.of()));
          serviceOrigins.put(YamlText.quote(memberName), group.stream().map(Endpoint::span).toList());
        }
        diags.add(Diagnostic.of(Code.NETC512, e.span(), "Compose has no pods: pod `"
                + declared(e) + "` becomes service `" + name + "`, and its members become "
                + Export.and(members) + ", which share its network namespace")
            .withHint(replicas > 1 ? "`network_mode: service:" + name + "` joins one replica"
                + " only: run one replica per pod, or one service per replica"
                : "start the members with the pod's service: they depend on it"));
      }
    });
    return out;
  }

  private static String declared(Endpoint e) {
    String d = e.replicaOf().orElse(e.localName());
    return e.namespace().isEmpty() ? d : e.namespace() + "/" + d;
  }

  private boolean isImplicitDefault(String network) {
    return topology.networks().stream().anyMatch(n -> n.name().equals(network) && n.implicit());
  }

  /**
   * The Compose key of a network: its name, but {@code default} for {@code TOPOLOGY-default}, the
   * name the Compose front end gives the project's default network, so that a Compose file read
   * and written again keeps its default network (and is read back to the same topology); not
   * when the topology has a network named {@code default} itself, whose key that is.
   */
  private String key(String network) {
    return network.equals(topology.name() + "-default")
        && topology.networks().stream().noneMatch(n -> n.name().equals("default")) ? "default" : network;
  }

  private Net net(Attachment a) {
    String v4 = "";
    String v6 = "";
    for (IpAddress ip : a.staticAddresses()) {
      if (ip.isV4()) {
        v4 = YamlText.quote(ip.toString());
      } else {
        v6 = YamlText.quote(ip.toString());
      }
    }
    return new Net(YamlText.quote(key(a.network())), a.aliases().isEmpty() ? "" : YamlText.list(a.aliases()),
        v4, v6, a.mac().map(YamlText::quote).orElse(""));
  }

  /** Compose's short syntax: {@code [HOST_IP:][HOST_PORTS:]CONTAINER_PORTS/PROTOCOL}. */
  static String publish(Publish p) {
    StringBuilder sb = new StringBuilder();
    p.hostAddress().ifPresent(a -> sb.append(a.isV4() ? a.toString() : "[" + a + "]").append(':'));
    p.hostPorts().ifPresent(r -> sb.append(r).append(':'));
    if (p.hostAddress().isPresent() && p.hostPorts().isEmpty()) {
      sb.append(':'); // an address with an automatic port: `127.0.0.1::80`
    }
    return sb.append(p.containerPorts()).append('/').append(p.protocol().label()).toString();
  }

  // ------------------------------------------------------------------ networks

  private List<NetworkOut> networks() {
    List<NetworkOut> out = new ArrayList<>();
    for (dev.netc.compiler.ir.Network n : topology.networks()) {
      if (n.implicit()) {
        continue; // netc's `default` is Docker's default bridge: `network_mode: bridge`
      }
      Map<String, String> options = new TreeMap<>();
      List<String> lost = new ArrayList<>();
      n.mtu().ifPresent(m -> options.put("com.docker.network.driver.mtu", Integer.toString(m)));
      n.overlay().ifPresent(o -> {
        options.put("com.docker.network.driver.overlay.vxlanid_list", Integer.toString(o.vni()));
        if (o.encrypted()) {
          options.put("encrypted", "");
        }
        if (o.port() != 4789) {
          lost.add("its VXLAN `port " + o.port() + "` (set for the whole swarm with `docker swarm"
              + " init --data-path-port`)");
        }
      });
      n.macvlan().ifPresent(m -> {
        options.put("parent", m.parent());
        options.put("macvlan_mode", m.mode().label());
      });
      if (!n.resolve()) {
        lost.add("`resolve off` (services on a Compose network always resolve each other)");
      }
      if (!lost.isEmpty()) {
        diags.add(Diagnostic.of(Code.NETC515, n.span(), "Compose cannot say everything about"
                + " network `" + n.name() + "`: " + Export.and(lost) + " "
                + (lost.size() > 1 ? "are" : "is") + " left out")
            .withHint("keep these settings with the Docker daemon, or drop them from the topology"));
      }
      List<Pool> pools = new ArrayList<>();
      boolean v6 = false;
      for (Subnet s : n.subnets()) {
        v6 |= !s.cidr().address().isV4();
        List<KV> aux = new ArrayList<>();
        for (int i = 0; i < s.reserved().size(); i++) {
          aux.add(new KV(YamlText.quote("reserved-" + (s.cidr().address().isV4() ? "" : "v6-")
              + (i + 1)), YamlText.quote(s.reserved().get(i).toString())));
        }
        pools.add(new Pool(YamlText.quote(s.cidr().toString()), YamlText.quote(s.gateway().toString()),
            s.pool().map(p -> YamlText.quote(p.toString())).orElse(""), aux));
      }
      // an overlay needs a swarm; `attachable` lets Compose's containers join it
      networkOrigins.put(YamlText.quote(key(n.name())), List.of(n.span()));
      out.add(new NetworkOut(YamlText.quote(key(n.name())), YamlText.quote(n.driver().label()),
          n.driver() == Driver.OVERLAY, n.internal(), v6, kvs(options), pools));
    }
    return out;
  }

  // ------------------------------------------------------------------ the rest

  private void unsupported() {
    for (Policy p : topology.policies()) {
      diags.add(Diagnostic.of(Code.NETC511, p.span(), "Compose has no network policies, so policy `"
              + p.name() + "` is left out and what it " + (p.isolates().isEmpty() ? "drops"
              : "isolates") + " is admitted")
          .withHint("separate services with networks instead: only services on a shared network"
              + " reach each other"));
    }
    for (Service s : topology.services()) {
      List<String> lost = new ArrayList<>(List.of("its name"));
      if (!s.given().isEmpty()) {
        lost.add("its address");
      }
      lost.add("its ports");
      if (s.ports().stream().anyMatch(p -> p.nodePort().isPresent())) {
        lost.add("its node ports");
      }
      if (!s.backends().isEmpty()) {
        lost.add("its weights");
      }
      diags.add(Diagnostic.of(Code.NETC513, s.span(), "Compose has no virtual services, so service `"
              + s.name() + "` is left out, with " + Export.and(lost))
          .withHint("Compose resolves a service's name to all its replicas: give the selected"
              + " endpoints the service's name as an `alias`, and `publish` what clients outside"
              + " need"));
    }
    List<Host> hosts = topology.hosts();
    if (hosts.size() > 1) {
      for (Host h : hosts.subList(1, hosts.size())) {
        diags.add(Diagnostic.of(Code.NETC514, h.span(), "Compose runs every service on one host,"
                + " so what runs on host `" + h.name() + "` runs beside what runs on `"
                + hosts.get(0).name() + "`")
            .withHint("write one Compose file per host, or use a swarm stack with placement"
                + " constraints"));
      }
    }
    for (Namespace n : topology.namespaces()) {
      diags.add(Diagnostic.of(Code.NETC516, n.span(), "Compose has no namespaces: the endpoints of"
              + " namespace `" + n.name() + "` become services named `" + n.name() + "-NAME`")
          .withHint("their names resolve as `" + n.name() + "-NAME` in Compose"));
    }
  }

  private static List<KV> kvs(Map<String, String> labels) {
    List<KV> out = new ArrayList<>();
    new TreeMap<>(labels).forEach((k, v) -> out.add(new KV(YamlText.quote(k), YamlText.quote(v))));
    return out;
  }
}
