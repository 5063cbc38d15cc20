package dev.netc.compiler.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The project of a file or folder netc is given: the folder no file netc reads or writes for it
 * may lie outside of ({@code NETC009}). It is the Git work tree the file is in (the closest
 * folder above it, as written, with a {@code .git}), or, outside one, the file's folder (a
 * folder: that folder); its real path. {@code netc lint} runs on pull requests: a file reached
 * through {@code import "/proc/self/environ"}, {@code ../../.ssh/id_rsa} or a symbolic link in
 * the repository would be shown in the excerpts of the syntax errors it makes (and {@code netc
 * fmt} would rewrite it).
 */
public final class Project {
  private Project() {}

  /** The project of {@code root}. */
  public static Path of(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    Path dir = Files.isDirectory(abs) || abs.getParent() == null ? abs : abs.getParent();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
        return real(p);
      }
    }
    return real(dir);
  }

  /** The rule that {@code NETC009} enforces, as its hint and {@code netc fmt} tell it. */
  public static final String RULE = "netc reads only files inside the Git work tree of the file it is given"
      + " (without one, its folder): a symbolic link may not lead out";

  /** Why a file is refused, after {@link #leadsOut}: {@code it is `REAL`, outside `PROJECT`}. */
  public static String outside(Path real, Path project) {
    return "it is `" + real + "`, outside `" + project + "`";
  }

  /**
   * The real path of {@code file} (symbolic links followed) when it is outside {@code project};
   * empty when it is inside, or does not exist or cannot be resolved (reading it says why).
   */
  public static Optional<Path> leadsOut(Path file, Path project) {
    Path real;
    try {
      real = file.toRealPath();
    } catch (IOException e) {
      return Optional.empty();
    }
    return real.startsWith(project) ? Optional.empty() : Optional.of(real);
  }

  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p; // what cannot be resolved cannot be read either
    }
  }
}
