package dev.netc.cli;

import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.Planner;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.Parsed;
import dev.netc.compiler.ir.Topology;
import dev.netc.runner.Runner;
import dev.netc.runner.Targets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the commands that act on a sandbox share ({@link SandboxOptions}): FILE, {@code --sandbox}
 * and {@code --host} to targets; without {@code --sandbox}, host mode.
 */
final class SandboxTarget {
  private SandboxTarget() {}

  /** A compiled topology and its targets: one per host the command acts on. */
  record Loaded(Topology topology, List<Runner.Target> targets) {
    Loaded {
      targets = List.copyOf(targets);
    }
  }

  /**
   * The targets of host {@code host}, or of every host of the topology when it is null (each in a
   * namespace of its own when there are several); empty when the topology or its plan has errors
   * (already printed: on stdout as JSON as well with {@code json}).
   */
  static Optional<List<Runner.Target>> all(Netc.Context ctx, String file, boolean recursive, String sandbox,
      String host, boolean json) {
    return all(ctx, file, recursive, sandbox, host, json, false);
  }

  /** As above; with {@code locked} ({@code --locked}), a lock file missing or out of date is an error (NETC231). */
  static Optional<List<Runner.Target>> all(Netc.Context ctx, String file, boolean recursive, String sandbox,
      String host, boolean json, boolean locked) {
    return load(ctx, file, recursive, sandbox, host, json, locked).map(Loaded::targets);
  }

  /**
   * The topology and its targets (host {@code host}, or every host when it is null), or empty
   * when the topology or its plan has errors (already printed). Without a sandbox (host mode:
   * the real host namespace and namespaces {@code netc-TOPOLOGY-*}) this machine is one host, so
   * a topology of several hosts needs {@code --host}. With {@code json} (the command's {@code
   * --format json}), the diagnostics that stop it are printed on stdout as JSON as well ({@link Stopped}).
   */
  static Optional<Loaded> load(Netc.Context ctx, String file, boolean recursive, String sandbox, String host,
      boolean json) {
    return load(ctx, file, recursive, sandbox, host, json, false);
  }

  private static Optional<Loaded> load(Netc.Context ctx, String file, boolean recursive, String sandbox, String host,
      boolean json, boolean locked) {
    Attempt a = attempt(ctx, file, recursive, sandbox, host, locked, true);
    if (a.unreadable().isPresent()) {
      throw new Netc.UserError(a.unreadable().get());
    }
    if (a.loaded().isEmpty()) {
      Stopped.print(ctx, a.diagnostics(), a.files(), json);
    }
    return a.loaded();
  }

  /**
   * What {@link #attempt} found: the topology and its targets, or why there are none: FILE
   * cannot be read ({@code unreadable}, the error's words), or the topology or its plan has
   * errors ({@code diagnostics}, of a topology of {@code files} files, not printed yet), with the
   * compiled topology's name ({@code compiled}) when only its plan failed.
   */
  record Attempt(Optional<Loaded> loaded, Optional<String> unreadable, List<Diagnostic> diagnostics, int files,
      Optional<String> compiled) {
    Attempt {
      diagnostics = List.copyOf(diagnostics);
    }

    static Attempt failed(List<Diagnostic> diagnostics, int files, Optional<String> compiled) {
      return new Attempt(Optional.empty(), Optional.empty(), diagnostics, files, compiled);
    }
  }

  /**
   * {@link #load} without printing what stops it: the command decides ({@code netc destroy}
   * goes on from apply's records). An unknown {@code --host}, or none in host mode for a topology
   * of several hosts, is still a {@link Netc.UserError}.
   */
  static Attempt attempt(Netc.Context ctx, String file, boolean recursive, String sandbox, String host) {
    return attempt(ctx, file, recursive, sandbox, host, false, false);
  }

  /**
   * @param warn whether to print the plan's warnings (NETC520: what the plan does not realise),
   *     which concern what an apply makes, not what a destroy removes
   */
  private static Attempt attempt(Netc.Context ctx, String file, boolean recursive, String sandbox, String host,
      boolean locked, boolean warn) {
    Parsed<String> s = sandbox == null ? Parsed.ok("") : KernelNames.sandbox(sandbox);
    if (!s.ok()) {
      throw new Netc.UserError("invalid `--sandbox`: " + s.error());
    }
    CompileResult r;
    try {
      r = Inputs.compile(ctx, new Compiler(Set.of(), locked), file, recursive);
    } catch (Netc.UserError e) {
      return new Attempt(Optional.empty(), Optional.of(e.getMessage()), List.of(), 0, Optional.empty());
    }
    if (r.topology().isEmpty()) {
      return Attempt.failed(r.diagnostics(), r.sources().size(), Optional.empty());
    }
    Topology t = r.topology().get();
    if (host != null && t.hosts().stream().noneMatch(h -> h.name().equals(host))) {
      throw new Netc.UserError("unknown host `" + host + "`; the topology has "
          + String.join(", ", t.hosts().stream().map(h -> "`" + h.name() + "`").toList()));
    }
    if (sandbox == null && host == null && t.hosts().size() > 1) {
      throw new Netc.UserError("this machine is one host of the topology: say which with `--host` (one of "
          + String.join(", ", t.hosts().stream().map(h -> "`" + h.name() + "`").toList()) + ")");
    }
    Planner.Result plan = Planner.plan(t, s.get());
    if (plan.state().isEmpty()) {
      return Attempt.failed(plan.diagnostics(), r.sources().size(), Optional.of(t.name()));
    }
    if (warn && !plan.diagnostics().isEmpty()) {
      ctx.err().print(DiagnosticReport.text(plan.diagnostics(), r.sources().size(), ctx.terminal().color()));
    }
    DesiredState state = plan.state().get();
    List<HostState> hosts = host == null ? state.hosts() : List.of(state.host(host).orElseThrow());
    Loaded loaded = new Loaded(t, hosts.stream().map(h -> Targets.of(t, state, h)).toList());
    return new Attempt(Optional.of(loaded), Optional.empty(), List.of(), r.sources().size(), Optional.empty());
  }
}
