package dev.netc.runner.probe;

import dev.netc.compiler.ir.PortSpec;
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
    List<ProbeResult.Cell> suspects = differing(model, measured.cells());
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
    Reachability realised = realised(model, target.host());
    int compared = 0;
    Map<String, Integer> skipped = new java.util.LinkedHashMap<>();
    for (ProbeResult.Cell c : measured.cells()) {
      if (c.knownDifference()) {
        skipped.merge(KNOWN, 1, Integer::sum);
        continue;
      }
      if (realised != model && realised.allowed(c.from(), c.to(), c.port()) != model.allowed(c.from(), c.to(), c.port())) {
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

  static final String KNOWN = "the host on a port published on every host address (docs/kernel-plan.md#known-differences)";
  static final String NOT_REALISED = "through a service to an endpoint this host does not balance to"
      + " (on another host, or without a share)";

  /**
   * The model of what the kernel plans realise: as is when the host's services balance to every
   * endpoint the services select (a service or node port then leads where the model says);
   * otherwise without services, and a cell whose verdict depends on a service is not compared.
   */
  private static Reachability realised(Reachability model, dev.netc.backends.plan.HostState host) {
    dev.netc.compiler.ir.Topology t = model.topology();
    if (t.services().isEmpty()) {
      return model;
    }
    Set<String> balanced = new java.util.HashSet<>();
    host.services().forEach(s -> s.balance().values().forEach(b -> b.targets().forEach(x -> balanced.add(x.endpoint()))));
    boolean all = t.endpoints().stream().filter(e -> e.mode() == dev.netc.compiler.ir.NetMode.BRIDGE)
        .filter(e -> t.services().stream().anyMatch(s -> s.namespace().equals(e.namespace()) && s.selector().matches(e.labels())))
        .allMatch(e -> balanced.contains(e.name()));
    if (all) {
      return model;
    }
    return new Reachability(new dev.netc.compiler.ir.Topology(t.name(), t.hosts(), t.namespaces(), t.networks(),
        t.endpoints(), List.of(), t.policies()));
  }

  private static List<ProbeResult.Cell> differing(Reachability model, List<ProbeResult.Cell> cells) {
    return cells.stream().filter(c -> !c.knownDifference() && model.allowed(c.from(), c.to(), c.port()) != c.allowed())
        .toList();
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
