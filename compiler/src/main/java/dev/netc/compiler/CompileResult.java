package dev.netc.compiler;

import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ipam.LockState;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.source.SourceFile;
import java.util.List;
import java.util.Optional;

/**
 * What compiling a topology gives: the IR when no error was found, and every diagnostic in
 * deterministic order (suppressed ones included, marked).
 *
 * @param sources every file read, the root first
 * @param lock the lock file's state, when the topology compiled far enough to assign addresses
 */
public record CompileResult(
    Optional<Topology> topology, List<Diagnostic> diagnostics, List<SourceFile> sources,
    Optional<LockState> lock) {

  public CompileResult {
    diagnostics = List.copyOf(diagnostics);
    sources = List.copyOf(sources);
  }

  public boolean hasErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }
}
