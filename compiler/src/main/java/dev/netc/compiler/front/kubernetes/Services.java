package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.SelectorAst;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns Services into service declarations: the selector, the cluster IPs as addresses, and each
 * port with its target (a number, or a name resolved against the selected pods' container ports)
 * and, for NodePort and LoadBalancer Services, its node port (one from 30000 up that no other
 * Service names, when the YAML leaves it to Kubernetes to choose). ExternalName Services and
 * Services without a selector have no pods netc can know of and are left out (NETC024).
 */
final class Services {
  private static final List<String> TYPES = List.of("ClusterIP", "NodePort", "LoadBalancer", "ExternalName");
  /** The type a Service of a type netc does not know is checked as: its node ports neither chosen nor refused. */
  private static final String UNKNOWN_TYPE = "?";
  private static final List<String> READ = List.of("selector", "ports", "clusterIP", "clusterIPs", "type",
      "ipFamilies", "ipFamilyPolicy");
  private static final List<String> FAMILIES = List.of("IPv4", "IPv6");
  private static final List<String> POLICIES = List.of("SingleStack", "PreferDualStack", "RequireDualStack");
  private static final List<String> QUIET = List.of("sessionAffinity", "sessionAffinityConfig",
      "publishNotReadyAddresses", "allocateLoadBalancerNodePorts",
      "loadBalancerClass", "healthCheckNodePort", "trafficDistribution", "externalName",
      "externalIPs", "loadBalancerIP", "loadBalancerSourceRanges", "externalTrafficPolicy",
      "internalTrafficPolicy");

  private final Cluster cluster;
  private final Set<Integer> nodePorts = new HashSet<>();
  private int nextNodePort = 30000;
  /**
   * The node port chosen for each port (its YAML node) that names none, by Service: see {@link
   * #choose}. (By Service too: two Services can share one port node through a YAML alias.)
   */
  private final Map<KubeObject, Map<org.snakeyaml.engine.v2.nodes.Node, Integer>> chosen = new java.util.IdentityHashMap<>();
  /** The node ports the Services left out for an error name (see {@link #leftOut}). */
  private final List<Claim> claims = new ArrayList<>();

  /** Node port {@code nodePort}, given to port {@code port} (its item's span) of Service {@code service}. */
  private record Claim(String service, String nodePort, Span port) {}

  Services(Cluster cluster) {
    this.cluster = cluster;
  }

  /** Keeps the node ports the YAML names from being chosen for the ports that name none. */
  void reserve(KubeObject o) {
    Fields quiet = new Fields(o.f().yaml(), new dev.netc.compiler.diag.Diagnostics(), "");
    Fields.get(o.fields(), "spec").flatMap(quiet::map).flatMap(s -> Fields.get(s, "ports"))
        .map(quiet::list).orElse(List.of()).forEach(p -> quiet.map(p)
            .flatMap(m -> Fields.get(m, "nodePort")).flatMap(quiet::scalar)
            .filter(Ports::isNumber).filter(w -> w.text().length() <= 5)
            .ifPresent(w -> nodePorts.add(Integer.parseInt(w.text()))));
  }

  /**
   * Chooses the node ports of the ports of {@code o} that name none, as Kubernetes would: called
   * for every Service in file order, after {@link #reserve}, before any is read, so that what is
   * wrong with a Service (and leaves it out) does not change the node ports chosen for the
   * others. A port of a {@code NodePort} or {@code LoadBalancer} Service without {@code
   * nodePort} gets the one its Service names for the same {@code port} in another protocol, else
   * one of its own (one for the protocols of one {@code port}). Nothing is reported; a Service
   * whose type does not read, or a port that is no mapping, takes none (what it would take is
   * not known).
   */
  void choose(KubeObject o) {
    Fields quiet = new Fields(o.f().yaml(), new dev.netc.compiler.diag.Diagnostics(), "");
    Optional<Map<String, At>> spec = Fields.get(o.fields(), "spec").flatMap(quiet::map);
    if (spec.isEmpty() || !nodePortType(quiet, spec.get())) {
      return;
    }
    List<At> items = Fields.get(spec.get(), "ports").map(quiet::list).orElse(List.of());
    Map<String, Word> byPort = requestedNodePorts(quiet, items);
    for (At p : items) {
      Optional<Map<String, At>> fields = quiet.map(p);
      if (fields.isEmpty() || fields.get().containsKey("nodePort")) {
        continue;
      }
      Optional<Word> port = Fields.get(fields.get(), "port").flatMap(quiet::scalar);
      Word shared = port.map(w -> byPort.get(w.text())).orElse(null);
      if (shared == null) {
        while (nodePorts.contains(nextNodePort)) {
          nextNodePort++;
        }
        nodePorts.add(nextNodePort);
        shared = new Word(String.valueOf(nextNodePort), p.where());
        if (port.isPresent()) {
          byPort.put(port.get().text(), shared);
        }
      }
      chosen.computeIfAbsent(o, k -> new java.util.IdentityHashMap<>()).put(p.node(), Integer.parseInt(shared.text()));
    }
  }

  /** Whether the type of the Service of {@code spec} reads as {@code NodePort} or {@code LoadBalancer}. */
  private static boolean nodePortType(Fields quiet, Map<String, At> spec) {
    return Fields.get(spec, "type").flatMap(quiet::scalar)
        .map(w -> w.text().equals("NodePort") || w.text().equals("LoadBalancer")).orElse(false);
  }

  /**
   * Notes that {@code o} is left out for an error: once fixed, it takes the node ports it names,
   * when its type reads as one with node ports, and {@link #collisions} tells the declared
   * Services that name them after it, as the check will then. (Not for a Service left out with a
   * warning alone, NETC024 or NETC025: an error of the front end would hold back the checks that
   * need every object, NETC223 and NETC404, which no error holds back then.)
   */
  void leftOut(KubeObject o) {
    Fields quiet = new Fields(o.f().yaml(), new dev.netc.compiler.diag.Diagnostics(), "");
    Optional<Map<String, At>> spec = Fields.get(o.fields(), "spec").flatMap(quiet::map);
    if (spec.isEmpty() || !nodePortType(quiet, spec.get())) {
      return;
    }
    for (At p : Fields.get(spec.get(), "ports").map(quiet::list).orElse(List.of())) {
      quiet.map(p).flatMap(m -> Fields.get(m, "nodePort")).flatMap(quiet::scalar)
          .filter(Ports::isNumber).filter(w -> w.text().length() <= 5)
          .filter(w -> Integer.parseInt(w.text()) >= 30000 && Integer.parseInt(w.text()) <= 32767)
          .ifPresent(w -> claims.add(new Claim((o.broken() ? "" : o.namespace().text() + "/") + o.name().text(),
              String.valueOf(Integer.parseInt(w.text())), p.where())));
    }
  }

  /**
   * NETC225 at each port of the declared Services ({@code declared}, each of namespace {@code
   * namespaceOf}) whose node port a Service {@linkplain #leftOut left out} names before
   * it, and no declared one does: the check on the model (NodePortsDoNotCollide) tells the
   * collisions of declared Services, and would tell this one if the other were declared.
   */
  void collisions(List<Decl.Service> declared, List<String> namespaceOf, dev.netc.compiler.diag.Diagnostics out) {
    if (claims.isEmpty()) {
      return;
    }
    record Port(String service, int index, Decl.ServicePort port) {
      String number() {
        return String.valueOf(Integer.parseInt(port.nodePort().orElseThrow().text()));
      }

      String protocol() {
        return port.port().text().substring(port.port().text().indexOf('/') + 1);
      }

      /** Whether Kubernetes gives both one node port: the protocols of one port of one Service. */
      boolean shares(Port o) {
        return index == o.index && !protocol().equals(o.protocol())
            && port.port().text().replaceFirst("/.*", "").equals(o.port.port().text().replaceFirst("/.*", ""));
      }
    }
    List<Port> ports = new ArrayList<>();
    for (int i = 0; i < declared.size(); i++) {
      for (Decl.ServicePort p : declared.get(i).ports()) {
        if (p.nodePort().filter(Ports::isNumber).filter(w -> w.text().length() <= 5).isPresent()) {
          ports.add(new Port(namespaceOf.get(i) + "/" + declared.get(i).name().text(), i, p));
        }
      }
    }
    for (Port n : ports) {
      // the check tells it when a declared port claims it before (but the protocols of one port)
      boolean told = ports.stream().anyMatch(prev -> prev.port().span().compareTo(n.port().span()) < 0
          && prev.number().equals(n.number()) && !prev.shares(n));
      Optional<Claim> first = claims.stream().filter(c -> c.nodePort().equals(n.number()))
          .filter(c -> c.port().compareTo(n.port().span()) < 0).findFirst();
      if (told || first.isEmpty()) {
        continue;
      }
      String label = n.number() + "/" + n.protocol();
      out.add(Diagnostic.of(Code.NETC225, n.port().span(), "service `" + n.service() + "` opens node port "
              + label + ", which service `" + first.get().service() + "` already opens on every host")
          .withRelated(first.get().port(), "`" + first.get().service() + "` opens node port " + n.number()
              + " here: netc leaves it out, but it takes its node port all the same")
          .withHint("give each service port its own node port (30000-32767)"));
    }
  }

  Optional<Decl.Service> read(KubeObject o) {
    Fields f = o.f();
    Optional<At> specAt = Fields.get(o.fields(), "spec");
    if (specAt.isEmpty()) {
      f.missing(o.root(), "spec");
      return Optional.empty();
    }
    Optional<Map<String, At>> spec = f.map(specAt.get());
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    f.unknownFields(spec.get(), READ, QUIET);
    warnUnsupported(f, spec.get());
    Optional<Word> typeWord = Fields.get(spec.get(), "type").flatMap(f::scalar);
    Optional<String> type = typeWord.isEmpty() ? Optional.of("ClusterIP")
        : f.choice(typeWord.get(), "Service type", TYPES);
    // a type netc does not know (NETC105): the Service is left out, but its other fields are
    // checked all the same, as the API server validates them beside the type, so that fixing the
    // type reveals no error that was there all along (its node ports are not chosen, nor refused)
    boolean unknownType = type.isEmpty();
    type = type.or(() -> Optional.of(UNKNOWN_TYPE));
    if (type.get().equals("ExternalName")) {
      if (!withoutClusterIps(o, spec.get())) {
        return Optional.empty();
      }
      f.diags().add(Diagnostic.of(Code.NETC024, typeWord.get().span(), o.describe() + " is an"
          + " ExternalName Service, a DNS alias for a name outside the cluster, so it is left out"));
      return Optional.empty();
    }
    if (type.get().equals("LoadBalancer")) {
      f.unsupported(spec.get().get("type"), "netc models the node ports of LoadBalancer "
          + o.describe() + ", not the external load balancer in front of them", null);
    }
    // every field is checked whatever is wrong with the others, so that one reading tells every
    // error of the Service: the families and cluster IPs, the selector, and the ports
    Optional<Families> families = families(o, spec.get());
    int errors = f.diags().errorCount();
    List<Setting> given = addresses(f, spec.get());
    boolean addressesOk = f.diags().errorCount() == errors;
    Optional<At> selectorAt = Fields.get(spec.get(), "selector");
    errors = f.diags().errorCount();
    Optional<SelectorAst> selector = selectorAt.flatMap(s -> new Selectors(f).labelMap(s));
    boolean selectorOk = f.diags().errorCount() == errors && (selectorAt.isEmpty() || selector.isPresent());
    boolean selects = selectorOk && selector.isPresent() && !selector.get().all();
    if (selectorOk && !selects) {
      f.diags().add(Diagnostic.of(Code.NETC024, selectorAt.map(At::where).orElse(o.name().span()),
              o.describe() + " has no selector: its endpoints are listed by hand in EndpointSlices,"
                  + " which netc does not read, so it is left out")
          .withHint("give it a `selector` that matches the pods it serves"));
    }
    // (without a selector that reads, the pods are not known: port names are not looked up)
    List<Cluster.Pod> pods = selects ? cluster.pods(o.namespace().text(), Selectors.toIr(selector.get())) : List.of();
    boolean ok = true;
    Optional<At> portsAt = Fields.get(spec.get(), "ports");
    int portErrors = f.diags().errorCount();
    List<At> portItems = portsAt.map(f::list).orElse(List.of());
    if (f.diags().errorCount() != portErrors) {
      ok = false; // not a list (NETC020): no "has no ports" beside it
    } else if (portItems.isEmpty()) {
      if (portsAt.isEmpty() && !headless(f, spec.get())) {
        f.missing(specAt.get(), "ports");
      } else if (!selectorOk || selects) {
        // (a Service without a selector is left out for it already, NETC024 above: once is enough)
        f.diags().add(Diagnostic.of(Code.NETC024, portsAt.map(At::where).orElse(o.name().span()),
            o.describe() + " has no ports, so it is left out"));
      }
    }
    List<Decl.ServicePort> ports = new ArrayList<>();
    for (At p : portItems) {
      ok &= port(o, type.get(), p, pods, selects, ports);
    }
    if (!selects || !ok || !addressesOk || families.isEmpty() || unknownType) {
      return Optional.empty(); // an error, or no selector (NETC024), told above
    }
    if (ports.isEmpty()) {
      return Optional.empty(); // no ports (NETC021, NETC024), or every port named a target no pod has (NETC025)
    }
    List<Setting> addresses = dualStack(families.get(), given);
    if (addresses.isEmpty() && !headless(f, spec.get())) {
      addresses = chosen(families.get());
    }
    if (headless(f, spec.get())) {
      // (only of a Service kept: one left out for an error or for having no effect gets no address)
      f.unsupported(Fields.get(spec.get(), "clusterIP").orElseThrow(), "netc does not model a headless Service"
              + " (`clusterIP: None`): " + o.describe() + " gets a virtual address netc chooses, its name resolves to"
              + " it, and connections to it are balanced over the pods, where the cluster resolves the name to the"
              + " pods' own addresses",
          "the verdicts are those of the pods behind it either way; the pods keep their own names");
    }
    return Optional.of(new Decl.Service(o.name(), List.of(selector.get()), addresses, ports,
        List.of(), o.name().span()));
  }

  /**
   * The node port a Service names for each port number, the first one it names: Kubernetes gives
   * it to the ports of that number that name none (in the other protocol), not a port of its own.
   */
  private static Map<String, Word> requestedNodePorts(Fields f, List<At> portItems) {
    Fields quiet = new Fields(f.yaml(), new dev.netc.compiler.diag.Diagnostics(), "");
    Map<String, Word> out = new HashMap<>();
    for (At p : portItems) {
      quiet.map(p).ifPresent(m -> {
        Optional<Word> port = Fields.get(m, "port").flatMap(quiet::scalar);
        Optional<Word> nodePort = Fields.get(m, "nodePort").flatMap(quiet::scalar)
            .filter(Ports::isNumber).filter(w -> w.text().length() <= 5)
            .filter(w -> Integer.parseInt(w.text()) >= 30000 && Integer.parseInt(w.text()) <= 32767);
        if (port.isPresent() && nodePort.isPresent()) {
          out.putIfAbsent(port.get().text(), nodePort.get());
        }
      });
    }
    return out;
  }

  private boolean port(KubeObject o, String type, At p, List<Cluster.Pod> pods, boolean selects,
      List<Decl.ServicePort> out) {
    Fields f = o.f();
    Optional<Map<String, At>> fields = f.map(p);
    if (fields.isEmpty()) {
      return false;
    }
    f.unknownFields(fields.get(), List.of("port", "targetPort", "protocol", "nodePort", "name"),
        List.of("appProtocol"));
    Optional<Word> port = f.required(fields.get(), "port", p);
    Optional<Protocol> protocol = Ports.protocol(f, fields.get());
    Optional<At> targetAt = Fields.get(fields.get(), "targetPort");
    Optional<Word> target = targetAt.flatMap(f::scalar);
    Optional<At> nodePortAt = Fields.get(fields.get(), "nodePort");
    Optional<Word> nodePort = nodePortAt.flatMap(f::scalar);
    if (port.isEmpty() || protocol.isEmpty() || (targetAt.isPresent() && target.isEmpty())
        || (nodePortAt.isPresent() && nodePort.isEmpty()) || target.isPresent() && Ports.quotedNumber(f, targetAt.get(), target.get())) {
      return false;
    }
    if (nodePort.isPresent() && type.equals("ClusterIP")) {
      f.malformed(nodePortAt.get(), "`" + nodePortAt.get().path() + "` of " + o.describe()
          + " needs a Service of type NodePort or LoadBalancer", "add `type: NodePort`, or remove the node port");
      return false;
    }
    if (nodePort.isEmpty() && !type.equals("ClusterIP") && !type.equals(UNKNOWN_TYPE)) {
      nodePort = Optional.of(new Word(String.valueOf(chosen.getOrDefault(o, Map.of()).get(p.node())), port.get().span())); // (choose())
    }
    List<Word> targets = new ArrayList<>();
    Word t = target.orElse(port.get());
    if (Ports.isNumber(t)) {
      targets.add(Ports.word(t, protocol.get()));
    } else {
      // (one virtual port forwards to one target port here: a name of several numbers, the lowest)
      NamedPorts.resolve(f, cluster, t, protocol.get(), pods, selects && !o.broken(), "the pods " + o.describe() + " selects",
          "this Service port forwards nothing and is left out",
          numbers -> numbers.size() > 1 ? "netc forwards this Service port to the lowest, `" + numbers.get(0) + "`, on every pod"
              : "netc forwards this Service port to `" + numbers.get(0) + "` on every pod it selects, where Kubernetes leaves"
              + " a pod without the name out of the Service",
          o.describe() + " selects no pod: check its selector (a Service selects the pods of its own namespace only)")
          .stream().limit(1).forEach(n -> targets.add(Ports.word(n, protocol.get(), t)));
    }
    for (Word w : targets) {
      out.add(new Decl.ServicePort(Ports.word(port.get(), protocol.get()), Optional.of(w), nodePort,
          p.where()));
    }
    return true;
  }

  private static boolean headless(Fields f, Map<String, At> spec) {
    Fields quiet = new Fields(f.yaml(), new dev.netc.compiler.diag.Diagnostics(), ""); // (families() tells its errors)
    return Fields.get(spec, "clusterIP").flatMap(quiet::scalar).map(w -> w.text().equals("None")).orElse(false);
  }

  /** {@code clusterIPs}, else {@code clusterIP}; {@code None} (headless) is no address. */
  private static List<Setting> addresses(Fields f, Map<String, At> spec) {
    // (families() has reported what is wrong with their shape)
    List<Word> ips = clusterIps(new Fields(f.yaml(), new dev.netc.compiler.diag.Diagnostics(), ""), spec);
    // `ipv4` and `ipv6` are words of netc's `address` (a family netc chooses an address of), not
    // cluster IPs: the API refuses them
    ips.removeIf(w -> {
      boolean word = w.text().equalsIgnoreCase("ipv4") || w.text().equalsIgnoreCase("ipv6");
      if (word) {
        f.diags().add(Diagnostic.of(Code.NETC201, w.span(), "expected an IP address, got `" + w.text() + "`")
            .withHint("write an IPv4 address as `10.0.0.1` or an IPv6 address as `fd00::1`; for a family"
                + " the cluster chooses an address of, leave the cluster IP out and name it in `ipFamilies`"));
      }
      return word;
    });
    if (ips.isEmpty()) {
      return List.of();
    }
    return List.of(new Setting(new Word("address", ips.get(0).span()), ips, ips.get(0).span()));
  }

  /** The words of {@code clusterIPs}, else of {@code clusterIP}, but {@code None} and empty ones. */
  private static List<Word> clusterIps(Fields f, Map<String, At> spec) {
    List<Word> ips = new ArrayList<>();
    Optional<At> list = Fields.get(spec, "clusterIPs");
    list.map(f::list).orElse(List.of()).forEach(i -> f.scalar(i).ifPresent(ips::add));
    if (list.isEmpty()) {
      Fields.get(spec, "clusterIP").flatMap(f::scalar).ifPresent(ips::add);
    }
    ips.removeIf(w -> w.text().equals("None") || w.text().isEmpty());
    return ips;
  }

  /**
   * What {@code ipFamilies} and {@code ipFamilyPolicy} ask for: the families in their order, and
   * the policy, defaulted as the API defaults it ({@code RequireDualStack} when {@code ipFamilies}
   * or {@code clusterIPs} name two, else {@code SingleStack}).
   */
  private record Families(List<Word> families, Optional<At> familiesAt, Optional<At> policyAt,
      String policy) {
    boolean dual() {
      return !policy.equals("SingleStack");
    }
  }

  /**
   * Reads and checks {@code ipFamilies} and {@code ipFamilyPolicy} whatever else the Service
   * gives, as the API does: an unknown family or policy is NETC105; a family twice, more than
   * two, two families or two cluster IPs with {@code SingleStack}, and a cluster IP of another
   * family than the {@code ipFamilies} entry of its place are NETC020. Empty after an error.
   */
  private static Optional<Families> families(KubeObject o, Map<String, At> spec) {
    Fields f = o.f();
    int errors = f.diags().errorCount();
    Optional<At> familiesAt = Fields.get(spec, "ipFamilies");
    List<Word> families = new ArrayList<>();
    boolean tooMany = false;
    for (At at : familiesAt.map(f::list).orElse(List.of())) {
      Optional<Word> w = f.scalar(at);
      if (w.isEmpty() || f.choice(w.get(), "IP family", FAMILIES).isEmpty()) {
        continue;
      }
      if (families.stream().anyMatch(x -> x.text().equals(w.get().text())) || families.size() == 2) {
        if (!tooMany) {
          f.malformed(at, "`ipFamilies` of " + o.describe() + " names a family twice, or more than"
              + " two", "name `IPv4`, `IPv6`, or both once");
        }
        tooMany = true;
        continue;
      }
      families.add(w.get());
    }
    List<Word> ips = clusterIps(f, spec);
    firstClusterIpAgrees(o, spec);
    Optional<At> policyAt = Fields.get(spec, "ipFamilyPolicy");
    Optional<Word> policyWord = policyAt.flatMap(f::scalar);
    Optional<String> policy = policyWord.isEmpty()
        ? Optional.of(families.size() == 2 || ips.size() == 2 ? "RequireDualStack" : "SingleStack")
        : f.choice(policyWord.get(), "IP family policy", POLICIES);
    if (f.diags().errorCount() != errors || policy.isEmpty()) {
      return Optional.empty();
    }
    if (policy.get().equals("SingleStack") && families.size() == 2) {
      f.malformed(familiesAt.get(), "`ipFamilies` of " + o.describe() + " names two families, but"
          + " `ipFamilyPolicy: SingleStack` allows one", "name one family, or ask for both with"
          + " `ipFamilyPolicy: RequireDualStack`");
    }
    if (policy.get().equals("SingleStack") && ips.size() == 2) {
      f.malformed(Fields.get(spec, "clusterIPs").orElseThrow(), "`clusterIPs` of " + o.describe()
          + " gives two addresses, but `ipFamilyPolicy: SingleStack` allows one", "give one"
          + " cluster IP, or ask for both with `ipFamilyPolicy: RequireDualStack`");
    }
    boolean plural = Fields.get(spec, "clusterIPs").isPresent();
    for (int i = 0; i < Math.min(ips.size(), families.size()); i++) {
      Word ip = ips.get(i);
      String family = families.get(i).text();
      Optional<String> given = IpAddress.parse(ip.text()).value().map(a -> a.family().label());
      if (given.isPresent() && !given.get().equals(family)) {
        String field = plural ? "clusterIPs[" + i + "]" : "clusterIP";
        f.diags().add(Diagnostic.of(Code.NETC020, ip.span(), "`" + field + "` of " + o.describe()
                + " is an " + given.get() + " address, but `ipFamilies[" + i + "]` is `" + family + "`")
            .withHint(plural ? "give `clusterIPs` and `ipFamilies` in the same order of families"
                : "give an " + family + " cluster IP, or name `" + given.get() + "` first in `ipFamilies`"));
      }
    }
    if (f.diags().errorCount() != errors) {
      return Optional.empty();
    }
    return Optional.of(new Families(families, familiesAt, policyAt, policy.get()));
  }

  /**
   * Whether an ExternalName Service gives none of {@code clusterIP}, {@code clusterIPs}, {@code
   * ipFamilies} and {@code ipFamilyPolicy}: it is a DNS alias, with no address of its own, and the
   * API refuses a Service that creates one with them ("may not be set for ExternalName
   * services"); each given is NETC020. An empty {@code clusterIP} or list is none.
   */
  private static boolean withoutClusterIps(KubeObject o, Map<String, At> spec) {
    Fields quiet = new Fields(o.f().yaml(), new dev.netc.compiler.diag.Diagnostics(), "");
    boolean none = true;
    for (String key : List.of("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")) {
      Optional<At> at = Fields.get(spec, key);
      boolean given = at.isPresent() && switch (key) {
        case "clusterIP" -> quiet.scalar(at.get()).map(w -> !w.text().isEmpty()).orElse(true);
        case "clusterIPs", "ipFamilies" -> !(at.get().node() instanceof org.snakeyaml.engine.v2.nodes.SequenceNode s)
            || !s.getValue().isEmpty();
        default -> true;
      };
      if (given) {
        o.f().malformed(at.get(), "`" + key + "` may not be set for ExternalName " + o.describe()
            + ", which has no cluster IP: it is a DNS alias for its `externalName`",
            "remove `" + key + "`, or give the Service another `type` if it is to have a cluster IP");
        none = false;
      }
    }
    return none;
  }

  /**
   * {@code clusterIPs} and {@code clusterIP} given together: the first of {@code clusterIPs} must
   * be {@code clusterIP}, written the same, as the API requires ("first value must match
   * `clusterIP`"); else NETC020. (The API fills {@code clusterIPs} in from {@code clusterIP}
   * alone, but not the other way: {@code clusterIPs} without {@code clusterIP} is NETC020 too.)
   * What is wrong with either otherwise is told where they are read.
   */
  private static void firstClusterIpAgrees(KubeObject o, Map<String, At> spec) {
    Fields quiet = new Fields(o.f().yaml(), new dev.netc.compiler.diag.Diagnostics(), "");
    Optional<Word> single = Fields.get(spec, "clusterIP").flatMap(quiet::scalar)
        .filter(w -> !w.text().isEmpty());
    List<At> list = Fields.get(spec, "clusterIPs").map(quiet::list).orElse(List.of());
    Optional<Word> first = list.stream().findFirst().flatMap(quiet::scalar);
    if (single.isEmpty() && first.isPresent() && !first.get().text().isEmpty()) {
      // the API fills clusterIPs in from clusterIP, never the other way: clusterIPs alone is
      // refused (its first does not match the empty clusterIP)
      o.f().diags().add(Diagnostic.of(Code.NETC020, first.get().span(), "`clusterIPs` of " + o.describe()
              + " without `clusterIP`: the API takes `clusterIPs` only with `clusterIP`, its first address")
          .withHint("add `clusterIP: " + first.get().text() + "` beside `clusterIPs`, as `kubectl get -o yaml`"
              + " prints a Service"));
      return;
    }
    if (single.isEmpty() || first.isEmpty() || first.get().text().equals(single.get().text())) {
      return;
    }
    o.f().diags().add(Diagnostic.of(Code.NETC020, first.get().span(), "`clusterIPs[0]` of "
            + o.describe() + " is `" + first.get().text() + "`, but `clusterIP` is `"
            + single.get().text() + "`: the first of `clusterIPs` must be `clusterIP`")
        .withRelated(single.get().span(), "`clusterIP` given here")
        .withHint("write the same address first in `clusterIPs` as in `clusterIP`, or give `clusterIP`"
            + " alone for a Service of one address"));
  }

  /**
   * For a Service without cluster IPs, the families Kubernetes gives it one of, as {@code address
   * ipv6} or {@code address ipv6 ipv4}, the primary family first: those of {@code ipFamilies}, and
   * the other one too when the policy asks for both. Without {@code ipFamilies}, a policy gives
   * the cluster's families, IPv4 (the primary one, as netc's own choice always has it) first:
   * {@code SingleStack} IPv4 alone, a dual-stack policy both. Nothing when neither is given: netc
   * chooses, as for {@code .netc}.
   */
  private static List<Setting> chosen(Families families) {
    List<Word> words = new ArrayList<>();
    if (families.families().isEmpty()) {
      if (families.policyAt().isEmpty()) {
        return List.of(); // the cluster's default: netc chooses, as for .netc
      }
      Span at = families.policyAt().get().where();
      words.add(new Word("ipv4", at));
      if (families.dual()) {
        words.add(new Word("ipv6", at));
      }
    } else {
      families.families().forEach(w ->
          words.add(new Word(w.text().toLowerCase(java.util.Locale.ROOT), w.span())));
      if (families.dual() && words.size() == 1) {
        // the cluster adds the other family, second
        words.add(new Word(words.get(0).text().equals("ipv4") ? "ipv6" : "ipv4",
            families.policyAt().orElseThrow().where()));
      }
    }
    return List.of(new Setting(new Word("address", words.get(0).span()), words, words.get(0).span()));
  }

  /**
   * The cluster IPs of a Service, and when they are of one family and its {@code ipFamilyPolicy}
   * asks for both, the other family, which Kubernetes gives it an address of ({@code address
   * 10.96.0.30 ipv6}): a service that gives an address has the families it gives alone, as with
   * {@code SingleStack}, unless it asks for another.
   */
  private static List<Setting> dualStack(Families families, List<Setting> addresses) {
    if (addresses.isEmpty() || !families.dual() || addresses.get(0).values().stream()
        .map(w -> w.text().contains(":")).distinct().count() != 1) {
      return addresses;
    }
    // without a policy, two ipFamilies ask for both (the API defaults it to RequireDualStack)
    Optional<At> dual = families.policyAt()
        .or(() -> families.families().size() == 2 ? families.familiesAt() : Optional.empty());
    if (dual.isEmpty()) {
      return addresses; // two cluster IPs of one family without a policy: NETC106 says so
    }
    Setting given = addresses.get(0);
    List<Word> words = new ArrayList<>(given.values());
    words.add(new Word(given.values().get(0).text().contains(":") ? "ipv4" : "ipv6", dual.get().where()));
    return List.of(new Setting(given.keyword(), words, given.span()));
  }

  private static void warnUnsupported(Fields f, Map<String, At> spec) {
    for (String key : List.of("externalIPs", "loadBalancerIP", "loadBalancerSourceRanges")) {
      Fields.get(spec, key).ifPresent(at -> f.unsupported(at, "netc does not model `" + key
          + "` of " + f.owner() + ": addresses outside the cluster reach the Service only through"
          + " its node ports in the model", null));
    }
    for (String key : List.of("externalTrafficPolicy", "internalTrafficPolicy")) {
      Fields.get(spec, key).flatMap(f::scalar).filter(w -> w.text().equals("Local"))
          .ifPresent(w -> f.unsupported(spec.get(key), "netc does not model `" + key + ": Local`"
              + " of " + f.owner() + ": in the model every selected pod serves every client, as"
              + " with `Cluster`", null));
    }
  }
}
