package dev.netc.compiler.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
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

  /** Why a file is refused, after {@link #leadsOut}: {@code it leads to `PATH`, outside `PROJECT`}. */
  public static String outside(Path to, Path project) {
    return "it leads to `" + to + "`, outside `" + project + "`";
  }

  /**
   * Where {@code file} leads (as {@link #follow}, from the real path of its folder) when it is
   * outside {@code project}; empty when it is inside, or its folder does not exist or its links
   * loop (reading it says why).
   */
  public static Optional<Path> leadsOut(Path file, Path project) {
    Path abs = file.toAbsolutePath();
    Path folder = abs.getParent();
    if (folder == null) {
      return abs.startsWith(project) ? Optional.empty() : Optional.of(abs);
    }
    Path real;
    try {
      real = folder.toRealPath(); // the folder netc was given a file of, or lists: its project or inside it
    } catch (IOException e) {
      return Optional.empty();
    }
    // (a loop: inside; reading it follows the same links, and says so)
    return follow(real, abs.getFileName(), project).filter(to -> !to.startsWith(project));
  }

  /** At most this many symbolic links are followed for one path, as Linux does. */
  private static final int MAX_LINKS = 40;

  /**
   * Where {@code relative} leads from the folder {@code from} (a real path): the path reached, its
   * symbolic links followed by netc itself, one name at a time, each {@code ..} taken from the
   * path reached so far. Whether a name is a symbolic link, and where it points, is looked up
   * inside {@code project} only; outside it nothing is looked up. So a path that leads out is
   * known to from its text and the links inside the project alone, and netc says the same of it
   * ({@code NETC009}) whether something exists there or not: its report tells nothing of what lies
   * outside. (The path reached is inside, or outside, whatever follows: what is outside is left
   * only through links, which are not looked up there, or along the project's own real path.)
   * Empty when more than 40 symbolic links are met (a loop), as Linux refuses them.
   */
  public static Optional<Path> follow(Path from, Path relative, Path project) {
    Deque<String> names = new ArrayDeque<>();
    relative.forEach(n -> names.add(n.toString()));
    Path at = from;
    int links = 0;
    while (!names.isEmpty()) {
      String name = names.pop();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        at = at.getParent() == null ? at : at.getParent();
        continue;
      }
      Path next = at.resolve(name);
      if (!next.startsWith(project) || next.equals(project) || !Files.isSymbolicLink(next)) {
        at = next;
        continue;
      }
      Path target;
      try {
        target = Files.readSymbolicLink(next);
      } catch (IOException e) {
        at = next; // reading it says why
        continue;
      }
      if (++links > MAX_LINKS) {
        return Optional.empty(); // a loop
      }
      List<String> in = new ArrayList<>();
      target.forEach(n -> in.add(n.toString()));
      for (int i = in.size() - 1; i >= 0; i--) {
        names.push(in.get(i));
      }
      if (target.isAbsolute()) {
        at = target.getRoot();
      }
    }
    return Optional.of(at);
  }

  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p; // what cannot be resolved cannot be read either
    }
  }
}
