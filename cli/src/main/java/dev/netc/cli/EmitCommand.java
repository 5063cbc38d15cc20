package dev.netc.cli;

import dev.netc.backends.Export;
import dev.netc.backends.ExportedSuppressions;
import dev.netc.backends.KernelPlans;
import dev.netc.backends.compose.ComposeExport;
import dev.netc.backends.graph.GraphExport;
import dev.netc.backends.json.IrJson;
import dev.netc.backends.k8s.K8sExport;
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
import dev.netc.compiler.source.SourceFile;
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
        "json: the resolved IR; k8s: Kubernetes manifests; compose: a Compose file; dot, mermaid:"
            + " a graph; ip: a shell script per host of `ip -batch` runs, sysctls and /etc/netns"
            + " files that create the kernel objects from nothing; nft: per host, an `nft -f` file"
            + " that replaces the host namespace's table atomically. None touches the kernel."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:written (k8s and compose warn on stderr about what they cannot express)",
        "1:errors in the topology or the plan, or the output cannot be written"})
final class EmitCommand implements Callable<Integer>, Stopped.Json {
  /** The backends available, and the file each writes under {@code --out}. */
  enum Backend {
    json(".json"),
    k8s(".k8s.yaml"),
    compose(".compose.yaml"),
    dot(".dot"),
    mermaid(".mmd"),
    ip(""),
    nft("");

    final String suffix;

    Backend(String suffix) {
      this.suffix = suffix;
    }

    boolean kernel() {
      return this == ip || this == nft;
    }
  }

  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Option(names = "--backend", required = true, paramLabel = "BACKEND",
      description = "One of: ${COMPLETION-CANDIDATES}.")
  Backend backend;

  @Option(names = "--out", paramLabel = "DIR", description = "Write into DIR instead of printing"
      + " (ip: HOST.sh and HOST/N-NS.batch; nft: HOST.nft; others: TOPOLOGY.EXT).")
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

  /** The json backend, printed on stdout: its reader gets JSON whatever happens ({@link Stopped}). */
  @Override
  public boolean json() {
    return backend == Backend.json && out == null;
  }

  @Override
  public Integer call() {
    if (!backend.kernel() && (sandbox != null || host != null)) {
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
    CompileResult r = Inputs.compile(ctx, new Compiler(java.util.Set.of(), locked), file, input.recursive);
    if (r.topology().isEmpty()) {
      // the json backend's reader gets JSON: the diagnostics, as `netc lint --format json` prints them
      Stopped.print(ctx, r.diagnostics(), r.sources().size(), json());
      return 1;
    }
    Topology t = r.topology().get();
    Map<String, String> files = new LinkedHashMap<>();
    String text;
    if (backend.kernel()) {
      if (host != null && t.hosts().stream().noneMatch(h -> h.name().equals(host))) {
        throw new Netc.UserError("unknown host `" + host + "`; the topology has "
            + String.join(", ", t.hosts().stream().map(h -> "`" + h.name() + "`").toList()));
      }
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
    } else {
      Export export = switch (backend) {
        case k8s -> K8sExport.write(t);
        case compose -> ComposeExport.write(t);
        case dot -> new Export(GraphExport.dot(t), List.of());
        case mermaid -> new Export(GraphExport.mermaid(t), List.of());
        default -> new Export(IrJson.write(t), List.of());
      };
      // what the target cannot express: warnings on stderr, the output is written all the same
      if (!export.diagnostics().isEmpty() && !verbosity.quiet) {
        ctx.err().print(DiagnosticReport.text(export.diagnostics(), r.sources().size(),
            ctx.terminal().color()));
      }
      text = export.text();
      if (!export.blocks().isEmpty()) {
        // the source's suppressions, in the form the YAML front end reads, so that lint of the
        // export suppresses what lint of the source does
        Path written = (out == null ? ctx.fs().getPath("") : ctx.fs().getPath(out)).resolve(t.name() + backend.suffix);
        ExportedSuppressions.Result carried = ExportedSuppressions.carry(export, r.diagnostics(),
            yaml -> new Compiler(java.util.Set.of(), false).compile(written, new SourceFile(written.toString(), yaml))
                .diagnostics());
        text = carried.text();
        if (!verbosity.quiet) {
          carried.notes().forEach(n -> ctx.err().println("netc: " + n));
        }
      }
      files.put(t.name() + backend.suffix, text);
    }
    if (out == null) {
      ctx.out().print(text);
      return 0;
    }
    Path dir = ctx.fs().getPath(out);
    // the first of the folder and its parents that is there must be a folder
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          throw new Netc.UserError("cannot write into `" + out + "`: " + (p.equals(dir) ? "it" : "`" + p + "`")
              + " is a file; `--out` names the folder emit writes its files in");
        }
        break;
      }
    }
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
