package dev.netc.runner.probe;

import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.HostState;
import dev.netc.compiler.ir.Endpoint;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code netc verify}: checks that the sandbox holds the topology as applied (its drift is
 * empty), probes it, and compares every measured cell with the model's verdict. A cell that
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
    Drift drift = runner.drift(target);
    if (!drift.inSync()) {
      List<String> missingNamespaces = drift.plan().changes().stream()
          .filter(c -> c.action() == Change.Action.CREATE && c.id().kind() == ObjectId.Kind.NAMESPACE)
          .map(c -> c.id().name()).toList();
      long endpointNamespaces = target.host().namespaces().size();
      if (missingNamespaces.contains(target.sandbox().name())
          || endpointNamespaces > 0 && missingNamespaces.stream().filter(n -> !n.equals(target.sandbox().outside()))
              .count() == endpointNamespaces) {
        throw new RunnerException("topology " + target.topology() + " is not applied in sandbox "
            + target.sandbox().name() + ": run `netc apply` first");
      }
      throw new RunnerException("sandbox " + target.sandbox().name() + " is not in sync with topology "
          + target.topology() + " (" + drift.count(Drift.State.MISSING) + " missing, " + drift.count(Drift.State.CHANGED)
          + " changed, " + drift.count(Drift.State.UNEXPECTED) + " unexpected; `netc diff` lists them):"
          + " run `netc apply` first");
    }
    return compare(target, model, ports, progress);
  }

  /** Probes and compares, without the drift check (for callers that just applied). */
  public Verification compare(Runner.Target target, Reachability model, List<PortSpec> ports, Prober.Progress progress) {
    Prober.Layout layout = Prober.Layout.of(model, target.host(), target.sandbox());
    ProbeResult measured = prober.probe(layout, ports, progress, s -> true);
    Reachability realised = realised(model, target.host());
    List<ProbeResult.Cell> suspects = measured.cells().stream()
        .filter(c -> !c.knownDifference() && !dependsOnUnrealised(model, realised, c)
            && model.allowed(c.from(), c.to(), c.port()) != c.allowed())
        .toList();
    if (!suspects.isEmpty()) {
      Set<String> sources = new LinkedHashSet<>();
      Set<PortSpec> suspectPorts = new LinkedHashSet<>();
      suspects.forEach(c -> {
        sources.add(layout.namespace(c.from()));
        suspectPorts.add(c.port());
      });
      List<PortSpec> again = ports.stream().filter(suspectPorts::contains).toList();
      ProbeResult second = patient.probe(layout, again, Prober.Progress.NONE, sources::contains);
      Map<String, ProbeResult.Cell> secondCells = new HashMap<>();
      second.cells().forEach(c -> secondCells.put(key(c), c));
      List<ProbeResult.Cell> merged = new ArrayList<>();
      for (ProbeResult.Cell c : measured.cells()) {
        ProbeResult.Cell re = secondCells.get(key(c));
        // admitted once is admitted: only a denial is measured again
        merged.add(re != null && !c.allowed() && re.allowed() ? re : c);
      }
      measured = new ProbeResult(measured.nodes(), measured.ports(), merged,
          measured.connections() + second.connections(), measured.millis() + second.millis());
    }
    List<Verification.Difference> diffs = new ArrayList<>();
    int compared = 0;
    Map<String, Integer> skipped = new java.util.LinkedHashMap<>();
    for (ProbeResult.Cell c : measured.cells()) {
      if (c.knownDifference()) {
        skipped.merge(KNOWN, 1, Integer::sum);
        continue;
      }
      if (dependsOnUnrealised(model, realised, c)) {
        skipped.merge(NOT_REALISED, 1, Integer::sum);
        continue;
      }
      compared++;
      boolean want = model.allowed(c.from(), c.to(), c.port());
      if (want != c.allowed()) {
        diffs.add(new Verification.Difference(c.from(), c.to(), c.port(), want, c.allowed(), c.detail(),
            why(model.explain(c.from(), c.to(), c.port()))));
      }
    }
    return new Verification(target.topology(), target.sandbox().name(), measured, diffs, compared, skipped);
  }

  static final String KNOWN = "to the host on a port published on every host address (docs/kernel-plan.md#known-differences)";
  static final String NOT_REALISED = "that depend on what this host's plan does not realise (a network"
      + " without interfaces yet, NETC520, or a service balancing to endpoints it does not hold)";

  /**
   * The model of what the plan realises on {@code host}: only the attachments the plan gives an
   * interface (a network it does not realise yet, NETC520, gives none), and the services only
   * when the host balances them to every endpoint they select (a service or node port then
   * leads where the model says). A cell whose verdict differs between this model and the whole
   * one depends on something the kernel does not have, and is not compared.
   */
  static Reachability realised(Reachability model, HostState host) {
    Topology t = model.topology();
    Map<String, Set<String>> realisedNetworks = new HashMap<>();
    for (EndpointPlan ep : host.endpoints()) {
      Set<String> nets = new HashSet<>();
      ep.interfaces().forEach(i -> nets.add(i.network()));
      realisedNetworks.put(ep.endpoint(), nets);
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
          e.members(), e.replicaOf(), e.span()));
    }
    List<dev.netc.compiler.ir.Service> services = t.services();
    if (!services.isEmpty()) {
      Set<String> balanced = new HashSet<>();
      host.services().forEach(s -> s.balance().values().forEach(b -> b.targets().forEach(x -> balanced.add(x.endpoint()))));
      boolean all = t.endpoints().stream().filter(e -> e.mode() == dev.netc.compiler.ir.NetMode.BRIDGE)
          .filter(e -> t.services().stream().anyMatch(s -> s.namespace().equals(e.namespace()) && s.selector().matches(e.labels())))
          .allMatch(e -> balanced.contains(e.name()));
      if (!all) {
        services = List.of();
        changed = true;
      }
    }
    if (!changed) {
      return model;
    }
    return new Reachability(new Topology(t.name(), t.hosts(), t.namespaces(), t.networks(), endpoints, services,
        t.policies()));
  }

  private static boolean dependsOnUnrealised(Reachability model, Reachability realised, ProbeResult.Cell c) {
    return realised != model && realised.allowed(realised.node(c.from().name()).orElseThrow(),
        realised.node(c.to().name()).orElseThrow(), c.port()) != model.allowed(c.from(), c.to(), c.port());
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
