package dev.netc.compiler.parse;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.source.SourceFile;
import java.util.List;

/**
 * One parsed file: its declarations (empty when the file has syntax errors), its comments, the
 * syntax diagnostics, whether the parser needed its slower full-context (LL) mode, and whether
 * it is YAML read by a front end (whose blocks are made by indentation, not braces).
 */
public record ParsedFile(
    SourceFile source,
    List<Decl> decls,
    List<Comment> comments,
    List<Diagnostic> diagnostics,
    boolean usedLlFallback,
    boolean yaml) {

  /** A parsed {@code .netc} file. */
  public ParsedFile(SourceFile source, List<Decl> decls, List<Comment> comments,
      List<Diagnostic> diagnostics, boolean usedLlFallback) {
    this(source, decls, comments, diagnostics, usedLlFallback, false);
  }

  /** A YAML file read by a front end: its declarations and its comments. */
  public static ParsedFile yaml(SourceFile source, List<Decl> decls, List<Comment> comments) {
    return new ParsedFile(source, decls, comments, List.of(), false, true);
  }

  public ParsedFile {
    decls = List.copyOf(decls);
    comments = List.copyOf(comments);
    diagnostics = List.copyOf(diagnostics);
  }

  public boolean hasSyntaxErrors() {
    return diagnostics.stream().anyMatch(Diagnostic::isError);
  }
}
