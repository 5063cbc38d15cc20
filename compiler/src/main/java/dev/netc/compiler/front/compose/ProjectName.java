package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Word;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The Compose project name, which names the topology and the project's default network: the
 * top-level {@code name}, else the name of the file's folder normalised as Compose does (lower
 * case, only {@code a-z 0-9 _ -}, no leading {@code _} or {@code -}). netc names cannot hold
 * {@code _}, so it becomes {@code -}: project {@code my_app} is topology {@code my-app}.
 */
final class ProjectName {
  private ProjectName() {}

  /**
   * The project's name as a word: the {@code name} value (kept as written when Compose would
   * reject it, so that the compiler reports it), else the folder's name, spanning the file start.
   */
  static Word of(SourceFile file, Optional<Word> declared) {
    if (declared.isPresent()) {
      Word w = declared.get();
      return w.text().matches("[a-z0-9][a-z0-9_-]*") ? new Word(netc(w.text()), w.span()) : w;
    }
    return new Word(netc(fromFolder(file)), Span.at(file, 0));
  }

  /** The name Compose gives a project from its folder (the working folder for a bare file name). */
  static String fromFolder(SourceFile file) {
    String folder = "";
    try {
      Path parent = Path.of(file.path()).toAbsolutePath().normalize().getParent();
      if (parent != null && parent.getFileName() != null) {
        folder = parent.getFileName().toString();
      }
    } catch (InvalidPathException | java.io.IOError | SecurityException e) {
      folder = "";
    }
    String normalised = normalise(folder);
    if (normalised.isEmpty()) {
      String base = file.path().replaceAll(".*[/\\\\]", "").replaceAll("\\.[^.]*$", "");
      normalised = normalise(base);
    }
    return normalised.isEmpty() ? "compose" : normalised;
  }

  /** Compose's normalisation of a project name. */
  static String normalise(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "").replaceAll("^[_-]+", "");
  }

  /** A Compose project name as a netc name. */
  static String netc(String project) {
    return project.replace('_', '-').replaceAll("-+$", "");
  }
}
