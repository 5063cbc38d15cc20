package dev.netc.cli;

import dev.netc.backends.KernelPlans;
import dev.netc.backends.json.IrJson;
import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.Planner;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Parsed;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc emit}: print or write one backend's output. */
@Command(
    name = "emit",
    mixinStandardHelpOptions = true,
    description = {"Print or write one backend's output for a topology.",
        "ip: a shell script per host of `ip -batch` runs, sysctls and /etc/netns files that"
            + " create the kernel objects from nothing; nft: per host, an `nft -f` file that"
            + " replaces the host namespace's table atomically. Neither touches the kernel."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:written", "1:errors in the topology or the plan, or the output cannot be written"})
final class EmitCommand implements Callable<Integer> {
  /** The backends available. */
  enum Backend {
    json,
    ip,
    nft
  }

  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (.netc).")
  String file;

  @Option(names = "--backend", required = true, paramLabel = "BACKEND",
      description = "One of: ${COMPLETION-CANDIDATES}. json is the resolved IR.")
  Backend backend;

  @Option(names = "--out", paramLabel = "DIR", description = "Write into DIR instead of printing"
      + " (ip: HOST.sh and HOST/N-NS.batch; nft: HOST.nft).")
  String out;

  @Option(names = "--sandbox", paramLabel = "S", description = "Plan for sandbox S: the host's"
      + " part in namespace S, endpoint namespaces named S-ENDPOINT (ip and nft).")
  String sandbox;

  @Option(names = "--host", paramLabel = "H", description = "Only host H (ip and nft).")
  String host;

  @Option(names = "--locked", description = "Fail when the lock file is missing or would change.")
  boolean locked;

  @Mixin Verbosity verbosity;

  EmitCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    if (backend == Backend.json && (sandbox != null || host != null)) {
      throw new Netc.UserError("`--sandbox` and `--host` apply to the ip and nft backends only");
    }
    String sandboxName = "";
    if (sandbox != null) {
      Parsed<String> s = KernelNames.sandbox(sandbox);
      if (!s.ok()) {
        throw new Netc.UserError("invalid `--sandbox`: " + s.error());
      }
      sandboxName = s.get();
    }
    CompileResult r = Inputs.compile(ctx, new Compiler(java.util.Set.of(), locked), file);
    if (r.topology().isEmpty()) {
      ctx.err().print(DiagnosticReport.text(r.diagnostics(), r.sources().size(), ctx.terminal().color()));
      return 1;
    }
    Topology t = r.topology().get();
    if (host != null && t.hosts().stream().noneMatch(h -> h.name().equals(host))) {
      throw new Netc.UserError("unknown host `" + host + "`; the topology has "
          + String.join(", ", t.hosts().stream().map(h -> "`" + h.name() + "`").toList()));
    }
    if (!sandboxName.isEmpty() && host == null && t.hosts().size() > 1) {
      throw new Netc.UserError("a sandbox holds one host: choose it with `--host` (one of "
          + String.join(", ", t.hosts().stream().map(h -> "`" + h.name() + "`").toList()) + ")");
    }
    Map<String, String> files = new LinkedHashMap<>();
    String text;
    if (backend == Backend.json) {
      text = IrJson.write(t);
      files.put(t.name() + ".json", text);
    } else {
      Planner.Result plan = Planner.plan(t, sandboxName);
      if (!plan.diagnostics().isEmpty()) {
        ctx.err().print(DiagnosticReport.text(plan.diagnostics(), r.sources().size(), ctx.terminal().color()));
      }
      if (plan.state().isEmpty()) {
        return 1;
      }
      DesiredState state = plan.state().get();
      if (host != null) {
        List<HostState> only = state.host(host).stream().toList();
        state = new DesiredState(state.topology(), state.sandbox(), only);
      }
      if (backend == Backend.ip) {
        text = KernelPlans.ip(state);
        files.putAll(KernelPlans.ipFiles(state));
      } else {
        Reachability model = new Reachability(t);
        text = KernelPlans.nft(state, model);
        files.putAll(KernelPlans.nftFiles(state, model));
      }
    }
    if (out == null) {
      ctx.out().print(text);
      return 0;
    }
    Path dir = ctx.fs().getPath(out);
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path target = dir.resolve(f.getKey());
      try {
        Files.createDirectories(target.getParent());
        Files.writeString(target, f.getValue(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new Netc.UserError("cannot write `" + target + "`: " + dev.netc.compiler.source.SourceReader.reason(e));
      }
      if (verbosity.verbose) {
        ctx.err().println("netc: wrote " + target);
      }
    }
    return 0;
  }
}
