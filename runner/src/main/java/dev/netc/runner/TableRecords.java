package dev.netc.runner;

import dev.netc.runner.Runner.Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What apply keeps of the nftables table it loaded in a host namespace, under the state folder
 * ({@code /run/netc}): the record {@code NS.TOPOLOGY.nft.sha256} (the SHA-256 of the file loaded,
 * then {@code KEY VALUE} lines: {@code rules} the table's rules, chains and elements right after the load
 * ({@link TableRules}), {@code generation} the ruleset's generation then, {@code kept} the kept
 * file's size, inode and change time) and the file itself, {@code NS.TOPOLOGY.nft}, for
 * incremental updates and for naming drift. The record is written first, the file second.
 */
final class TableRecords {
  private final Path stateDir;

  TableRecords(Path stateDir) {
    this.stateDir = stateDir;
  }

  Path recordPath(Target t) {
    return recordPath(t.hostNs(), t.topology());
  }

  /**
   * {@code /run/netc/NS.TOPOLOGY.nft.sha256}, {@code NS} the host namespace ({@code S} for one
   * host, {@code S-host_H} for one of several, {@link Sandbox#HOST_FILES} in host mode).
   */
  Path recordPath(String hostNs, String topology) {
    return stateDir.resolve((hostNs.isEmpty() ? Sandbox.HOST_FILES : hostNs) + "." + topology + ".nft.sha256");
  }

  /** The table file apply loaded last, kept for incremental updates. */
  Path appliedPath(Target t) {
    return appliedPath(t.hostNs(), t.topology());
  }

  /** {@code /run/netc/NS.TOPOLOGY.nft}, {@code NS} as for {@link #recordPath(String, String)}. */
  Path appliedPath(String hostNs, String topology) {
    return stateDir.resolve((hostNs.isEmpty() ? Sandbox.HOST_FILES : hostNs) + "." + topology + ".nft");
  }

  Optional<String> applied(Target t) {
    try {
      Path p = appliedPath(t);
      return Files.isRegularFile(p) ? Optional.of(Files.readString(p, StandardCharsets.UTF_8)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the table file apply loaded last is the desired one: its record is there, and the
   * file it kept beside it has the desired text. (Compared as text, not by the record's SHA-256
   * of it: hashing the 700 KB of a table of 1,000 containers cost a no-op apply some 10 ms in a
   * JVM that compiles with C1 only. The record is written first, the file second, so a file
   * that is newer than its record cannot be.)
   */
  boolean asApplied(Target t, Optional<String> applied) {
    return intact(t) && applied.equals(Optional.of(t.nft().orElse("")));
  }

  /**
   * Whether the table's record is one apply wrote: a SHA-256 first, and a {@code rules} line, when
   * there is one, that reads. A damaged record says nothing of the live table: the plan replaces
   * the table, and its apply writes the record anew.
   */
  boolean intact(Target t) {
    return hash(t).filter(h -> h.matches("[0-9a-f]{64}")).isPresent()
        && (line(t, "rules").isEmpty() || rules(t).isPresent());
  }

  /** The record's first line: the SHA-256 of the table file apply loaded. */
  Optional<String> hash(Target t) {
    return lines(t).stream().findFirst();
  }

  /** The record's {@code rules N} line: how many rules the table had right after apply loaded it. */
  Optional<TableRules> rules(Target t) {
    return line(t, "rules").flatMap(TableRules::parse);
  }

  /** The value of the record's {@code KEY VALUE} line. */
  Optional<String> line(Target t, String key) {
    return lines(t).stream().filter(l -> l.startsWith(key + " ")).findFirst().map(l -> l.substring(key.length() + 1));
  }

  /** Writes the record's {@code KEY VALUE} line: in place of the one there, else last. */
  void writeLine(Target t, String key, String value) {
    List<String> lines = new ArrayList<>(lines(t));
    int at = java.util.stream.IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith(key + " ")).findFirst().orElse(-1);
    if (at < 0) {
      lines.add(key + " " + value);
    } else {
      lines.set(at, key + " " + value);
    }
    write(t, Optional.of(String.join("\n", lines)));
  }

  /**
   * A file's size, inode and change time in ns ({@code SIZE INO CTIME}, the file system's
   * {@code unix} attributes); empty where it has none.
   */
  static Optional<String> keptStat(Path p) {
    try {
      Map<String, Object> a = Files.readAttributes(p, "unix:size,ino,ctime");
      return Optional.of(a.get("size") + " " + a.get("ino") + " "
          + ((java.nio.file.attribute.FileTime) a.get("ctime")).to(java.util.concurrent.TimeUnit.NANOSECONDS));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException | NullPointerException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the kept table file is, by its size, inode and change time, the one apply wrote
   * after its record (the record's {@code kept} line), as git's index tells a file unchanged:
   * any write to it, or a file put in its place, changes the change time or the inode. Read after
   * the file's text, so a change in between shows too. Otherwise the text is hashed against the
   * record (some 65 ms for the 7 MB of a table of 100,000 elements).
   */
  boolean keptAsRecorded(Target t) {
    Optional<String> kept = line(t, "kept");
    return kept.isPresent() && keptStat(appliedPath(t)).equals(kept);
  }

  /** The record's {@code generation ID COOKIE} line: the namespace's nftables generation right after apply loaded the table. */
  Optional<String> generation(Target t) {
    return line(t, "generation");
  }

  /**
   * Whether the nftables ruleset of the target's host namespace, as {@code live} read it, is
   * still the generation recorded right after apply loaded the table (and read its rules): then
   * nothing in it changed since, and its rules need not be read. A ruleset changed by anyone
   * (another topology's table, a firewall of the host) is read as before.
   */
  boolean generationHolds(Target t, LiveState live) {
    Optional<String> recorded = generation(t);
    return recorded.isPresent() && live.nftGeneration(t.hostNs()).equals(recorded);
  }

  /** The record's lines; none when there is no record. */
  List<String> lines(Target t) {
    try {
      Path p = recordPath(t);
      return Files.isRegularFile(p) ? Files.readString(p).strip().lines().map(String::strip).toList() : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Writes the record (its lines), or removes it. */
  void write(Target t, Optional<String> hash) {
    writeFile(recordPath(t), hash);
  }

  /** Keeps the table file apply loaded, or removes it. */
  void writeApplied(Target t, Optional<String> text) {
    Path p = appliedPath(t);
    try {
      if (text.isPresent()) {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text.get(), StandardCharsets.UTF_8);
      } else {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new RunnerException("cannot write " + p + ": " + e.getMessage());
    }
  }

  /** Writes a file of the state folder ({@code text} and a newline), or removes it. */
  static void writeFile(Path p, Optional<String> text) {
    try {
      if (text.isPresent()) {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text.get() + "\n");
      } else {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new RunnerException("cannot write " + p + ": " + e.getMessage());
    }
  }

  /** Writes {@code text} to {@code p} as it is: a file read whole ({@link #writeFile} adds a newline), put back. */
  static void writeAsRead(Path p, String text) {
    try {
      Files.createDirectories(p.getParent());
      Files.writeString(p, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new RunnerException("cannot write " + p + ": " + e.getMessage());
    }
  }

}
