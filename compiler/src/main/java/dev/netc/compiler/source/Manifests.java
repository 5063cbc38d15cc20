package dev.netc.compiler.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a folder given as a topology, as {@code kubectl apply -f DIR} takes them: its
 * {@code .yaml} and {@code .yml} files in the order of their names; with {@code recursive} (as
 * {@code -R}), those of its subfolders too, each folder's entries visited in name order, a
 * subfolder where its name sorts (as Go's {@code filepath.Walk}, which kubectl uses, visits
 * them). Other files are passed over, as kubectl passes over files of other extensions. A
 * symbolic link is an entry of its own name, not followed to tell whether it is a folder
 * (filepath.Walk does not follow them either): a link to a folder is not descended into, and a
 * link named {@code x.yaml} is listed as a file, whatever it leads to (whether it leads out of
 * the project, {@code NETC009}, is told without looking there: {@link Project#leadsOut}).
 */
public final class Manifests {
  private Manifests() {}

  /** Whether kubectl would read a file of this name from a folder. */
  public static boolean isManifest(Path p) {
    String name = p.getFileName() == null ? "" : p.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  /** The manifests of {@code dir}, in the order they are read. */
  public static List<Path> list(Path dir, boolean recursive) throws IOException {
    List<Path> out = new ArrayList<>();
    walk(dir, recursive, out);
    return out;
  }

  private static void walk(Path dir, boolean recursive, List<Path> out) throws IOException {
    List<Path> entries;
    try (Stream<Path> s = Files.list(dir)) {
      entries = s.sorted(Comparator.comparing((Path p) -> p.getFileName().toString())).toList();
    }
    for (Path p : entries) {
      if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        if (recursive) {
          walk(p, true, out);
        }
      } else if (isManifest(p)) {
        out.add(p);
      }
    }
  }
}
