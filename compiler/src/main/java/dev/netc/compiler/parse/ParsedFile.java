package dev.netc.compiler.parse;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import java.util.List;

/**
 * One parsed file: its declarations (empty when the file has syntax errors), its comments, the
 * syntax diagnostics, and whether the parser needed its slower full-context (LL) mode.
 */
public record ParsedFile(
    SourceFile source,
    List<Decl> decls,
    List<Comment> comments,
    List<Diagnostic> diagnostics,
    boolean usedLlFallback) {

  public ParsedFile {
    decls = List.copyOf(decls);
    comments = List.copyOf(comments);
    diagnostics = List.copyOf(diagnostics);
  }

  public boolean hasSyntaxErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }
}
