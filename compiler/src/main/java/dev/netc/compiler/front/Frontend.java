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

  /**
   * Whether the front end recovers from the errors it reports: it leaves out each object it
   * reports an error in and declares the others, which are then resolved and checked as if the
   * left-out objects were not there (checks that conclude from what no object gives wait until
   * every object reads). After an error of a front end that does not recover, what it declared
   * is not resolved, as after a syntax error.
   */
  default boolean recovers() {
    return false;
  }

  /** Whether several files can be read as one input (a set of Kubernetes manifests can). */
  default boolean readsSeveralFiles() {
    return false;
  }

  /** The declarations of several files read as one input; several only when {@link #readsSeveralFiles}. */
  default List<Decl> read(List<SourceFile> files, Diagnostics diags) {
    if (files.size() != 1) {
      throw new UnsupportedOperationException(name() + " reads one file at a time");
    }
    return read(files.get(0), diags);
  }
}
