package dev.netc.runner.probe;

import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.HostState;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.MacvlanMode;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.model.Verdict;
import dev.netc.compiler.source.Span;
import dev.netc.backends.plan.ObjectId;
import dev.netc.runner.Change;
import dev.netc.runner.Drift;
import dev.netc.runner.Runner;
import dev.netc.runner.RunnerException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code netc verify}: checks that the sandbox holds the topology as applied (its drift is
 * empty), probes it, and compares every measured cell with the model's verdict. Several hosts
 * of a topology are verified together: the drift of each, then one probe of them all, so that
 * the cells between hosts are compared too. A cell that
 * differs is probed again from its source with three times the timeout before it is reported,
 * so that a connection slowed down by a busy machine is not taken for a dropped one.
 */
public final class Verifier {
  private final Runner runner;
  private final Prober prober;
  private final Prober patient;

  public Verifier(Runner runner, Namespaces namespaces, Prober.Options options) {
    this.runner = runner;
    this.prober = new Prober(namespaces, options);
    this.patient = new Prober(namespaces, new Prober.Options(options.timeout().multipliedBy(3), options.maxInFlight()));
  }

  /**
   * Verifies {@code target} on {@code ports}.
   *
   * @throws RunnerException when the sandbox does not hold the topology as applied
   */
  public Verification verify(Runner.Target target, Reachability model, List<PortSpec> ports, Prober.Progress progress) {
    return verify(List.of(target), model, ports, progress);
  }

  /**
   * Verifies the hosts of {@code targets} (several hosts of one topology in one sandbox) together
   * on {@code ports}: the drift of every host first, then one probe of every node of every host,
   * the cells between hosts included.
   *
   * @throws RunnerException when the sandbox does not hold the topology as applied
   */
  public Verification verify(List<Runner.Target> targets, Reachability model, List<PortSpec> ports,
      Prober.Progress progress) {
    Runner.Target first = targets.get(0);
    Drift drift = runner.drift(targets);
    if (!drift.inSync()) {
      Set<String> missingNamespaces = new HashSet<>();
      drift.plan().changes().stream()
          .filter(c -> c.action() == Change.Action.CREATE && c.id().kind() == ObjectId.Kind.NAMESPACE)
          .forEach(c -> missingNamespaces.add(c.id().name()));
      Set<String> endpointNamespaces = new HashSet<>();
      targets.forEach(t -> t.host().namespaces().forEach(n -> endpointNamespaces.add(n.name())));
      if (missingNamespaces.contains(first.sandbox().name())
          || !endpointNamespaces.isEmpty() && missingNamespaces.containsAll(endpointNamespaces)) {
        throw new RunnerException("topology " + first.topology() + " is not applied in sandbox "
            + first.sandbox().name() + ": run `netc apply` first");
      }
      throw new RunnerException("sandbox " + first.sandbox().name() + " is not in sync with topology "
          + first.topology() + " (" + drift.count(Drift.State.MISSING) + " missing, " + drift.count(Drift.State.CHANGED)
          + " changed, " + drift.count(Drift.State.UNEXPECTED) + " unexpected; `netc diff` lists them):"
          + " run `netc apply` first");
    }
    return compare(targets, model, ports, progress);
  }

  /** Probes and compares, without the drift check (for callers that just applied). */
  public Verification compare(Runner.Target target, Reachability model, List<PortSpec> ports, Prober.Progress progress) {
    return compare(List.of(target), model, ports, progress);
  }

  /** Probes the hosts of {@code targets} together and compares, without the drift check. */
  public Verification compare(List<Runner.Target> targets, Reachability model, List<PortSpec> ports,
      Prober.Progress progress) {
    Prober.Layout layout = Prober.layout(targets, model);
    long fullsBefore = NeighbourTables.fulls();
    ProbeResult measured = probe(prober, targets, layout, ports, progress, s -> true);
    Judge judge = new Judge(model, targets);
    List<ProbeResult.Cell> suspects = measured.cells().stream()
        .filter(c -> judge.difference(c).isPresent())
        .toList();
    if (!suspects.isEmpty()) {
      Set<String> sources = new LinkedHashSet<>();
      Set<PortSpec> suspectPorts = new LinkedHashSet<>();
      suspects.forEach(c -> {
        sources.add(layout.namespace(c.from()));
        suspectPorts.add(c.port());
      });
      List<PortSpec> again = ports.stream().filter(suspectPorts::contains).toList();
      ProbeResult second = probe(patient, targets, layout, again, Prober.Progress.NONE, sources::contains);
      Map<String, ProbeResult.Cell> secondCells = new HashMap<>();
      second.cells().forEach(c -> secondCells.put(key(c), c));
      List<ProbeResult.Cell> merged = new ArrayList<>();
      for (ProbeResult.Cell c : measured.cells()) {
        ProbeResult.Cell re = secondCells.get(key(c));
        // admitted once is admitted: only a denial is measured again
        merged.add(re == null ? c : c.mergedWith(re));
      }
      measured = new ProbeResult(measured.nodes(), measured.ports(), merged,
          measured.connections() + second.connections(), measured.millis() + second.millis());
    }
    List<Verification.Difference> diffs = new ArrayList<>();
    int compared = 0;
    Map<String, Integer> skipped = new java.util.LinkedHashMap<>();
    for (ProbeResult.Cell c : measured.cells()) {
      Optional<String> skip = judge.skipped(c);
      if (skip.isPresent()) {
        skipped.merge(skip.get(), 1, Integer::sum);
        continue;
      }
      compared++;
      judge.difference(c).ifPresent(diffs::add);
    }
    // a neighbour table full while probing drops connections the network admits, and a table
    // that is not netc's filters what the probes send: said, so that the differences are not
    // taken for the topology's
    List<String> notes = new ArrayList<>();
    if (!diffs.isEmpty() && NeighbourTables.fulls() > fullsBefore) {
      notes.add(NeighbourTables.note(NeighbourTables.limits()));
    }
    if (!diffs.isEmpty()) {
      notes.addAll(ForeignTables.notes(baseChains(layout),
          dev.netc.backends.plan.Ownership.table(targets.get(0).topology())));
    }
    Runner.Target first = targets.get(0);
    return new Verification(first.topology(), first.sandbox().name(), measured, diffs, compared, skipped, notes);
  }

  /**
   * What a measured cell is judged by: the model of the whole topology, and the model of each
   * address family ({@link Reachability#inFamily}), each beside its model of what the plans
   * realise. The kernel keeps the families apart, so a cell is compared in each: a policy or a
   * route that holds in IPv4 and not in IPv6 shows, though the cell is admitted either way.
   */
  private static final class Judge {
    private final Reachability model;
    private final Reachability realised;
    private final Map<IpAddress.Family, Reachability> inFamily = new EnumMap<>(IpAddress.Family.class);
    private final Map<IpAddress.Family, Reachability> realisedInFamily = new EnumMap<>(IpAddress.Family.class);
    private final Set<String> bare;

    Judge(Reachability model, List<Runner.Target> targets) {
      List<HostState> hosts = targets.stream().map(Runner.Target::host).toList();
      this.model = model;
      this.realised = realised(model, hosts);
      for (IpAddress.Family f : IpAddress.Family.values()) {
        Reachability one = model.inFamily(f);
        inFamily.put(f, one);
        realisedInFamily.put(f, realised(one, hosts));
      }
      this.bare = bareHosts(targets);
    }

    /** Why the cell is not compared, if it is not. */
    Optional<String> skipped(ProbeResult.Cell c) {
      if (c.knownDifference()) {
        return Optional.of(KNOWN);
      }
      if (dependsOnUnrealised(model, realised, bare, c)) {
        return Optional.of(NOT_REALISED);
      }
      return Optional.empty();
    }

    /**
     * Where the kernel did not do what the model says in the cell: the whole cell first (some
     * connection got through, or none), then each family; empty when they agree, or when the
     * cell is not compared.
     */
    Optional<Verification.Difference> difference(ProbeResult.Cell c) {
      if (skipped(c).isPresent()) {
        return Optional.empty();
      }
      boolean want = model.allowed(c.from(), c.to(), c.port());
      if (want != c.allowed()) {
        return Optional.of(new Verification.Difference(c.from(), c.to(), c.port(), Optional.empty(), want,
            c.allowed(), c.detail(), why(model.explain(c.from(), c.to(), c.port()))));
      }
      if (c.from().equals(c.to())) {
        return Optional.empty(); // a node reaches itself over loopback, in each family it has one of
      }
      for (IpAddress.Family f : IpAddress.Family.values()) {
        Reachability one = inFamily.get(f);
        ProbeResult.Cell inF = new ProbeResult.Cell(one.node(c.from().name()).orElseThrow(),
            one.node(c.to().name()).orElseThrow(), c.port(), c.allowed(f) ? Set.of(f) : Set.of(),
            Map.of(f, c.detail(f)), c.knownDifference());
        if (dependsOnUnrealised(one, realisedInFamily.get(f), bare, inF)) {
          continue;
        }
        boolean wantF = one.allowed(inF.from(), inF.to(), c.port());
        if (wantF != c.allowed(f)) {
          return Optional.of(new Verification.Difference(c.from(), c.to(), c.port(), Optional.of(f), wantF,
              c.allowed(f), c.detail(f), why(one.explain(inF.from(), inF.to(), c.port()))));
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The base chains of the namespaces the probes went through: each host's (and {@code S} between
   * several hosts), then each node's; a namespace that cannot be read is left out (a note is not
   * worth failing the verify for).
   */
  private Map<String, List<dev.netc.runner.netlink.NftDump.BaseChain>> baseChains(Prober.Layout layout) {
    Set<String> namespaces = new LinkedHashSet<>(layout.routers());
    namespaces.addAll(layout.namespaces());
    Map<String, List<dev.netc.runner.netlink.NftDump.BaseChain>> out = new java.util.LinkedHashMap<>();
    for (String ns : namespaces) {
      try {
        out.put(ns, runner.baseChains(ns));
      } catch (RunnerException e) {
        // not read: not named
      }
    }
    return out;
  }

  private static ProbeResult probe(Prober p, List<Runner.Target> targets, Prober.Layout layout, List<PortSpec> ports,
      Prober.Progress progress, java.util.function.Predicate<String> sources) {
    try {
      return p.probe(layout, ports, progress, sources);
    } catch (RunnerException e) {
      throw Prober.notApplied(targets.get(0), e);
    }
  }

  static final String KNOWN = "to the host on a port published on every host address, or from off it on its underlay"
      + " address, or on a node port (docs/kernel-plan.md#known-differences)";
  static final String NOT_REALISED = "depending on what the hosts' plans do not realise (a network"
      + " without interfaces yet, a host on no underlay or a policy between macvlan members, NETC520, or a service"
      + " balancing to endpoints it does not hold)";

  /**
   * The model of what the plans realise on {@code hosts}: only the attachments a plan gives an
   * interface (a network it does not realise yet, NETC520, gives none), and the services only
   * when every host balances them to every endpoint they select (a service or node port then
   * leads where the model says; a host balances over its own endpoints only). A cell whose
   * verdict differs between this model and the whole one depends on something the kernel does
   * not have, and is not compared.
   */
  static Reachability realised(Reachability model, List<HostState> hosts) {
    Topology t = model.topology();
    Map<String, Set<String>> realisedNetworks = new HashMap<>();
    for (HostState host : hosts) {
      for (EndpointPlan ep : host.endpoints()) {
        Set<String> nets = new HashSet<>();
        ep.interfaces().forEach(i -> nets.add(i.network()));
        realisedNetworks.put(ep.endpoint(), nets);
      }
    }
    boolean changed = false;
    List<Endpoint> endpoints = new ArrayList<>();
    for (Endpoint e : t.endpoints()) {
      Set<String> nets = realisedNetworks.get(e.name());
      if (nets == null || e.attachments().stream().allMatch(a -> nets.contains(a.network()))) {
        endpoints.add(e);
        continue;
      }
      changed = true;
      endpoints.add(new Endpoint(e.name(), e.localName(), e.namespace(), e.kind(), e.host(), e.labels(), e.mode(),
          e.attachments().stream().filter(a -> nets.contains(a.network())).toList(), e.publishes(), e.exposes(),
          e.members(), e.replicaOf(), e.span(), e.resolvesByName()));
    }
    List<dev.netc.compiler.ir.Service> services = t.services();
    boolean acrossHosts = true;
    if (!services.isEmpty()) {
      boolean all = true;
      for (HostState host : hosts) {
        Set<String> balanced = new HashSet<>();
        host.services().forEach(s -> s.balance().values().forEach(b -> b.targets().forEach(x -> balanced.add(x.endpoint()))));
        // a host balances over its own endpoints: those of the others are reached through their node ports;
        // over a bridge only (neither the model nor the plan send a service to an endpoint on macvlan networks only)
        all &= t.endpoints().stream().filter(e -> e.mode() == dev.netc.compiler.ir.NetMode.BRIDGE)
            .filter(e -> e.host().equals(host.host()))
            .filter(e -> e.attachments().stream().anyMatch(a -> t.networks().stream()
                .anyMatch(n -> n.name().equals(a.network()) && n.driver() != dev.netc.compiler.ir.Driver.MACVLAN)))
            .filter(e -> t.services().stream().anyMatch(s -> s.namespace().equals(e.namespace())
                && s.selector().matches(e.labels())))
            .allMatch(e -> balanced.contains(e.name()));
      }
      if (!all) {
        services = List.of();
        changed = true;
      } else if (t.hosts().size() > 1) {
        acrossHosts = false;
        changed = true;
      }
    }
    if (!changed) {
      return model;
    }
    // the host ports the plan chose for the whole topology (a copy without some attachments would
    // choose others), and the family of a model of one
    return model.over(new Topology(t.name(), t.hosts(), t.namespaces(), t.networks(), endpoints, services,
        t.policies(), t.lockedPorts()), acrossHosts);
  }

  private static boolean dependsOnUnrealised(Reachability model, Reachability realised, Set<String> bare,
      ProbeResult.Cell c) {
    if (!bare.isEmpty() && !c.from().host().equals(c.to().host())
        && (c.from().host().filter(bare::contains).isPresent() || c.to().host().filter(bare::contains).isPresent())
        && model.allowed(c.from(), c.to(), c.port())) {
      return true; // (a host on no underlay reaches neither the other hosts nor @outside: NETC520)
    }
    if (!model.allowed(c.from(), c.to(), c.port()) && pastTheTable(model.topology(), c.from(), c.to())) {
      return true; // (a policy between members of a macvlan network in bridge mode: NETC520)
    }
    return realised != model && realised.allowed(realised.node(c.from().name()).orElseThrow(),
        realised.node(c.to().name()).orElseThrow(), c.port()) != model.allowed(c.from(), c.to(), c.port());
  }

  /**
   * Whether two endpoints of one host share a macvlan network in bridge mode: they talk through
   * its parent, past the host's nftables table, so no policy holds between them (NETC520).
   */
  static boolean pastTheTable(Topology t, dev.netc.compiler.model.Node a, dev.netc.compiler.model.Node b) {
    if (a.endpoint().isEmpty() || b.endpoint().isEmpty()) {
      return false;
    }
    Endpoint x = a.endpoint().get();
    Endpoint y = b.endpoint().get();
    if (x == y || x.mode() != NetMode.BRIDGE || y.mode() != NetMode.BRIDGE || !x.host().equals(y.host())) {
      return false;
    }
    return t.networks().stream().anyMatch(n -> n.driver() == Driver.MACVLAN
        && n.macvlan().get().mode() == MacvlanMode.BRIDGE
        && x.attachments().stream().anyMatch(at -> at.network().equals(n.name()))
        && y.attachments().stream().anyMatch(at -> at.network().equals(n.name())));
  }

  /**
   * The hosts without an underlay address of a sandbox that plays several hosts ({@link
   * Runner#bareHosts}): each is a namespace on no underlay, cut off from the others and from
   * {@code @outside} (NETC520).
   */
  private static Set<String> bareHosts(List<Runner.Target> targets) {
    Set<String> out = new HashSet<>();
    Runner.bareHosts(targets).forEach(ns -> out.add(targets.get(0).sandbox().hostOfNamespace(ns)));
    return out;
  }

  private static String key(ProbeResult.Cell c) {
    return c.from().name() + " " + c.to().name() + " " + c.port();
  }

  /** The path, then the step that decided (with its source line when it names a rule). */
  static String why(Verdict v) {
    List<String> parts = new ArrayList<>();
    Verdict.Step first = v.steps().get(0);
    parts.add(first.text());
    if (v.steps().size() > 1) {
      Verdict.Step decisive = v.steps().get(v.steps().size() - 1);
      for (Verdict.Step s : v.steps()) {
        if (v.deciding().isPresent() && s.where().isPresent() && s.where().get().equals(v.deciding().get().span())) {
          decisive = s;
        }
      }
      parts.add(decisive.text() + decisive.where().map(Verifier::at).orElse(""));
    }
    return String.join("; ", parts);
  }

  private static String at(Span s) {
    return " (" + s.file().path() + ":" + s.line() + ")";
  }
}
