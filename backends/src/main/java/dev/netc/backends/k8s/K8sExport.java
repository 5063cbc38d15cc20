package dev.netc.backends.k8s;

import dev.netc.backends.Export;
import dev.netc.backends.Templates;
import dev.netc.backends.YamlText;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Requirement;
import dev.netc.compiler.ir.Selector;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code netc emit --backend k8s}: the topology as Kubernetes manifests, one YAML stream of
 * Namespaces, workloads (a Pod per endpoint, a Deployment per replicated declaration), Services
 * and NetworkPolicies, rendered by {@code k8s.ftl}. Java computes and quotes every value.
 *
 * <p>Kubernetes has one flat pod network, no deny rules in NetworkPolicy, no way to name the node
 * or the outside as a peer and no host ports worth the name; each construct it cannot express
 * gets a warning (NETC501-NETC507) with the construct's span. What is left out never widens what
 * an allow rule admits: a rule whose peers all drop is left out whole (deny rules are the
 * exception: without them Kubernetes admits more, which NETC501 says).
 */
public final class K8sExport {
  /** The image of every container: it only holds the pod's network identity. */
  public static final String IMAGE = "registry.k8s.io/pause:3.9";
  /** Where endpoints, services and policies declared outside any namespace go. */
  public static final String DEFAULT_NAMESPACE = "default";
  /** Ranges up to this many ports become one containerPort each; wider ones are left out. */
  static final int MAX_EXPANDED_RANGE = 16;
  private static final String METADATA_NAME = "kubernetes.io/metadata.name";

  private final Topology topology;
  private final List<Diagnostic> diags = new ArrayList<>();
  /** For each document after the header, in order, the spans of the declarations it is written from. */
  private final List<List<Span>> origins = new ArrayList<>();

  private K8sExport(Topology topology) {
    this.topology = topology;
  }

  public static Export write(Topology t) {
    K8sExport x = new K8sExport(t);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("topology", t.name());
    model.put("image", YamlText.quote(IMAGE));
    model.put("imageName", IMAGE);
    model.put("namespaces", x.namespaces());
    model.put("workloads", x.workloads());
    model.put("services", x.services());
    model.put("policies", x.policies());
    x.networks();
    String text = Templates.render("k8s.ftl", model);
    return new Export(text, x.diags, blocks(text, x.origins));
  }

  /** The documents of {@code text}, each from the line after its {@code ---} to the next. */
  private static List<Export.Block> blocks(String text, List<List<Span>> origins) {
    List<String> lines = text.lines().toList();
    List<Export.Block> out = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= lines.size(); i++) {
      if (i == lines.size() || lines.get(i).equals("---")) {
        if (start >= 0 && out.size() < origins.size()) {
          out.add(new Export.Block(start + 1, i, "", origins.get(out.size())));
        }
        start = i + 1;
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ model records

  /** A key and a value, both quoted. */
  public record KV(String key, String value) {}

  /** A label selector: {@code {}} when empty, else matchLabels and matchExpressions. */
  public record Sel(boolean empty, List<KV> matchLabels, List<Expr> matchExpressions) {}

  /** One matchExpressions entry; {@code values} is a flow list, empty for Exists. */
  public record Expr(String key, String operator, String values) {}

  /** Object metadata. */
  public record Meta(String name, String namespace, List<KV> labels) {}

  /** A namespace. */
  public record Ns(String name, List<KV> labels) {}

  /** A container of a pod, with its ports. */
  public record Container(String name, List<CPort> ports) {}

  /** A container port. */
  public record CPort(int port, String protocol) {}

  /**
   * A Pod ({@code replicas} 0) or a Deployment; {@code node} is "" when not pinned to a node.
   */
  public record Workload(String kind, Meta meta, int replicas, List<KV> selector, String node,
      boolean hostNetwork, List<Container> containers) {}

  /** A Service. */
  public record Svc(Meta meta, String type, List<String> clusterIPs, List<String> ipFamilies,
      String ipFamilyPolicy, List<KV> selector, List<SPort> ports) {}

  /** A service port; {@code nodePort} 0 when none. */
  public record SPort(String name, String protocol, int port, int targetPort, int nodePort) {}

  /** A NetworkPolicy. */
  public record NetPol(Meta meta, Sel podSelector, List<String> policyTypes, List<NRule> ingress,
      List<NRule> egress) {}

  /** An ingress or egress rule: no peers means every peer, no ports every port. */
  public record NRule(List<NPeer> peers, List<NPort> ports) {}

  /**
   * A peer: an ipBlock ({@code cidr} not empty), or a namespace and/or pod selector (either may
   * be null).
   */
  public record NPeer(String cidr, String except, Sel namespaceSelector, Sel podSelector) {}

  /** A rule port; {@code endPort} 0 when a single port. */
  public record NPort(String protocol, int port, int endPort) {}

  // ------------------------------------------------------------------ namespaces and workloads

  private List<Ns> namespaces() {
    List<Ns> out = new ArrayList<>();
    topology.namespaces().forEach(n -> {
      Map<String, String> labels = new TreeMap<>(n.labels());
      labels.remove(METADATA_NAME); // Kubernetes sets it itself
      out.add(new Ns(YamlText.quote(n.name()), kvs(labels)));
      origins.add(List.of(n.span()));
    });
    return out;
  }

  private static String ns(String namespace) {
    return YamlText.quote(namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace);
  }

  private static String local(String name) {
    return name.substring(name.lastIndexOf('/') + 1);
  }

  private List<Workload> workloads() {
    boolean pinned = topology.hosts().stream().noneMatch(Host::implicit);
    // replicas of one declaration, in declaration order
    Map<String, List<Endpoint>> groups = new LinkedHashMap<>();
    for (Endpoint e : topology.endpoints()) {
      String key = e.replicaOf().map(r -> e.namespace() + "/" + r).orElse(e.name());
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
      endpointDiagnostics(e);
    }
    List<Workload> out = new ArrayList<>();
    for (List<Endpoint> group : groups.values()) {
      Endpoint first = group.get(0);
      String declared = first.replicaOf().orElse(first.localName());
      String node = pinned ? YamlText.quote(first.host()) : "";
      List<Container> containers = containers(first, declared);
      boolean host = first.mode() == NetMode.HOST;
      if (first.replicaOf().isPresent() && !first.labels().isEmpty()) {
        List<KV> labels = kvs(first.labels());
        out.add(new Workload("Deployment", new Meta(YamlText.quote(declared), ns(first.namespace()),
            labels), group.size(), labels, node, host, containers));
        origins.add(group.stream().map(Endpoint::span).toList());
      } else {
        for (Endpoint e : group) {
          out.add(new Workload("Pod", new Meta(YamlText.quote(e.localName()), ns(e.namespace()),
              kvs(e.labels())), 0, List.of(), node, host, containers));
          origins.add(List.of(e.span()));
        }
      }
    }
    return out;
  }

  private List<Container> containers(Endpoint e, String declared) {
    List<Container> out = new ArrayList<>();
    if (e.members().isEmpty()) {
      out.add(new Container(YamlText.quote(declared), ports(e.exposes(), e)));
      return out;
    }
    for (int i = 0; i < e.members().size(); i++) {
      Endpoint.Member m = e.members().get(i);
      List<PortSpec> exposes = new ArrayList<>(m.exposes());
      if (i == 0) {
        // the pod's own ports go with its first container, but for those a member lists already:
        // the pod serves them through that member, and two containers with one port are NETC222
        for (PortSpec s : e.exposes()) {
          exposes.addAll(s.range().size() > MAX_EXPANDED_RANGE ? List.of(s) : notListed(s, e.members()));
        }
      }
      out.add(new Container(YamlText.quote(m.name()), ports(exposes, e)));
    }
    return out;
  }

  /** The parts of {@code s} that no member exposes, as ranges. */
  private static List<PortSpec> notListed(PortSpec s, List<Endpoint.Member> members) {
    List<PortSpec> out = new ArrayList<>();
    int from = -1;
    for (int p = s.range().first(); p <= s.range().last(); p++) {
      int port = p;
      boolean listed = members.stream().flatMap(m -> m.exposes().stream())
          .anyMatch(x -> x.protocol() == s.protocol() && x.range().first() <= port && port <= x.range().last());
      if (!listed && from < 0) {
        from = p;
      }
      if (listed && from >= 0) {
        out.add(new PortSpec(new PortRange(from, p - 1), s.protocol()));
        from = -1;
      }
    }
    if (from >= 0) {
      out.add(new PortSpec(new PortRange(from, s.range().last()), s.protocol()));
    }
    return out;
  }

  private List<CPort> ports(List<PortSpec> specs, Endpoint e) {
    List<CPort> out = new ArrayList<>();
    for (PortSpec s : specs) {
      if (s.range().size() > MAX_EXPANDED_RANGE) {
        diags.add(Diagnostic.of(Code.NETC504, e.span(), "a container lists single ports, so the"
                + " exposed range `" + s + "` of `" + declaredName(e) + "` is left out of its"
                + " `containerPort`s")
            .withHint("container ports are informational in Kubernetes: the pod still serves the"
                + " range, and policies and services still reach it"));
        continue;
      }
      for (int p = s.range().first(); p <= s.range().last(); p++) {
        out.add(new CPort(p, YamlText.quote(s.protocol().name())));
      }
    }
    return out;
  }

  private static String declaredName(Endpoint e) {
    String declared = e.replicaOf().orElse(e.localName());
    return e.namespace().isEmpty() ? declared : e.namespace() + "/" + declared;
  }

  private void endpointDiagnostics(Endpoint e) {
    String name = declaredName(e);
    if (e.mode() == NetMode.NONE) {
      diags.add(Diagnostic.of(Code.NETC506, e.span(), "every pod in Kubernetes is on the pod"
              + " network, so `" + name + "` in `mode none` is written as an ordinary pod")
          .withHint("isolate it with a policy that selects it and allows nothing"));
    }
    for (Publish p : e.publishes()) {
      diags.add(Diagnostic.of(Code.NETC504, p.span(), "Kubernetes has no published ports, so `"
              + publish(p) + "` of `" + name + "` is left out")
          .withHint("use a service with `node-port` to reach the pod from outside the cluster"));
    }
    for (Attachment a : e.attachments()) {
      List<String> lost = new ArrayList<>();
      if (!a.staticAddresses().isEmpty()) {
        lost.add("its static address" + (a.staticAddresses().size() > 1 ? "es " : " ")
            + String.join(", ", a.staticAddresses().stream().map(x -> "`" + x + "`").toList()));
      }
      if (!a.aliases().isEmpty()) {
        lost.add("its alias" + (a.aliases().size() > 1 ? "es " : " ")
            + String.join(", ", a.aliases().stream().map(x -> "`" + x + "`").toList()));
      }
      a.mac().ifPresent(m -> lost.add("its MAC address `" + m + "`"));
      if (!lost.isEmpty()) {
        diags.add(Diagnostic.of(Code.NETC505, a.span(), "Kubernetes chooses pod addresses and"
                + " names, so the attachment of `" + name + "` to `" + a.network() + "` loses "
                + Export.and(lost))
            .withHint("reach the pod through a service: its name and `address` are kept"));
      }
    }
  }

  private static String publish(Publish p) {
    String host = p.hostAddress().map(a -> a.isV4() ? a + ":" : "[" + a + "]:").orElse("");
    String ports = p.hostPorts().map(Object::toString).orElse("");
    String side = host.isEmpty() && ports.isEmpty() ? "" : host + ports + " -> ";
    return "publish " + side + p.containerPorts() + "/" + p.protocol().label();
  }

  // ------------------------------------------------------------------ networks

  private void networks() {
    List<Network> used = topology.networks().stream()
        .filter(n -> topology.endpoints().stream().anyMatch(
            e -> e.attachments().stream().anyMatch(a -> a.network().equals(n.name()))))
        .toList();
    for (int i = 0; i < used.size(); i++) {
      Network n = used.get(i);
      List<String> lost = new ArrayList<>();
      if (n.driver() != Driver.BRIDGE) {
        lost.add("its `" + n.driver().label() + "` driver");
      }
      if (n.internal()) {
        lost.add("`internal` (every pod has a route out)");
      }
      n.mtu().ifPresent(m -> lost.add("`mtu " + m + "`"));
      if (!n.resolve() && !n.implicit()) {
        lost.add("`resolve off`");
      }
      if (i > 0) {
        lost.add("its separation from network `" + used.get(0).name() + "`");
      }
      if (lost.isEmpty()) {
        continue;
      }
      diags.add(Diagnostic.of(Code.NETC503, n.span(), "Kubernetes has one pod network, so network `"
              + n.name() + "` loses " + Export.and(lost))
          .withHint(i > 0 ? "every pod reaches every pod unless a policy isolates it: express the"
                  + " separation with policies" : "these settings belong to the cluster's network"
                  + " plugin, not to the manifests"));
    }
  }

  // ------------------------------------------------------------------ services

  private List<Svc> services() {
    List<Svc> out = new ArrayList<>();
    for (Service s : topology.services()) {
      boolean equalities = s.selector().requirements().stream()
          .allMatch(r -> r.operator() == Requirement.Operator.EQUALS);
      if (s.selector().selectsAll() || !equalities) {
        diags.add(Diagnostic.of(Code.NETC507, s.span(), "a Kubernetes service selects pods by"
                + " equal labels only, so service `" + s.name() + "` (`select "
                + selectorText(s.selector()) + "`) is left out")
            .withHint("select with `KEY=VALUE` requirements only"));
        continue;
      }
      java.util.Optional<String> twice = s.selector().requirements().stream().map(Requirement::key)
          .filter(k -> s.selector().requirements().stream().filter(r -> r.key().equals(k))
              .map(r -> r.values().get(0)).distinct().count() > 1)
          .findFirst();
      if (twice.isPresent()) {
        diags.add(Diagnostic.of(Code.NETC507, s.span(), "a Kubernetes service's selector has one"
                + " value per label, so service `" + s.name() + "` (`select " + selectorText(s.selector())
                + "`, which selects nothing: label `" + twice.get() + "` cannot have two values) is left out")
            .withHint("select with one value per label key"));
        continue;
      }
      if (!s.backends().isEmpty()) {
        diags.add(Diagnostic.of(Code.NETC507, s.backends().get(0).span(), "a Kubernetes service"
                + " spreads connections evenly, so the `backend` weights of service `" + s.name()
                + "` are left out")
            .withHint("split traffic with a service mesh or an ingress controller that supports"
                + " weights"));
      }
      Map<String, String> selector = new TreeMap<>();
      s.selector().requirements().forEach(r -> selector.put(r.key(), r.values().get(0)));
      List<SPort> ports = new ArrayList<>();
      boolean nodePorts = false;
      for (Service.Port p : s.ports()) {
        nodePorts |= p.nodePort().isPresent();
        ports.add(new SPort(YamlText.quote(p.protocol().label() + "-" + p.port()),
            YamlText.quote(p.protocol().name()), p.port(), p.targetPort(), p.nodePort().orElse(0)));
      }
      List<String> ips = s.given().stream().map(a -> YamlText.quote(a.toString())).toList();
      // the families it asks netc to choose an address of are Kubernetes' to choose: ipFamilies,
      // after those of the addresses given (a given clusterIP is the primary one)
      List<String> families = new ArrayList<>();
      if (!s.families().isEmpty()) {
        s.given().forEach(a -> families.add(YamlText.quote(a.family().label())));
        s.families().forEach(f -> families.add(YamlText.quote(f.label())));
      }
      int count = Math.max(ips.size(), families.size());
      String policy = count > 1 ? "RequireDualStack" : families.isEmpty() ? "" : "SingleStack";
      out.add(new Svc(new Meta(YamlText.quote(local(s.name())), ns(s.namespace()), List.of()),
          YamlText.quote(nodePorts ? "NodePort" : "ClusterIP"), ips, families,
          policy.isEmpty() ? "" : YamlText.quote(policy), kvs(selector), ports));
      origins.add(List.of(s.span()));
    }
    return out;
  }

  // ------------------------------------------------------------------ policies

  private List<NetPol> policies() {
    List<NetPol> out = new ArrayList<>();
    for (Policy p : topology.policies()) {
      List<NRule> ingress = new ArrayList<>();
      List<NRule> egress = new ArrayList<>();
      for (Policy.Rule r : p.rules()) {
        if (r.action() == Policy.Action.DENY) {
          diags.add(Diagnostic.of(Code.NETC501, r.span(), "Kubernetes NetworkPolicy has no deny"
                  + " rules, so this rule of policy `" + p.name() + "` is left out and what it"
                  + " drops is admitted")
              .withHint("admit only what is wanted with allow rules instead; a cluster-wide"
                  + " AdminNetworkPolicy can deny, but netc does not write it"));
          continue;
        }
        rule(p, r).ifPresent(x -> (r.direction() == Direction.INGRESS ? ingress : egress).add(x));
      }
      if (p.isolates().isEmpty()) {
        continue; // only deny rules, each reported: nothing is left to say
      }
      List<String> types = new ArrayList<>();
      for (Direction d : Direction.values()) {
        if (p.isolates().contains(d)) {
          types.add(YamlText.quote(d == Direction.INGRESS ? "Ingress" : "Egress"));
        }
      }
      out.add(new NetPol(new Meta(YamlText.quote(local(p.name())), ns(p.namespace()), List.of()),
          sel(p.selector()), types, ingress, egress));
      origins.add(List.of(p.span()));
    }
    return out;
  }

  private java.util.Optional<NRule> rule(Policy p, Policy.Rule r) {
    List<NPeer> peers = new ArrayList<>();
    for (Peer peer : r.peers()) {
      switch (peer.kind()) {
        case ENDPOINTS -> peers.add(new NPeer("", "",
            peer.namespaces().map(this::sel).orElse(null),
            peer.namespaces().isPresent() && peer.endpoints().selectsAll() ? null
                : sel(peer.endpoints())));
        case CIDR -> peers.add(new NPeer(YamlText.quote(peer.cidr().orElseThrow().toString()),
            peer.except().isEmpty() ? "" : YamlText.list(peer.except()), null, null));
        case SPECIAL -> {
          String name = peer.special().orElseThrow();
          diags.add(Diagnostic.of(Code.NETC502, r.span(), "a Kubernetes NetworkPolicy cannot name"
                  + (name.equals("@host") ? " the node (`@host`)" : " clients outside the cluster"
                  + " (`@outside`)") + ", so the peer is left out of this rule of policy `"
                  + p.name() + "`" + (r.peers().size() == 1 ? ", and the rule with it" : ""))
              .withHint(name.equals("@host") ? "network plugins usually admit traffic between a"
                  + " pod and its own node" : "admit `cidr 0.0.0.0/0` for clients outside the"
                  + " cluster (it may match pods too)"));
        }
        case ALL -> {
          // the resolver turns a rule with `all` among its peers into a rule without peers
        }
      }
    }
    if (!r.peers().isEmpty() && peers.isEmpty()) {
      return java.util.Optional.empty(); // every peer left out: the rule would admit everyone
    }
    List<NPort> ports = new ArrayList<>();
    for (PortSpec s : r.ports()) {
      ports.add(new NPort(YamlText.quote(s.protocol().name()), s.range().first(),
          s.range().size() > 1 ? s.range().last() : 0));
    }
    return java.util.Optional.of(new NRule(peers, ports));
  }

  private Sel sel(Selector s) {
    List<KV> labels = new ArrayList<>();
    List<Expr> exprs = new ArrayList<>();
    for (Requirement r : s.requirements()) {
      switch (r.operator()) {
        // matchLabels holds a key once: a key required equal more than once (`app=web app=api`,
        // which selects nothing) becomes one `In` of one value per requirement, ANDed as well
        case EQUALS -> {
          if (equalities(s, r.key()) > 1) {
            exprs.add(new Expr(YamlText.quote(r.key()), YamlText.quote("In"), YamlText.list(r.values())));
          } else {
            labels.add(new KV(YamlText.quote(r.key()), YamlText.quote(r.values().get(0))));
          }
        }
        case NOT_EQUALS -> exprs.add(new Expr(YamlText.quote(r.key()), YamlText.quote("NotIn"),
            YamlText.list(r.values())));
        case IN -> exprs.add(new Expr(YamlText.quote(r.key()), YamlText.quote("In"),
            YamlText.list(r.values())));
        case NOT_IN -> exprs.add(new Expr(YamlText.quote(r.key()), YamlText.quote("NotIn"),
            YamlText.list(r.values())));
        case EXISTS -> exprs.add(new Expr(YamlText.quote(r.key()), YamlText.quote("Exists"), ""));
        case DOES_NOT_EXIST -> exprs.add(new Expr(YamlText.quote(r.key()),
            YamlText.quote("DoesNotExist"), ""));
      }
    }
    return new Sel(labels.isEmpty() && exprs.isEmpty(), labels, exprs);
  }

  /** How many {@code key=value} requirements of {@code s} name {@code key}. */
  private static long equalities(Selector s, String key) {
    return s.requirements().stream()
        .filter(r -> r.operator() == Requirement.Operator.EQUALS && r.key().equals(key)).count();
  }

  static String selectorText(Selector s) {
    if (s.selectsAll()) {
      return "all";
    }
    List<String> parts = new ArrayList<>();
    for (Requirement r : s.requirements()) {
      parts.add(switch (r.operator()) {
        case EQUALS -> r.key() + "=" + r.values().get(0);
        case NOT_EQUALS -> r.key() + "!=" + r.values().get(0);
        case IN -> r.key() + " in (" + String.join(", ", r.values()) + ")";
        case NOT_IN -> r.key() + " notin (" + String.join(", ", r.values()) + ")";
        case EXISTS -> r.key();
        case DOES_NOT_EXIST -> "!" + r.key();
      });
    }
    return String.join(" ", parts);
  }

  private static List<KV> kvs(Map<String, String> labels) {
    List<KV> out = new ArrayList<>();
    new TreeMap<>(labels).forEach((k, v) -> out.add(new KV(YamlText.quote(k), YamlText.quote(v))));
    return out;
  }
}
