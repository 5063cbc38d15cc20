package dev.netc.cli;

import dev.netc.backends.Export;
import dev.netc.backends.compose.ComposeExport;
import dev.netc.backends.graph.GraphExport;
import dev.netc.backends.json.IrJson;
import dev.netc.backends.k8s.K8sExport;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc emit}: print or write one backend's output. */
@Command(
    name = "emit",
    mixinStandardHelpOptions = true,
    description = "Print or write one backend's output for a topology.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:written (k8s and compose warn on stderr about what they cannot express)",
        "1:errors in the topology, or the output cannot be written"})
final class EmitCommand implements Callable<Integer> {
  /** The backends available, and the file each writes under {@code --out}. */
  enum Backend {
    json(".json"),
    k8s(".k8s.yaml"),
    compose(".compose.yaml"),
    dot(".dot"),
    mermaid(".mmd");

    final String suffix;

    Backend(String suffix) {
      this.suffix = suffix;
    }
  }

  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = "Topology file (.netc).")
  String file;

  @Option(names = "--backend", required = true, paramLabel = "BACKEND",
      description = "One of: ${COMPLETION-CANDIDATES}. json is the resolved IR; k8s Kubernetes"
          + " manifests; compose a Compose file; dot and mermaid a graph of the topology.")
  Backend backend;

  @Option(names = "--out", paramLabel = "DIR", description = "Write into DIR instead of printing.")
  String out;

  @Option(names = "--locked", description = "Fail when the lock file is missing or would change.")
  boolean locked;

  @Mixin Verbosity verbosity;

  EmitCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    CompileResult r = Inputs.compile(ctx, new Compiler(java.util.Set.of(), locked), file);
    if (r.topology().isEmpty()) {
      ctx.err().print(DiagnosticReport.text(r.diagnostics(), r.sources().size(), ctx.terminal().color()));
      return 1;
    }
    Topology t = r.topology().get();
    Export export = switch (backend) {
      case json -> new Export(IrJson.write(t), List.of());
      case k8s -> K8sExport.write(t);
      case compose -> ComposeExport.write(t);
      case dot -> new Export(GraphExport.dot(t), List.of());
      case mermaid -> new Export(GraphExport.mermaid(t), List.of());
    };
    // what the target cannot express: warnings on stderr, the output is written all the same
    if (!export.diagnostics().isEmpty() && !verbosity.quiet) {
      ctx.err().print(DiagnosticReport.text(export.diagnostics(), r.sources().size(),
          ctx.terminal().color()));
    }
    String text = export.text();
    if (out == null) {
      ctx.out().print(text);
      return 0;
    }
    Path dir = ctx.fs().getPath(out);
    Path target = dir.resolve(t.name() + backend.suffix);
    try {
      Files.createDirectories(dir);
      Files.writeString(target, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Netc.UserError("cannot write `" + target + "`: " + dev.netc.compiler.source.SourceReader.reason(e));
    }
    if (verbosity.verbose) {
      ctx.err().println("netc: wrote " + target);
    }
    return 0;
  }
}
