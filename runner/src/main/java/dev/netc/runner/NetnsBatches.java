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

/**
 * Runs one {@code ip -batch} in each of many namespaces with few processes: the lines of each
 * namespace go to a file, and one {@code ip -batch -} process runs {@code netns exec NS ip -j
 * -batch FILE} for each namespace in turn (ip forks the child itself, which is far cheaper than
 * a process started from the JVM). The namespaces are split into a few such processes that run
 * side by side. Each child's JSON output (its {@code show} lines) comes back in order, so a
 * namespace's documents are those its child printed.
 *
 * <p>Without {@code -force}, a parent stops at the first child that fails: the namespaces before
 * it have their output, the failed one and those after it have none ({@link Outcome#failed}).
 */
final class NetnsBatches {
  /** The read of one namespace: links with aliases, addresses, routes of every table. */
  static final List<String> READ = List.of("link show", "address show", "route show table all");
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

  /** Runs {@code lines} (without {@code ip}) in each namespace of {@code batches}. */
  Outcome run(Map<String, List<String>> batches) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    if (batches.isEmpty()) {
      return new Outcome(out, failed);
    }
    Path dir;
    try {
      Files.createDirectories(scratch);
      dir = Files.createTempDirectory(scratch, "batches");
    } catch (IOException e) {
      throw new RunnerException("cannot write batch files under " + scratch + ": " + e.getMessage());
    }
    try {
      List<String> names = new ArrayList<>(batches.keySet());
      Map<String, Path> files = new LinkedHashMap<>();
      Map<List<String>, Path> shared = new LinkedHashMap<>();
      for (String ns : names) {
        KernelNames.checkNetns(ns);
        List<String> lines = batches.get(ns);
        Path f = shared.get(lines);
        if (f == null) {
          // the read alone is named so: a process made only of reads is told by its input
          f = dir.resolve(lines.equals(READ) ? "read.batch" : shared.size() + ".batch");
          Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
          shared.put(lines, f);
        }
        files.put(ns, f);
      }
      int parts = Math.min(PARALLEL, names.size());
      List<List<String>> chunks = new ArrayList<>();
      for (int i = 0; i < parts; i++) {
        chunks.add(names.subList(i * names.size() / parts, (i + 1) * names.size() / parts));
      }
      List<CommandExecutor.Result> results = new ArrayList<>();
      if (parts == 1) {
        results.add(parent(chunks.get(0), files));
      } else {
        ExecutorService pool = Executors.newFixedThreadPool(parts, r -> {
          Thread t = new Thread(r, "netc-batches");
          t.setDaemon(true);
          return t;
        });
        try {
          List<Future<CommandExecutor.Result>> futures = new ArrayList<>();
          for (List<String> c : chunks) {
            futures.add(pool.submit(() -> parent(c, files)));
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
        split(chunks.get(i), results.get(i), batches, out, failed);
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

  private CommandExecutor.Result parent(List<String> chunk, Map<String, Path> files) {
    StringBuilder in = new StringBuilder();
    for (String ns : chunk) {
      in.append("netns exec ").append(ns).append(" ip -j -batch ").append(files.get(ns)).append('\n');
    }
    return exec.run(List.of("ip", "-batch", "-"), in.toString());
  }

  private static final java.util.regex.Pattern FAILED_LINE = java.util.regex.Pattern.compile("Command failed -:(\\d+)");

  /**
   * Gives each namespace of a chunk its documents: one per {@code show} line of its batch, in
   * order. When the parent failed, it says at which line ({@code Command failed -:K}): the
   * namespaces before it succeeded, that one failed with the parent's first error, and the rest
   * did not run.
   */
  private static void split(List<String> chunk, CommandExecutor.Result r, Map<String, List<String>> batches,
      Map<String, String> out, Map<String, String> failed) {
    List<String> docs = r.out().lines().filter(l -> !l.isBlank()).toList();
    int failedAt = chunk.size();
    if (!r.ok()) {
      java.util.regex.Matcher m = FAILED_LINE.matcher(r.err());
      failedAt = m.find() ? Math.min(chunk.size(), Integer.parseInt(m.group(1)) - 1) : 0;
    }
    int at = 0;
    for (int i = 0; i < chunk.size(); i++) {
      String ns = chunk.get(i);
      int n = (int) batches.get(ns).stream().filter(l -> l.split(" ").length > 1 && l.split(" ")[1].equals("show")).count();
      if (i >= failedAt || at + n > docs.size()) {
        failed.put(ns, i == failedAt ? r.firstError() : "not run: " + r.firstError());
        continue;
      }
      out.put(ns, String.join("\n", docs.subList(at, at + n)) + "\n");
      at += n;
    }
  }
}
