package dev.netc.compiler.lower;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Label;
import dev.netc.compiler.ast.SelectorAst;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.diag.Spelling;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Direction;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Namespace;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Peer;
import dev.netc.compiler.ir.Policy;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Requirement;
import dev.netc.compiler.ir.Selector;
import dev.netc.compiler.ir.Service;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.ipam.Lock;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * Resolves the declarations of every file of a topology into the IR: names are looked up, values
 * validated, replicas expanded and defaults applied (implicit host, {@code default} network,
 * gateways, driver options). Reports every problem; returns a topology only when none is an error.
 */
public final class Resolver {
  /** Past this many errors resolution stops: the report keeps only the first ones anyway. */
  static final int GIVE_UP = 2_000;
  private final Diagnostics diags;
  private final Values values;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final Map<String, NetworkResolver.Resolved> networks = new LinkedHashMap<>();
  private final Map<String, NamespaceParts> namespaces = new LinkedHashMap<>();
  private final Map<String, Span> endpointNames = new HashMap<>();
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final List<Service> services = new ArrayList<>();
  private final List<Policy> policies = new ArrayList<>();
  private final Map<String, Span> policyNames = new HashMap<>();
  private final Map<String, Span> serviceNames = new HashMap<>();
  private final Map<String, Optional<String>> replicaOf = new HashMap<>();
  /** The endpoints whose names do not resolve to them: a service may have such a name. */
  private final Set<String> nameless = new java.util.HashSet<>();
  private Span origin;
  private Lock lock = Lock.EMPTY;
  private final Set<String> referencedNetworks = new java.util.HashSet<>();
  private final Set<String> failedNetworks = new java.util.HashSet<>();

  /** A namespace gathered from one or more blocks. */
  private static final class NamespaceParts {
    final Span span;
    final Map<String, Label> labels = new TreeMap<>();

    NamespaceParts(Span span) {
      this.span = span;
    }
  }

  public Resolver(Diagnostics diags) {
    this.diags = diags;
    this.values = new Values(diags);
  }

  /**
   * Resolves the declarations of all files (the root file's first).
   *
   * @param name the topology name (from {@code topology}, else the root file's name)
   * @param origin where implicit declarations (the {@code local} host) are said to be
   * @param lock the lock file's contents (subnets chosen before are chosen again)
   */
  public Optional<Topology> resolve(String name, List<Decl> decls, Span origin, Lock lock) {
    this.origin = origin;
    this.lock = lock;
    int before = errorCount();
    // Pass 1: things that others refer to.
    for (Decl d : decls) {
      if (diags.errorCount() > GIVE_UP) {
        break; // far more errors than anyone reads (the report shows the first 1,000)
      }
      if (d instanceof Decl.Host h) {
        host(h);
      }
    }
    NetworkResolver nets = new NetworkResolver(diags, values);
    for (Decl d : decls) {
      if (diags.errorCount() > GIVE_UP) {
        break; // far more errors than anyone reads (the report shows the first 1,000)
      }
      if (d instanceof Decl.Network n) {
        if (duplicate(networks.containsKey(n.name().text()) ? networks.get(n.name().text()).span() : null,
            n.name(), "network")) {
          continue;
        }
        values.name(n.name(), "network");
        Optional<NetworkResolver.Resolved> r = nets.resolve(n);
        if (r.isPresent()) {
          networks.put(r.get().network().name(), r.get());
        } else {
          failedNetworks.add(n.name().text()); // reported already; references stay quiet
        }
      }
    }
    for (Decl d : decls) {
      if (diags.errorCount() > GIVE_UP) {
        break; // far more errors than anyone reads (the report shows the first 1,000)
      }
      if (d instanceof Decl.Namespace ns) {
        namespace(ns);
      }
    }
    // Pass 2: endpoints, then what selects them.
    for (Decl d : decls) {
      if (diags.errorCount() > GIVE_UP) {
        break; // far more errors than anyone reads (the report shows the first 1,000)
      }
      scoped(d, "", true);
    }
    for (Decl d : decls) {
      if (diags.errorCount() > GIVE_UP) {
        break; // far more errors than anyone reads (the report shows the first 1,000)
      }
      scoped(d, "", false);
    }
    aliasesClash();
    List<Network> declared = new ArrayList<>();
    boolean needsDefault = endpoints.stream().anyMatch(
        e -> e.attachments().stream().anyMatch(a -> a.network().equals(Network.DEFAULT)));
    networks.values().forEach(r -> declared.add(r.network()));
    if (needsDefault && !networks.containsKey(Network.DEFAULT)) {
      declared.add(nets.implicitDefault(origin));
    }
    List<Network> networkList = nets.finish(declared, lock.subnets());
    reportUnusedNetworks(networkList);
    if (errorCount() > before) {
      return Optional.empty();
    }
    List<Host> hostList = new ArrayList<>(hosts.values());
    if (hostList.isEmpty()) {
      hostList.add(implicitHost());
    }
    List<Namespace> nsList = new ArrayList<>();
    namespaces.forEach((n, parts) -> {
      Map<String, String> labels = new TreeMap<>();
      parts.labels.forEach((k, l) -> labels.put(k, l.value().text()));
      labels.put("kubernetes.io/metadata.name", n);
      nsList.add(new Namespace(n, labels, parts.span));
    });
    return Optional.of(new Topology(name, hostList, nsList, networkList, endpoints,
        services, policies, lock.ports()));
  }

  private Host implicitHost() {
    return new Host(Host.IMPLICIT, Optional.empty(), Map.of(), true, origin);
  }

  private int errorCount() {
    return diags.errorCount();
  }

  /** Reports a duplicate declaration; true when {@code name} was declared before at {@code first}. */
  private boolean duplicate(Span first, Word name, String what) {
    if (first == null) {
      return false;
    }
    diags.add(Diagnostic.of(Code.NETC102, name.span(), what + " `" + name.text() + "` is declared twice")
        .withRelated(first, "first declared here")
        .withHint("rename one of them, or merge the two declarations"));
    return true;
  }

  private void unknown(Word ref, String what, java.util.Collection<String> known) {
    unknown(ref, what, known, suggest(ref.text(), known));
  }

  /**
   * How many names the "did you mean" of unknown references may compare in all (some 0.3 s):
   * past it, an unknown reference lists what is declared instead, so that thousands of unknown
   * references among thousands of names (a generated file gone wrong) stay fast.
   */
  static final long SPELLING_BUDGET = 4_000_000;
  private long spellingSpent;

  private Optional<String> suggest(String word, java.util.Collection<String> known) {
    spellingSpent += known.size();
    return spellingSpent > SPELLING_BUDGET ? Optional.empty() : Spelling.suggest(word, known);
  }

  private void unknown(Word ref, String what, java.util.Collection<String> known, Optional<String> meant) {
    String hint = meant.map(s -> "did you mean `" + s + "`?").orElseGet(() ->
        known.isEmpty() ? "no " + what + " is declared" : "declared: " + String.join(", ",
            declared(known).stream().map(k -> "`" + k + "`").toList()));
    diags.add(Diagnostic.of(Code.NETC101, ref.span(), "unknown " + what + " `" + ref.text() + "`")
        .withHint(hint));
  }

  /**
   * The ten names of {@code known} that sort first, for the hint of an unknown reference; kept
   * for the last collection asked for while it holds as many names (the networks' names, asked
   * for once per unknown network: sorted once, not once per error).
   */
  private java.util.Collection<String> declaredOf;
  private int declaredSize;
  private List<String> declared;

  private List<String> declared(java.util.Collection<String> known) {
    if (known != declaredOf || known.size() != declaredSize) {
      declaredOf = known;
      declaredSize = known.size();
      declared = known.stream().sorted().limit(10).toList();
    }
    return declared;
  }

  // ------------------------------------------------------------------ hosts and namespaces

  private void host(Decl.Host h) {
    if (duplicate(hosts.containsKey(h.name().text()) ? hosts.get(h.name().text()).span() : null,
        h.name(), "host")) {
      return;
    }
    values.name(h.name(), "host");
    Optional<IpAddress> underlay = Optional.empty();
    Setting seen = null;
    for (Setting s : h.settings()) {
      if (seen != null) {
        settingTwice(s, seen);
        continue;
      }
      seen = s;
      underlay = values.ip(s.first());
    }
    hosts.put(h.name().text(), new Host(h.name().text(), underlay, labels(h.labels()), false, h.span()));
  }

  void settingTwice(Setting again, Setting first) {
    diags.add(Diagnostic.of(Code.NETC106, again.keyword().span(),
            "`" + again.keyword().text() + "` is given twice")
        .withRelated(first.span(), "first given here")
        .withHint("keep one of them"));
  }

  private void namespace(Decl.Namespace ns) {
    if (!values.name(ns.name(), "namespace")) {
      return;
    }
    NamespaceParts parts = namespaces.computeIfAbsent(ns.name().text(), k -> new NamespaceParts(ns.span()));
    for (Label l : ns.labels()) {
      if (!values.labelKey(l.key()) || !values.labelValue(l.value())) {
        continue;
      }
      Label prev = parts.labels.get(l.key().text());
      if (prev != null && !prev.value().text().equals(l.value().text())) {
        diags.add(Diagnostic.of(Code.NETC106, l.span(), "label `" + l.key().text()
                + "` of namespace `" + ns.name().text() + "` is given twice with different values")
            .withRelated(prev.span(), "first given here"));
        continue;
      }
      parts.labels.put(l.key().text(), l);
    }
  }

  Map<String, String> labels(List<Label> labels) {
    Map<String, String> out = new TreeMap<>();
    Map<String, Label> seen = new HashMap<>();
    for (Label l : labels) {
      if (!values.labelKey(l.key()) || !values.labelValue(l.value())) {
        continue;
      }
      Label prev = seen.put(l.key().text(), l);
      if (prev != null) {
        diags.add(Diagnostic.of(Code.NETC106, l.span(), "label `" + l.key().text() + "` is given twice")
            .withRelated(prev.span(), "first given here")
            .withHint("an endpoint has one value per label key; keep one of them"));
      }
      out.put(l.key().text(), l.value().text());
    }
    return out;
  }

  // ------------------------------------------------------------------ scoped declarations

  /** Resolves the endpoints ({@code endpointsPass}) or the services and policies of a scope. */
  private void scoped(Decl d, String ns, boolean endpointsPass) {
    switch (d.kind()) {
      case NAMESPACE -> {
        Decl.Namespace n = (Decl.Namespace) d;
        if (namespaces.containsKey(n.name().text())) {
          for (Decl m : n.members()) {
            scoped(m, n.name().text(), endpointsPass);
          }
        }
      }
      case CONTAINER, POD -> {
        if (endpointsPass) {
          new EndpointResolver(this, diags, values).resolve((Decl.Container) d, ns)
              .forEach(this::addEndpoint);
        }
      }
      case SERVICE -> {
        if (!endpointsPass) {
          service((Decl.Service) d, ns);
        }
      }
      case POLICY -> {
        if (!endpointsPass) {
          policy((Decl.Policy) d, ns);
        }
      }
      default -> {
        // topology, import, host and network declarations are not scoped
      }
    }
  }

  /** An alias an attachment of container {@code owner} (scope {@code ns}, its {@code replicas}) gives. */
  private record AliasUse(String ns, String owner, int replicas, Word alias) {}

  private final List<AliasUse> aliasUses = new ArrayList<>();

  void aliases(String ns, String owner, int replicas, List<Word> aliases) {
    aliases.forEach(a -> aliasUses.add(new AliasUse(ns, owner, replicas, a)));
  }

  /**
   * An alias that is the name of another endpoint or of a service: the hosts files would give
   * the name two places, and the model (explain, matrix) one of them. An alias of the
   * container's own name (or of one of its replicas) is no clash.
   */
  private void aliasesClash() {
    for (AliasUse u : aliasUses) {
      String name = u.alias().text();
      boolean own = name.equals(u.owner()) || u.replicas() > 1 && name.startsWith(u.owner() + "-")
          && name.substring(u.owner().length() + 1).matches("[1-9][0-9]*")
          && Integer.parseInt(name.substring(u.owner().length() + 1)) <= u.replicas();
      Span clash = endpointNames.get(scopedName(u.ns(), name));
      boolean service = serviceNames.containsKey(scopedName(u.ns(), name));
      // the declared name of replicas, as an alias, clashes with a service of that name all the
      // same: the replicas leave that name to the service, and an alias written out would take it back
      boolean replicasName = service && u.replicas() > 1 && name.equals(u.owner());
      if (clash == null || own && !replicasName) {
        continue;
      }
      String what = service ? "service" : "endpoint";
      diags.add(Diagnostic.of(Code.NETC102, u.alias().span(), "alias `" + name + "` of `" + u.owner()
              + "` is the name of " + (what.equals("service") ? "a service" : "an endpoint") + ", so the name cannot resolve to both")
          .withRelated(clash, "the " + what + " `" + name + "` is declared here")
          .withHint(replicasName ? "drop the alias: the replicas resolve as `" + name + "-1`, `" + name
              + "-2`, ..., and `" + name + "` is the service's" : "give the alias another name"));
    }
  }

  private void addEndpoint(EndpointResolver.Named e) {
    Span first = endpointNames.get(e.endpoint().name());
    if (first != null) {
      String what = e.endpoint().kind() == Endpoint.Kind.POD ? "pod" : "container";
      Optional<String> replicated = e.endpoint().replicaOf()
          .or(() -> replicaOf.getOrDefault(e.endpoint().name(), Optional.empty()));
      if (replicated.isPresent()) {
        diags.add(Diagnostic.of(Code.NETC102, e.nameWord().span(), "`" + e.endpoint().localName()
                + "` is the name of two endpoints: the replicas of `" + replicated.get()
                + "` are named `" + replicated.get() + "-1`, `" + replicated.get() + "-2`, ...")
            .withRelated(first, "the other `" + e.endpoint().localName() + "` comes from here")
            .withHint("rename one of them"));
      } else {
        duplicate(first, e.nameWord(), what);
      }
      return;
    }
    endpointNames.put(e.endpoint().name(), e.nameWord().span());
    replicaOf.put(e.endpoint().name(), e.endpoint().replicaOf());
    if (!e.endpoint().resolvesByName()) {
      nameless.add(e.endpoint().name());
    }
    endpoints.add(e.endpoint());
  }

  Optional<Host> lookupHost(Word ref) {
    Host h = hosts.get(ref.text());
    if (h == null) {
      unknown(ref, "host", hosts.keySet());
    }
    return Optional.ofNullable(h);
  }

  /** The host endpoints run on when they do not say: the only host, or the implicit one. */
  Optional<String> defaultHost() {
    if (hosts.isEmpty()) {
      return Optional.of(Host.IMPLICIT);
    }
    return hosts.size() == 1 ? Optional.of(hosts.keySet().iterator().next()) : Optional.empty();
  }

  java.util.Set<String> hostNames() {
    return hosts.keySet();
  }

  void implicitlyAttached(String network) {
    referencedNetworks.add(network);
  }

  Optional<NetworkResolver.Resolved> lookupNetwork(Word ref) {
    referencedNetworks.add(ref.text());
    NetworkResolver.Resolved n = networks.get(ref.text());
    Optional<String> meant = Optional.empty();
    if (n == null) {
      // a misspelt reference still counts for the network it was meant for (no NETC113 noise)
      meant = suggest(ref.text(), networks.keySet());
      meant.ifPresent(referencedNetworks::add);
    }
    if (n == null && !ref.text().equals(Network.DEFAULT) && !failedNetworks.contains(ref.text())) {
      unknown(ref, "network", networks.keySet(), meant);
    }
    return Optional.ofNullable(n);
  }

  // ------------------------------------------------------------------ services

  private String scopedName(String ns, String local) {
    return ns.isEmpty() ? local : ns + "/" + local;
  }

  private void service(Decl.Service s, String ns) {
    values.name(s.name(), "service");
    String full = scopedName(ns, s.name().text());
    if (duplicate(serviceNames.get(full), s.name(), "service")) {
      return;
    }
    serviceNames.put(full, s.name().span());
    // a Kubernetes pod whose name a Service has leaves the name to the Service, as cluster DNS does
    Span clash = nameless.contains(full) ? null : endpointNames.get(full);
    if (clash != null) {
      String endpoint = replicaOf.getOrDefault(full, Optional.empty())
          .map(r -> "a replica of `" + r + "`").orElse("an endpoint");
      diags.add(Diagnostic.of(Code.NETC102, s.name().span(), "service `" + s.name().text()
              + "` has the name of " + endpoint + ", so the name cannot resolve to both")
          .withRelated(clash, "the endpoint is declared here")
          .withHint("rename the service or the endpoint"));
      return;
    }
    endpointNames.put(full, s.name().span());
    Optional<Selector> selector = single(s.selects(), s.name(), "service", "select app=api");
    Map<IpAddress, Span> addressSpans = new HashMap<>();
    List<IpAddress.Family> families = new ArrayList<>();
    Map<IpAddress.Family, Span> familySpans = new HashMap<>();
    List<IpAddress> addresses = addresses(s.addresses(), addressSpans, families, familySpans);
    List<Service.Port> ports = new ArrayList<>();
    Map<String, Service.Port> byPort = new HashMap<>();
    for (Decl.ServicePort p : s.ports()) {
      Optional<Service.Port> port = servicePort(p);
      if (port.isEmpty()) {
        continue;
      }
      String key = port.get().port() + "/" + port.get().protocol().label();
      Service.Port first = byPort.putIfAbsent(key, port.get());
      if (first != null) {
        // one virtual address and port cannot go to two targets, nor be realised twice
        diags.add(Diagnostic.of(Code.NETC106, p.span(), "service port `" + key + "` is given twice")
            .withRelated(first.span(), "first given here")
            .withHint("a service port forwards to one target port: keep one of them"));
        continue;
      }
      ports.add(port.get());
    }
    if (s.ports().isEmpty()) {
      diags.add(Diagnostic.of(Code.NETC111, s.name().span(), "service `" + s.name().text()
          + "` has no `port`").withHint("add a port, such as `port 80 -> 8080/tcp`"));
    }
    List<Service.Backend> backends = new ArrayList<>();
    for (Decl.Backend b : s.backends()) {
      OptionalInt w = values.integer(b.weight(), 0, 1000, "a weight");
      Optional<Selector> sel = selector(b.selector());
      if (w.isPresent() && sel.isPresent()) {
        backends.add(new Service.Backend(sel.get(), w.getAsInt(), b.span()));
      }
    }
    if (selector.isPresent()) {
      services.add(new Service(full, ns, selector.get(), addresses, families, ports, backends, s.span(),
          addressSpans, familySpans));
    }
  }

  /**
   * The addresses a service gives, and in {@code families} those of the families it leaves netc
   * to choose an address of ({@code address ipv6}), in the order written, and in {@code
   * familySpans} where each is asked for.
   */
  private List<IpAddress> addresses(List<Setting> settings, Map<IpAddress, Span> spans,
      List<IpAddress.Family> families, Map<IpAddress.Family, Span> familySpans) {
    List<IpAddress> out = new ArrayList<>();
    Map<IpAddress.Family, Word> seen = new HashMap<>();
    for (Setting st : settings) {
      for (Word w : st.values()) {
        IpAddress.Family chosen = CHOSEN.get(w.text());
        if (chosen != null) {
          Word prev = seen.put(chosen, w);
          if (prev != null) {
            diags.add(Diagnostic.of(Code.NETC106, w.span(), "a second " + chosen.label()
                + " address `" + w.text() + "`").withRelated(prev.span(), "the first is here")
                .withHint("give at most one IPv4 and one IPv6 address"));
          } else {
            families.add(chosen);
            familySpans.put(chosen, w.span());
          }
          continue;
        }
        values.ip(w, addressHint(w)).ifPresent(a -> {
          Word prev = seen.put(a.family(), w);
          Optional<String> unusable = NetworkResolver.UNUSABLE.stream()
              .filter(u -> u.getKey().family() == a.family() && u.getKey().contains(a))
              .map(Map.Entry::getValue).findFirst();
          if (prev != null) {
            diags.add(Diagnostic.of(Code.NETC106, w.span(), "a second " + a.family().label()
                + " address `" + w.text() + "`").withRelated(prev.span(), "the first is here")
                .withHint("give at most one IPv4 and one IPv6 address"));
          } else if (unusable.isPresent()) {
            // the kernel would DNAT what is addressed to it on every host, or never see it
            diags.add(Diagnostic.of(Code.NETC201, w.span(), "`" + w.text() + "` is " + unusable.get()
                    + ", which cannot be a service's virtual address")
                .withHint("use a unicast address outside the topology's subnets, such as one of "
                    + (a.isV4() ? "10.96.0.0/12" : "fd00:10:96::/112") + ", or leave `address` out"
                    + " and netc chooses one"));
          } else {
            out.add(a);
            spans.put(a, w.span());
          }
        });
      }
    }
    return out;
  }

  /**
   * The hint for a word of {@code address} that is no address: the words that ask for a chosen
   * one too, and the one meant when it is written in another case ({@code IPv6}, as Kubernetes
   * spells a family). Not for a Kubernetes {@code clusterIP}, which takes no such word.
   */
  private static String addressHint(Word w) {
    String path = w.span().file().path();
    if (path.endsWith(".yaml") || path.endsWith(".yml")) {
      return "write an IPv4 address as `10.0.0.1` or an IPv6 address as `fd00::1`";
    }
    String lower = w.text().toLowerCase(java.util.Locale.ROOT);
    if (CHOSEN.containsKey(lower)) {
      return "did you mean `" + lower + "`? `ipv4` and `ipv6` (lower-case) ask for an address of that family"
          + " that netc chooses";
    }
    return "write an IPv4 address as `10.0.0.1`, an IPv6 address as `fd00::1`, or `ipv4` or `ipv6`"
        + " for an address of that family that netc chooses";
  }

  /** The words of {@code address} that leave netc to choose an address of a family. */
  private static final Map<String, IpAddress.Family> CHOSEN =
      Map.of("ipv4", IpAddress.Family.V4, "ipv6", IpAddress.Family.V6);

  private Optional<Service.Port> servicePort(Decl.ServicePort p) {
    Optional<PortSpec> front = values.portSpec(p.port());
    Optional<PortSpec> back = p.target().isPresent() ? values.portSpec(p.target().get()) : front;
    if (front.isEmpty() || back.isEmpty()) {
      return Optional.empty();
    }
    boolean frontProto = p.port().text().contains("/");
    boolean backProto = p.target().map(t -> t.text().contains("/")).orElse(false);
    if (frontProto && backProto && front.get().protocol() != back.get().protocol()) {
      diags.add(Diagnostic.of(Code.NETC204, p.span(), "the service port is `"
          + front.get().protocol().label() + "` but its target is `" + back.get().protocol().label() + "`")
          .withHint("a service forwards within one protocol"));
      return Optional.empty();
    }
    for (var spec : List.of(front.get(), back.get())) {
      if (spec.range().size() != 1) {
        diags.add(Diagnostic.of(Code.NETC203, p.span(), "a service port is one port, not the range `"
            + spec.range() + "`"));
        return Optional.empty();
      }
    }
    var proto = frontProto ? front.get().protocol() : back.get().protocol();
    OptionalInt nodePort = OptionalInt.empty();
    if (p.nodePort().isPresent()) {
      nodePort = values.integer(p.nodePort().get(), 30000, 32767, "a node port");
      if (nodePort.isEmpty()) {
        return Optional.empty();
      }
    }
    return Optional.of(new Service.Port(front.get().range().first(), back.get().range().first(),
        proto, nodePort, p.span()));
  }

  /** The one selector a service or policy must have. */
  private Optional<Selector> single(List<SelectorAst> selects, Word owner, String what, String example) {
    if (selects.isEmpty()) {
      diags.add(Diagnostic.of(Code.NETC111, owner.span(), what + " `" + owner.text()
          + "` has no `select`").withHint("say which endpoints it applies to, such as `" + example
          + "` or `select all`"));
      return Optional.empty();
    }
    for (int i = 1; i < selects.size(); i++) {
      diags.add(Diagnostic.of(Code.NETC106, selects.get(i).span(), "`select` is given twice")
          .withRelated(selects.get(0).span(), "first given here")
          .withHint("put every requirement in one `select`; they must all hold"));
    }
    return selector(selects.get(0));
  }

  Optional<Selector> selector(SelectorAst s) {
    if (s.all()) {
      return Optional.of(Selector.ALL);
    }
    List<Requirement> reqs = new ArrayList<>();
    boolean ok = true;
    for (SelectorAst.Req r : s.requirements()) {
      ok &= values.labelKey(r.key());
      List<String> vs = new ArrayList<>();
      for (Word v : r.values()) {
        ok &= values.labelValue(v);
        vs.add(v.text());
      }
      reqs.add(new Requirement(r.key().text(), r.operator(), vs));
    }
    return ok ? Optional.of(new Selector(reqs)) : Optional.empty();
  }

  // ------------------------------------------------------------------ policies

  private void policy(Decl.Policy p, String ns) {
    values.name(p.name(), "policy");
    String full = scopedName(ns, p.name().text());
    if (duplicate(policyNames.get(full), p.name(), "policy")) {
      return;
    }
    policyNames.put(full, p.name().span());
    Optional<Selector> selector = single(p.selects(), p.name(), "policy", "select app=db");
    Set<Direction> isolates = EnumSet.noneOf(Direction.class);
    for (Setting s : p.isolates()) {
      s.values().forEach(w -> isolates.add(Direction.valueOf(w.text().toUpperCase(java.util.Locale.ROOT))));
    }
    List<Policy.Rule> rules = new ArrayList<>();
    for (Decl.Rule r : p.rules()) {
      rule(r).ifPresent(rule -> {
        rules.add(rule);
        if (rule.action() == Policy.Action.ALLOW) {
          isolates.add(rule.direction());
        }
      });
    }
    if (selector.isPresent()) {
      policies.add(new Policy(full, ns, selector.get(), isolates, rules, p.span()));
    }
  }

  private Optional<Policy.Rule> rule(Decl.Rule r) {
    Direction dir = Direction.valueOf(r.direction().text().toUpperCase(java.util.Locale.ROOT));
    if (r.fromTo().isPresent()) {
      String expected = dir == Direction.INGRESS ? "from" : "to";
      Word got = r.fromTo().get();
      if (!got.text().equals(expected)) {
        diags.add(Diagnostic.of(Code.NETC110, got.span(), "an " + dir.label()
                + " rule names its peers with `" + expected + "`, not `" + got.text() + "`")
            .withHint("write `" + r.action().text() + " " + dir.label() + " " + expected + " ...`"));
        return Optional.empty();
      }
    }
    boolean ok = true;
    List<Peer> peers = new ArrayList<>();
    for (Decl.PeerAst pa : r.peers()) {
      Optional<Peer> peer = peer(pa);
      ok &= peer.isPresent();
      peer.ifPresent(peers::add);
    }
    List<PortSpec> ports = new ArrayList<>();
    for (Word w : r.ports()) {
      Optional<PortSpec> spec = values.portSpec(w);
      ok &= spec.isPresent();
      spec.ifPresent(ports::add);
    }
    if (!ok) {
      return Optional.empty();
    }
    Policy.Action action = r.action().text().equals("allow") ? Policy.Action.ALLOW : Policy.Action.DENY;
    if (peers.stream().anyMatch(x -> x.kind() == Peer.Kind.ALL)) {
      peers = List.of();
    }
    return Optional.of(new Policy.Rule(action, dir, peers, ports, r.span()));
  }

  private Optional<Peer> peer(Decl.PeerAst p) {
    switch (p.kind()) {
      case ALL:
        return Optional.of(Peer.all());
      case NAMESPACE: {
        Optional<Selector> nsSel = selector(p.namespaces().get());
        Optional<Selector> podSel =
            p.endpoints().isPresent() ? selector(p.endpoints().get()) : Optional.of(Selector.ALL);
        if (nsSel.isEmpty() || podSel.isEmpty()) {
          return Optional.empty();
        }
        return Optional.of(Peer.endpoints(nsSel, podSel.get()));
      }
      case SELECTOR:
        return selector(p.endpoints().get()).map(s -> Peer.endpoints(Optional.empty(), s));
      case CIDR: {
        Optional<Cidr> cidr = values.cidr(p.cidr().get());
        List<Cidr> except = new ArrayList<>();
        boolean ok = cidr.isPresent();
        for (Word w : p.except()) {
          Optional<Cidr> e = values.cidr(w);
          ok &= e.isPresent();
          if (e.isPresent() && cidr.isPresent() && e.get().family() == cidr.get().family()
              && !cidr.get().contains(e.get()) && !e.get().contains(cidr.get())) {
            diags.add(Diagnostic.of(Code.NETC216, w.span(), "`except " + e.get() + "` lies outside `"
                    + cidr.get() + "`, so it excepts nothing")
                .withHint("an exception narrows its `cidr`: use a prefix inside `" + cidr.get() + "`"));
            ok = false;
          }
          if (e.isPresent() && cidr.isPresent() && e.get().family() == cidr.get().family()
              && e.get().contains(cidr.get())) {
            diags.add(Diagnostic.of(Code.NETC216, w.span(), "`except " + e.get() + "` is "
                    + (e.get().equals(cidr.get()) ? "all of" : "wider than") + " `cidr " + cidr.get()
                    + "`, so the peer matches nothing")
                .withHint("an exception narrows its `cidr`: use a longer prefix inside `" + cidr.get()
                    + "`, or remove the peer"));
            ok = false;
          }
          if (e.isPresent() && cidr.isPresent() && e.get().family() != cidr.get().family()) {
            diags.add(Diagnostic.of(Code.NETC205, w.span(), "`" + w.text() + "` is an "
                + e.get().family().label() + " prefix but `" + cidr.get() + "` is "
                + cidr.get().family().label()));
            ok = false;
          }
          e.ifPresent(except::add);
        }
        return ok ? Optional.of(Peer.cidr(cidr.get(), except)) : Optional.empty();
      }
      default: {
        Word w = p.special().get();
        if (w.text().equals("@outside") || w.text().equals("@host")) {
          return Optional.of(Peer.special(w.text()));
        }
        unknown(w, "special endpoint", List.of("@outside", "@host"));
        return Optional.empty();
      }
    }
  }

  // ------------------------------------------------------------------ unused networks

  private void reportUnusedNetworks(List<Network> list) {
    for (Network n : list) {
      if (!n.implicit() && !referencedNetworks.contains(n.name())) {
        diags.add(Diagnostic.of(Code.NETC113, networks.get(n.name()).nameSpan(),
                "network `" + n.name() + "` has no members")
            .withHint("attach a container to it, or remove it"));
      }
    }
  }
}
