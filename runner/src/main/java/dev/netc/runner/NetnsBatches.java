package dev.netc.runner;

import dev.netc.backends.plan.KernelNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one {@code ip -batch} in each of many namespaces with few processes: the lines of each
 * namespace go to a file, and one {@code xargs -L 1 nsenter} process runs {@code nsenter
 * --net=/run/netns/NS ip -N -j -d -batch FILE} for each namespace in turn. A child forked by xargs is
 * far cheaper than a process started from the JVM, and nsenter only enters the network
 * namespace, where {@code ip -n} and {@code ip netns exec} also make a mount namespace and
 * remount {@code /sys} (three times the cost, measured; netlink needs none of it). The
 * namespaces are split into a few such processes that run side by side. Each child's JSON
 * output (one line per {@code show} line) comes back in order, so a namespace's documents are
 * those its child printed. Without nsenter, {@code ip -force -batch -} of {@code netns exec}
 * lines does the same. The lines of a namespace's batch that begin with {@code -6} (a read's
 * IPv6 rules) are run by a second child right after its first, with {@code ip -6}.
 */
final class NetnsBatches {
  /**
   * The read of one namespace (run with {@code -d}, details): links with aliases and kinds, the
   * bridges, addresses, routes of every table.
   */
  static final List<String> READ = List.of("link show", "link show type bridge", "address show", "route show table all");
  /**
   * The lines of an IPv6 child ({@link #inet6}) begin so: {@code ip -batch} takes no option on a
   * line, and {@code ip rule show} lists IPv4's rules only, IPv6's with {@code ip -6}.
   */
  static final String INET6 = "-6 ";

  /**
   * The document that stands for a namespace's IPv6 rules when {@code ip -6 rule show} failed (a
   * kernel without IPv6 policy routing): its one object marks them unread ({@link
   * dev.netc.runner.netlink.RouteDump#RULES6_UNREAD}), not none.
   */
  static final String RULES6_UNREAD = "[{\"" + dev.netc.runner.netlink.RouteDump.RULES6_UNREAD + "\":true}]\n";
  /**
   * {@link #READ}, then the policy routing rules of both families, IPv4's ({@code rule show}) and,
   * when the kernel has IPv6, IPv6's ({@code -6 rule show}, run by a child of its own): the read of
   * a namespace without netlink, whose rules it compares as the netlink read does.
   */
  static final List<String> READ_RULES = java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc/sys/net/ipv6"))
      ? java.util.stream.Stream.concat(READ.stream(), java.util.stream.Stream.of("rule show", INET6 + "rule show")).toList()
      : java.util.stream.Stream.concat(READ.stream(), java.util.stream.Stream.of("rule show")).toList();
  /** How many {@code ip -batch} parents run side by side. */
  static final int PARALLEL = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private final CommandExecutor exec;
  private final Path scratch;

  /** {@code scratch}: a folder for the batch files (created when missing). */
  NetnsBatches(CommandExecutor exec, Path scratch) {
    this.exec = exec;
    this.scratch = scratch;
  }

  /**
   * What the batches printed, by namespace, in the order given; the namespaces whose batch did
   * not run or failed are in {@code failed}, with the first error.
   */
  record Outcome(Map<String, String> out, Map<String, String> failed) {}

  /**
   * The lines of {@code lines} that a child of one family runs: without {@link #INET6} ({@code
   * inet6} false), or those with it, without it. The IPv6 child of a namespace runs after its
   * other child, and its lines must be reads: when the other child fails, the IPv6 child's output
   * would not be told from the others'.
   */
  static List<String> inet6(List<String> lines, boolean inet6) {
    return lines.stream().filter(l -> l.startsWith(INET6) == inet6).map(l -> inet6 ? l.substring(INET6.length()) : l).toList();
  }

  /**
   * Runs {@code lines} (without {@code ip}; those of {@link #INET6}, with {@code ip -6}) in each
   * namespace of {@code batches}. A kernel without IPv6 policy routing (no {@code
   * IPV6_MULTIPLE_TABLES}) fails {@code ip -6 rule show}: the namespaces of a read ({@code show}
   * lines only, IPv6's {@code rule show}) that failed are read once more without it, and when
   * that works, their IPv6 rules alone; a namespace whose IPv6 rules cannot be read then has
   * them marked unread ({@link #RULES6_UNREAD}), not a failed read.
   */
  Outcome run(Map<String, List<String>> batches) {
    Outcome o = runOnce(batches);
    Map<String, List<String>> again = new LinkedHashMap<>();
    for (String ns : o.failed().keySet()) {
      List<String> lines = batches.get(ns);
      List<String> other = inet6(lines, false);
      if (inet6(lines, true).equals(List.of("rule show")) && shows(other) == other.size()) {
        again.put(ns, other);
      }
    }
    if (again.isEmpty()) {
      return o;
    }
    Outcome without = runOnce(again);
    Map<String, List<String>> rules6 = new LinkedHashMap<>();
    without.out().keySet().forEach(ns -> rules6.put(ns, List.of(INET6 + "rule show")));
    Outcome ipv6 = runOnce(rules6);
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    for (String ns : batches.keySet()) {
      if (o.out().containsKey(ns)) {
        out.put(ns, o.out().get(ns));
      } else if (without.out().containsKey(ns)) {
        out.put(ns, without.out().get(ns) + ipv6.out().getOrDefault(ns, RULES6_UNREAD));
      } else if (o.failed().containsKey(ns)) {
        failed.put(ns, o.failed().get(ns));
      }
    }
    return new Outcome(out, failed);
  }

  private Outcome runOnce(Map<String, List<String>> batches) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    if (batches.isEmpty()) {
      return new Outcome(out, failed);
    }
    Path dir;
    try {
      Files.createDirectories(scratch);
      dir = Files.createTempDirectory(scratch, "batches");
    } catch (java.nio.file.AccessDeniedException e) {
      // (not root: the namespaces could not be entered either)
      throw new RunnerException("cannot read the sandbox's namespaces as this user: netc enters each namespace to read"
          + " it, which needs root (and writes its batch files under " + scratch + ", root's too): run it with sudo");
    } catch (IOException e) {
      throw new RunnerException("cannot write batch files under " + scratch + ": " + e.getMessage());
    }
    try {
      List<String> names = new ArrayList<>(batches.keySet());
      Map<String, Path> files = new LinkedHashMap<>();
      Map<String, Path> files6 = new LinkedHashMap<>();
      Map<List<String>, Path> shared = new LinkedHashMap<>();
      Map<List<String>, Path> shared6 = new LinkedHashMap<>();
      for (String ns : names) {
        KernelNames.checkNetns(ns);
        for (boolean six : List.of(false, true)) {
          List<String> lines = inet6(batches.get(ns), six);
          if (lines.isEmpty()) {
            continue;
          }
          Map<List<String>, Path> sh = six ? shared6 : shared;
          Path f = sh.get(lines);
          if (f == null) {
            // the read alone is named so: a process made only of reads is told by its input
            boolean read = lines.equals(READ) || lines.equals(inet6(READ_RULES, six));
            f = dir.resolve((read ? "read" : String.valueOf(shared.size() + shared6.size())) + (six ? "-6" : "") + ".batch");
            Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
            sh.put(lines, f);
          }
          (six ? files6 : files).put(ns, f);
        }
      }
      int parts = Math.min(PARALLEL, names.size());
      List<List<String>> chunks = new ArrayList<>();
      for (int i = 0; i < parts; i++) {
        chunks.add(names.subList(i * names.size() / parts, (i + 1) * names.size() / parts));
      }
      List<CommandExecutor.Result> results = new ArrayList<>();
      if (parts == 1) {
        results.add(parent(chunks.get(0), files, files6));
      } else {
        ExecutorService pool = Executors.newFixedThreadPool(parts, r -> {
          Thread t = new Thread(r, "netc-batches");
          t.setDaemon(true);
          return t;
        });
        try {
          List<Future<CommandExecutor.Result>> futures = new ArrayList<>();
          for (List<String> c : chunks) {
            futures.add(pool.submit(() -> parent(c, files, files6)));
          }
          for (Future<CommandExecutor.Result> f : futures) {
            results.add(f.get());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new RunnerException("interrupted while running batches");
        } catch (ExecutionException e) {
          throw new RunnerException("batches failed: " + e.getCause());
        } finally {
          pool.shutdownNow();
        }
      }
      for (int i = 0; i < parts; i++) {
        split(chunks.get(i), results.get(i), batches, files, files6, out, failed);
      }
      return new Outcome(out, failed);
    } catch (IOException e) {
      throw new RunnerException("cannot write batch files under " + dir + ": " + e.getMessage());
    } finally {
      try (var l = Files.list(dir)) {
        for (Path p : l.toList()) {
          Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
      } catch (IOException e) {
        // a leftover folder of batch files under the scratch folder, harmless
      }
    }
  }

  /**
   * One parent's children, each namespace's in turn: {@code ip -N -j -d -batch FILE}, then {@code
   * ip -6 ...} of its IPv6 lines' file when it has one ({@code files6}).
   */
  private CommandExecutor.Result parent(List<String> chunk, Map<String, Path> files, Map<String, Path> files6) {
    StringBuilder in = new StringBuilder();
    for (String ns : chunk) {
      if (files.containsKey(ns)) {
        in.append("--net=").append(NETNS_DIR).append(ns).append(" ip -N -j -d -batch ").append(files.get(ns)).append('\n');
      }
      if (files6.containsKey(ns)) {
        in.append("--net=").append(NETNS_DIR).append(ns).append(" ip -6 -N -j -d -batch ").append(files6.get(ns)).append('\n');
      }
    }
    CommandExecutor.Result r = exec.run(List.of("xargs", "-L", "1", "nsenter"), in.toString());
    if (r.exit() != 127 && r.exit() != 126) {
      return r;
    }
    // no nsenter (or xargs): ip forks the children itself, entering each namespace as
    // `ip netns exec` does (which also remounts /sys, several times slower)
    StringBuilder lines = new StringBuilder();
    for (String ns : chunk) {
      if (files.containsKey(ns)) {
        lines.append("netns exec ").append(ns).append(" ip -N -j -d -batch ").append(files.get(ns)).append('\n');
      }
      if (files6.containsKey(ns)) {
        lines.append("netns exec ").append(ns).append(" ip -6 -N -j -d -batch ").append(files6.get(ns)).append('\n');
      }
    }
    return exec.run(List.of("ip", "-force", "-batch", "-"), lines.toString());
  }

  /** Where {@code ip netns} keeps its namespaces. */
  static final String NETNS_DIR = "/run/netns/";
  private static final Pattern NO_NETNS = Pattern.compile("(?:cannot open /run/netns/|Cannot open network namespace \"?)([A-Za-z0-9_.-]+)");
  private static final Pattern FAILED_FILE = Pattern.compile("Command failed (\\S+):\\d+");

  /**
   * Gives each namespace of a chunk its documents: one per {@code show} line of its batch, in
   * order. A child that fails goes on to the next namespace (xargs, {@code ip -force}); stderr
   * names it: nsenter cannot open its namespace, or ip says {@code Command failed FILE:LINE} of
   * a file that is that namespace's alone. Its error is its child's, the line before. When the
   * others' documents do not add up, or a failure names no namespace (or a file several share,
   * whose failed child may have printed part of a document), every namespace of the chunk
   * failed: its output cannot be told apart.
   */
  private static void split(List<String> chunk, CommandExecutor.Result r, Map<String, List<String>> batches,
      Map<String, Path> files, Map<String, Path> files6, Map<String, String> out, Map<String, String> failed) {
    List<String> docs = r.out().lines().filter(l -> !l.isBlank()).toList();
    Map<String, String> bad = new LinkedHashMap<>();
    boolean unknown = false;
    if (!r.ok()) {
      Map<String, String> byFile = new LinkedHashMap<>();
      Map<String, Integer> uses = new LinkedHashMap<>();
      for (Map<String, Path> fs : List.of(files, files6)) {
        chunk.stream().filter(fs::containsKey).forEach(ns -> uses.merge(fs.get(ns).toString(), 1, Integer::sum));
        chunk.stream().filter(fs::containsKey).forEach(ns -> byFile.put(fs.get(ns).toString(), ns));
      }
      List<String> err = r.err().lines().toList();
      for (int i = 0; i < err.size(); i++) {
        Matcher a = NO_NETNS.matcher(err.get(i));
        Matcher b = FAILED_FILE.matcher(err.get(i));
        if (a.find() && chunk.contains(a.group(1))) {
          bad.putIfAbsent(a.group(1), err.get(i).strip());
        } else if (b.find() && uses.getOrDefault(b.group(1), 0) == 1) {
          bad.putIfAbsent(byFile.get(b.group(1)), i > 0 ? err.get(i - 1).strip() : err.get(i).strip());
        } else if (b.find(0)) {
          unknown = true; // (a file several namespaces share: whose child failed is not known)
        }
      }
    }
    List<String> good = chunk.stream().filter(ns -> !bad.containsKey(ns)).toList();
    int expected = good.stream().mapToInt(ns -> shows(batches.get(ns))).sum();
    if (!r.ok() && (bad.isEmpty() || unknown) || docs.size() != expected) {
      String why = r.ok() ? "output out of step (" + docs.size() + " documents, " + expected + " expected)" : r.firstError();
      chunk.forEach(ns -> failed.put(ns, bad.getOrDefault(ns, why)));
      return;
    }
    failed.putAll(bad);
    int at = 0;
    for (String ns : good) {
      int n = shows(batches.get(ns));
      out.put(ns, String.join("\n", docs.subList(at, at + n)) + "\n");
      at += n;
    }
  }

  private static int shows(List<String> lines) {
    return (int) lines.stream().map(l -> l.startsWith(INET6) ? l.substring(INET6.length()) : l)
        .filter(l -> l.split(" ").length > 1 && l.split(" ")[1].equals("show")).count();
  }
}
