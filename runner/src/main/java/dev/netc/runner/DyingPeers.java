package dev.netc.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.ObjectId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Host ends of veths whose peers die with their namespaces. Deleting a link waits for an RCU
 * grace period (about 16 ms, one deletion after the other: 300 host ends take 4.8 s); deleting a
 * namespace does not, and the kernel's namespace cleanup then unregisters the devices of every
 * dying namespace in one batch, each veth pair whole (300 namespaces: 7 ms for {@code netns del},
 * the 300 host ends gone 107 ms later). So deletions leave these host ends to the kernel: they
 * delete the namespaces first, wait until the host ends are gone ({@link #await}: a cheap read
 * of the host namespace every {@link #POLL}, at most {@link #WAIT}) and delete explicitly only
 * those still there (a namespace some process still holds does not die).
 */
final class DyingPeers {
  /** How long deletions wait for the kernel to remove the host ends. */
  static final Duration WAIT = Duration.ofSeconds(10);
  /** How often they look. */
  static final Duration POLL = Duration.ofMillis(20);

  /** Jackson's mapper, made at its first use (only a read through {@code ip -j} needs it). */
  private static final class Mapper {
    static final ObjectMapper JSON = new ObjectMapper();
  }

  private DyingPeers() {}

  /**
   * The links among {@code links} (in namespaces not in {@code dying}) that are veths whose peer
   * lives in a namespace of {@code dying}, with their ifindex. A host end {@code L} pairs with a
   * link {@code M} when {@code M.ifindex == L.peer} and {@code M.peer == L.ifindex}; ifindexes are
   * per namespace, so {@code L} counts only when every link of {@code live} that could be its peer
   * is in a dying namespace (in doubt, it is deleted explicitly).
   */
  static Map<ObjectId, Integer> of(LiveState live, Collection<ObjectId> links, Set<String> dying) {
    Map<Integer, List<Map.Entry<ObjectId, LiveLink>>> byIndex = new HashMap<>();
    live.links().entrySet().forEach(e -> byIndex.computeIfAbsent(e.getValue().ifindex(), k -> new ArrayList<>()).add(e));
    Map<ObjectId, Integer> out = new LinkedHashMap<>();
    for (ObjectId id : links) {
      if (id.kind() != ObjectId.Kind.LINK || dying.contains(id.namespace())) {
        continue;
      }
      LiveLink l = live.link(id).orElse(null);
      if (l == null || !l.kind().equals("veth") || l.peer() < 0) {
        continue;
      }
      List<ObjectId> peers = byIndex.getOrDefault(l.peer(), List.of()).stream()
          .filter(e -> e.getValue().peer() == l.ifindex() && !e.getKey().equals(id))
          .map(Map.Entry::getKey).toList();
      if (!peers.isEmpty() && peers.stream().allMatch(p -> dying.contains(p.namespace()))) {
        out.put(id, l.ifindex());
      }
    }
    return out;
  }

  /**
   * The namespaces of {@code names} (under {@code runNetns}) that a process has as its network
   * namespace ({@code /proc/PID/ns/net} names the same inode): deleting their name does not end
   * them, so the kernel never removes their veths, and waiting for that would only take {@link
   * #WAIT}. Only processes' main threads are looked at; a namespace held otherwise (an open file,
   * another mount) is still waited for. A namespace that cannot be looked at counts as not held.
   */
  static Set<String> heldByProcesses(Path runNetns, Set<String> names) {
    Map<Long, String> byInode = new HashMap<>();
    for (String n : names) {
      try {
        byInode.put((Long) Files.getAttribute(runNetns.resolve(n), "unix:ino"), n);
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
        // gone already, or no inode to compare
      }
    }
    Set<String> held = new java.util.TreeSet<>();
    if (byInode.isEmpty()) {
      return held;
    }
    try (var procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path p : procs) {
        try {
          String link = Files.readSymbolicLink(p.resolve("ns/net")).toString(); // net:[4026532281]
          if (link.startsWith("net:[") && link.endsWith("]")) {
            String n = byInode.get(Long.parseLong(link.substring(5, link.length() - 1)));
            if (n != null) {
              held.add(n);
            }
          }
        } catch (IOException | NumberFormatException e) {
          // a process that ended meanwhile, or one we may not look at
        }
      }
    } catch (IOException e) {
      return held;
    }
    return held;
  }

  /**
   * Waits until the links {@code pending} (by name and ifindex) are gone from their namespaces,
   * looking every {@link #POLL} ({@code ip -j [-n NS] link show type veth}, one process per
   * namespace that still has some); returns those still there after {@code bound} (all of a
   * namespace that cannot be read). With a bound of zero, looks once.
   */
  static Map<ObjectId, Integer> await(CommandExecutor exec, Map<ObjectId, Integer> pending, Duration bound) {
    Map<ObjectId, Integer> left = new LinkedHashMap<>(pending);
    long deadline = System.nanoTime() + bound.toNanos();
    Set<String> unreadable = new java.util.HashSet<>();
    while (true) {
      Set<String> namespaces = new java.util.TreeSet<>();
      left.keySet().forEach(i -> namespaces.add(i.namespace()));
      namespaces.removeAll(unreadable);
      for (String ns : namespaces) {
        Optional<Map<String, Integer>> now = veths(exec, ns);
        if (now.isEmpty()) {
          unreadable.add(ns);
          continue;
        }
        left.entrySet().removeIf(e -> e.getKey().namespace().equals(ns)
            && !e.getValue().equals(now.get().get(e.getKey().name())));
      }
      if (left.keySet().stream().allMatch(i -> unreadable.contains(i.namespace())) || System.nanoTime() >= deadline) {
        return left;
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return left;
      }
    }
  }

  /** The veths of namespace {@code ns} ({@code ""}: the one netc runs in), name to ifindex; empty when they cannot be read. */
  static Optional<Map<String, Integer>> veths(CommandExecutor exec, String ns) {
    return links(exec, ns, List.of("type", "veth"));
  }

  /**
   * The links of namespace {@code ns} ({@code ""}: the one netc runs in) that {@code ip link show}
   * lists with {@code filter} ({@code type veth}; none: every link), name to ifindex; empty when
   * they cannot be read.
   */
  static Optional<Map<String, Integer>> links(CommandExecutor exec, String ns, List<String> filter) {
    List<String> argv = new ArrayList<>(List.of("ip", "-j"));
    if (!ns.isEmpty()) {
      argv.addAll(List.of("-n", KernelNames.checkNetns(ns)));
    }
    argv.addAll(List.of("link", "show"));
    argv.addAll(filter);
    CommandExecutor.Result r = exec.run(argv, "");
    if (!r.ok()) {
      return Optional.empty();
    }
    Map<String, Integer> out = new HashMap<>();
    try {
      JsonNode links = r.out().isBlank() ? Mapper.JSON.createArrayNode() : Mapper.JSON.readTree(r.out());
      if (!links.isArray()) {
        return Optional.empty();
      }
      links.forEach(l -> out.put(l.path("ifname").asText(), l.path("ifindex").asInt()));
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(out);
  }

  /** The {@code link del} lines of {@code links}, by namespace. */
  static Map<String, List<String>> deletions(Collection<ObjectId> links) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    links.forEach(i -> out.computeIfAbsent(i.namespace(), k -> new ArrayList<>())
        .add("link del " + KernelNames.checkIfname(i.name())));
    return out;
  }
}
