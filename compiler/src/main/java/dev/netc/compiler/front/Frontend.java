package dev.netc.compiler.front;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.source.SourceFile;
import java.util.List;

/**
 * A front end for a foreign input format (Kubernetes or Compose YAML): it turns a file into the
 * same declarations a {@code .netc} file gives, with spans into the YAML, so that resolution,
 * checks, the model and every backend work on it unchanged and its diagnostics look alike.
 */
public interface Frontend {
  /** The name users know the format by ({@code kubernetes}, {@code compose}). */
  String name();

  /** Whether the file is in this format, judged by its content, not its name. */
  boolean accepts(SourceFile file);

  /** The declarations of the file; problems are reported, never thrown. */
  List<Decl> read(SourceFile file, Diagnostics diags);
}
