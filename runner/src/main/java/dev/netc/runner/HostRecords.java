package dev.netc.runner;

import dev.netc.backends.plan.KernelNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The host namespaces ({@code S-host_H}) each topology applied in a sandbox plays, under the
 * state folder ({@code /run/netc}): {@code S.TOPOLOGY.hosts}, a comment line then one namespace
 * a line (none for a topology of one host, played in {@code S}). Written by apply (before its
 * changes with the hosts it had and will have, once it ends with the ones it has), removed by
 * destroy. A host namespace that a topology played and no longer plays goes only when no other
 * topology's record names it. No record (a topology applied by an older netc, or none applied)
 * says nothing: it is never a reason to remove a host namespace.
 */
final class HostRecords {
  /** What the records' names end with. */
  static final String SUFFIX = ".hosts";

  private final Path stateDir;

  HostRecords(Path stateDir) {
    this.stateDir = stateDir;
  }

  /** {@code /run/netc/S.TOPOLOGY.hosts}. */
  Path path(Sandbox sb, String topology) {
    return stateDir.resolve(sb.files() + "." + topology + SUFFIX);
  }

  /** The host namespaces {@code topology}'s record names; empty when there is no record, or it cannot be read. */
  Optional<Set<String>> read(Sandbox sb, String topology) {
    return read(path(sb, topology));
  }

  private static Optional<Set<String>> read(Path p) {
    try {
      Set<String> out = new TreeSet<>();
      for (String l : Files.readAllLines(p, StandardCharsets.UTF_8)) {
        String x = l.strip();
        if (!x.isEmpty() && !x.startsWith("#")) {
          if (!KernelNames.validNetns(x)) {
            return Optional.empty(); // damaged: says nothing
          }
          out.add(x);
        }
      }
      return Optional.of(out);
    } catch (IOException | java.io.UncheckedIOException e) {
      return Optional.empty();
    }
  }

  /**
   * The records of the other topologies applied in the sandbox, by topology (a topology's name
   * holds no {@code .}, so {@code S.T.hosts} is sandbox {@code S}'s and not {@code S.x}'s): the
   * host namespaces each names; empty for a record that cannot be read (it says nothing, so no
   * host namespace may go on its account).
   */
  Map<String, Optional<Set<String>>> others(Sandbox sb, String topology) {
    Map<String, Optional<Set<String>>> out = new TreeMap<>();
    String prefix = sb.files() + ".";
    if (!Files.isDirectory(stateDir)) {
      return out;
    }
    // (a sandbox's name holds no character a glob takes for its own)
    try (DirectoryStream<Path> files = Files.newDirectoryStream(stateDir, prefix + "*" + SUFFIX)) {
      for (Path p : files) {
        String name = p.getFileName().toString();
        String t = name.substring(prefix.length(), name.length() - SUFFIX.length());
        if (!t.isEmpty() && !t.contains(".") && !t.equals(topology)) {
          out.put(t, read(p));
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      throw new RunnerException("cannot read the records of the hosts of " + sb.label() + " in " + stateDir + ": " + e.getMessage());
    }
    return out;
  }

  /** Removes the records of every topology's hosts in the sandbox: it is gone. */
  void removeAll(Sandbox sb) {
    others(sb, "").keySet().forEach(t -> write(sb, t, Optional.empty()));
  }

  /**
   * Writes {@code topology}'s record (a new file moved over the old one: a reader finds the old
   * record or the new one whole), or removes it ({@code hosts} empty).
   */
  void write(Sandbox sb, String topology, Optional<Set<String>> hosts) {
    Path p = path(sb, topology);
    try {
      if (hosts.isEmpty()) {
        Files.deleteIfExists(p);
        return;
      }
      Files.createDirectories(stateDir);
      StringBuilder text = new StringBuilder("# netc: the host namespaces topology " + topology + " plays in " + sb.label()
          + "; written by apply, removed by destroy\n");
      new TreeSet<>(hosts.get()).forEach(h -> text.append(KernelNames.checkNetns(h)).append('\n'));
      Path tmp = p.resolveSibling(p.getFileName() + ".new");
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new RunnerException("cannot write " + p + ": " + e.getMessage());
    }
  }
}
