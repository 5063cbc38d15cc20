package dev.netc.runner.netlink;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.jna.LastErrorException;
import dev.netc.backends.plan.Sysctl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads and configures many network namespaces inside the JVM, without a process per namespace:
 * a few threads of their own each enter one namespace after the other ({@code setns(2)} on
 * {@code /run/netns/NAME}) and hold netlink conversations there: dumps of links, addresses and
 * routes ({@link RouteDump}), the requests of an endpoint's batch ({@link IpLines}), the nftables
 * chains and rules ({@link NftDump}), a VXLAN device's forwarding entries ({@link FdbDump}), the
 * IPsec states and policies ({@link XfrmDump});
 * {@code /proc/sys/net} read by such a thread shows that
 * namespace's values. The threads end with the work, so no other thread of the JVM ever changes
 * namespace. Needs {@code CAP_SYS_ADMIN} (root) and the C library through JNA ({@link #usable}).
 */
public final class NetlinkNamespaces {
  /** How many reads of its own namespace {@link #warmUp} makes. */
  private static final int WARM_UP_ROUNDS = 50;
  /** How many threads read side by side. */
  static final int THREADS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private final Path runNetns;

  public NetlinkNamespaces(Path runNetns) {
    this.runNetns = runNetns;
  }

  /** What was read in one namespace: the five documents of {@link RouteDump#read} and the sysctls asked for. */
  public record Read(List<JsonNode> documents, Map<String, String> sysctls) {}

  /** What a read of many namespaces gave: by namespace, and the namespaces that could not be read, with why. */
  public record Outcome(Map<String, Read> read, Map<String, String> failed) {}

  /**
   * Whether this process runs as root, which reading other namespaces so needs. (Whether the C
   * library binds is known at the first call: without it, every read fails and the caller reads
   * with processes.)
   */
  public static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * Whether the C library is bound (JNA loads its native part from a temporary folder, which a
   * {@code noexec} mount refuses): without it, every read and request goes through processes.
   */
  public static boolean usable() {
    try {
      return LibC.available();
    } catch (LinkageError e) {
      return false;
    }
  }

  /**
   * Starts a daemon thread that binds the C library and reads this process's own namespace a
   * few dozen times (the results are dropped), so that the classes and code of a read are loaded
   * and compiled before the read that counts.
   */
  public static void warmUp() {
    Thread t = new Thread(() -> {
      try {
        if (LibC.available()) {
          // enough rounds for the JIT to compile the read (a few ms here)
          for (int i = 0; i < WARM_UP_ROUNDS; i++) {
            RouteDump.read();
          }
        }
      } catch (IOException | RuntimeException | LinkageError e) {
        // the real read meets the same problem and reports it or falls back
      }
    }, "netc-netlink-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /** The names under {@code /run/netns} (what {@code ip netns list} prints), sorted. */
  public Set<String> namespaces() throws IOException {
    Set<String> out = new TreeSet<>();
    try (DirectoryStream<Path> d = Files.newDirectoryStream(runNetns)) {
      for (Path p : d) {
        out.add(p.getFileName().toString());
      }
    } catch (NoSuchFileException e) {
      // no namespace was ever named on this machine
    }
    return out;
  }

  /**
   * Reads each namespace of {@code sysctlKeys} (its keys: {@code net.ipv4.ip_forward} ...; a key
   * the namespace does not have is absent from its read); {@code ""} is the namespace of the JVM.
   */
  public Outcome read(Map<String, List<String>> sysctlKeys) {
    Map<String, Read> read = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    List<String> names = new ArrayList<>(sysctlKeys.keySet());
    if (names.remove("")) {
      // the JVM's own namespace: read by this thread, which never leaves it
      try {
        read.put("", readOne("", sysctlKeys.get("")));
      } catch (IOException | RuntimeException e) {
        failed.put("", e.getMessage() == null ? e.toString() : e.getMessage());
      }
    }
    Outcome o = each(names, ns -> readOne(ns, sysctlKeys.get(ns)));
    read.putAll(o.read());
    failed.putAll(o.failed());
    return new Outcome(read, failed);
  }

  /**
   * In each namespace of {@code batches}, sends its lines as rtnetlink requests ({@link
   * IpLines}), stopping at the first the kernel refuses, then reads the namespace as {@link
   * #read} does. A namespace whose lines failed is in {@code failed}, with the kernel's reason and
   * the line.
   */
  public Outcome configure(Map<String, IpLines> batches) {
    return configure(batches, Map.of(), Map.of());
  }

  /**
   * As above; before its lines, each namespace's sysctls of {@code writes} are written (an
   * interface's IPv6 switch, while it is down), and its read has the sysctls of {@code keys}.
   */
  public Outcome configure(Map<String, IpLines> batches, Map<String, Map<String, String>> writes,
      Map<String, List<String>> keys) {
    return each(new ArrayList<>(batches.keySet()), ns -> {
      enter(ns);
      try (NetlinkSocket sock = NetlinkSocket.open()) {
        for (Map.Entry<String, String> w : writes.getOrDefault(ns, Map.of()).entrySet()) {
          write(w.getKey(), w.getValue());
        }
        Optional<IpLines.Failure> f = batches.get(ns).run(sock);
        if (f.isPresent()) {
          throw new IOException(f.get().error() + " (line " + f.get().line() + ": " + f.get().text() + ")");
        }
        List<JsonNode> docs = RouteDump.read(sock);
        return new Read(docs, sysctls(keys.getOrDefault(ns, List.of()), docs));
      }
    });
  }

  /**
   * Sets a sysctl of the calling thread's namespace with three system calls (open, write,
   * close): {@code Files.writeString} cost 140-200 µs a call here, while the JVM is cold.
   */
  private static void write(String key, String value) throws IOException {
    int fd;
    try {
      fd = LibC.open(Sysctl.path(key), 1); // O_WRONLY
    } catch (LastErrorException e) {
      if (e.getErrorCode() == 2 && key.endsWith(".disable_ipv6") && value.equals("1")) {
        return; // ENOENT: a kernel without IPv6 (ipv6.disable=1): the interface has none already
      }
      throw new IOException("cannot set " + key + "=" + value + ": " + LibC.strerror(e.getErrorCode()));
    }
    try {
      byte[] b = value.getBytes(StandardCharsets.US_ASCII);
      LibC.write(fd, b, b.length);
    } catch (LastErrorException e) {
      throw new IOException("cannot set " + key + "=" + value + ": " + LibC.strerror(e.getErrorCode()));
    } finally {
      LibC.close(fd);
    }
  }

  /**
   * The values of {@code keys} in the calling thread's namespace; a key it does not have is
   * absent. A link's IPv6 settings ({@code net.ipv6.conf.DEV.disable_ipv6}, {@code accept_ra}, {@code accept_dad}, {@code addr_gen_mode}) come from the
   * link dump just read ({@code docs}, {@link RouteDump#IPV6_CONF}), not from {@code /proc/sys}: opening that
   * costs some 40 µs in a namespace the thread has just entered.
   */
  private static Map<String, String> sysctls(List<String> keys, List<JsonNode> docs) throws IOException {
    Map<String, String> sysctls = new LinkedHashMap<>();
    Map<String, JsonNode> ipv6 = new java.util.HashMap<>();
    for (JsonNode l : docs.get(0)) {
      if (l.has(RouteDump.IPV6_CONF)) {
        ipv6.put(l.path("ifname").asText(), l.get(RouteDump.IPV6_CONF));
      }
    }
    for (String k : keys) {
      Optional<Sysctl.InterfaceSetting> is = Sysctl.interfaceSetting(k).filter(i -> ipv6.containsKey(i.device()));
      if (is.isPresent()) {
        // a setting the kernel's dump does not carry (older than the setting) is not read
        if (ipv6.get(is.get().device()).has(is.get().setting())) {
          sysctls.put(k, ipv6.get(is.get().device()).path(is.get().setting()).asText());
        }
        continue;
      }
      try {
        sysctls.put(k, ProcFiles.read(Path.of(Sysctl.path(k))).strip());
      } catch (NoSuchFileException e) {
        // a key this kernel or namespace does not have (br_netfilter not loaded ...)
      }
    }
    return sysctls;
  }

  /**
   * The rules of table {@code FAMILY NAME} in namespace {@code ns} ({@code ""}: the JVM's): number
   * and digest; and up to {@code maxElements} of its elements (none when negative).
   */
  public NftDump.Rules rules(String ns, List<String> families, String table, int maxElements) throws IOException {
    return in(ns, () -> NftDump.rules(families, table, maxElements));
  }

  /** The tables of namespace {@code ns} that have a chain, and its generation ({@link NftDump#chains}). */
  public NftDump.Chains chains(String ns) throws IOException {
    return in(ns, NftDump::chains);
  }

  /** The comments of the tables of namespace {@code ns}, by {@code FAMILY NAME} ({@link NftDump#tableComments}). */
  public Map<String, String> tableComments(String ns) throws IOException {
    return in(ns, NftDump::tableComments);
  }

  /** The base chains of namespace {@code ns} ({@link NftDump#baseChains}). */
  public List<NftDump.BaseChain> baseChains(String ns) throws IOException {
    return in(ns, NftDump::baseChains);
  }

  /**
   * The generation of namespace {@code ns}, then the rules of table {@code FAMILY NAME} there, in
   * that order in one thread: the rules are those of that generation or a later one, never older.
   */
  public NftDump.Witness witness(String ns, List<String> families, String table, int maxElements) throws IOException {
    return in(ns, () -> {
      Optional<NftDump.Generation> g = NftDump.generation();
      return new NftDump.Witness(g, NftDump.rules(families, table, maxElements));
    });
  }

  /**
   * Up to {@code max} elements of table {@code FAMILY NAME} in namespace {@code ns} ({@link
   * NftDump#elements}), while its ruleset is generation {@code generation} ({@code ID COOKIE},
   * {@link NftDump.Generation#text}) before and after the read; empty when it is not.
   */
  public Optional<NftDump.Elements> elements(String ns, List<String> families, String table, int max, String generation)
      throws IOException {
    return in(ns, () -> {
      if (!NftDump.generation().map(NftDump.Generation::text).equals(Optional.of(generation))) {
        return Optional.empty();
      }
      NftDump.Elements e = NftDump.elements(families, table, max);
      return NftDump.generation().map(NftDump.Generation::text).equals(Optional.of(generation)) ? Optional.of(e) : Optional.empty();
    });
  }

  /** The elements of set {@code set} of table {@code FAMILY table} in namespace {@code ns} ({@link NftDump#setElements}). */
  public Optional<List<NftDump.SetElement>> setElements(String ns, String family, String table, String set, int max)
      throws IOException {
    return in(ns, () -> NftDump.setElements(family, table, set, max));
  }

  /**
   * The forwarding entries with a remote of the device of index {@code ifindex} in namespace
   * {@code ns} ({@code ""}: the JVM's), as {@code bridge fdb show dev} lists them ({@link FdbDump}).
   */
  public List<FdbDump.Entry> fdb(String ns, int ifindex) throws IOException {
    return in(ns, () -> FdbDump.read(ifindex));
  }

  /** The IPsec states and policies of namespace {@code ns} ({@code ""}: the JVM's), as {@code ip xfrm} lists them ({@link XfrmDump}). */
  public XfrmDump.Objects xfrm(String ns) throws IOException {
    return in(ns, XfrmDump::read);
  }

  /** {@code IFA_F_TENTATIVE}: an IPv6 address not yet usable. */
  private static final int IFA_F_TENTATIVE = 0x40;
  /** {@code IFA_F_DADFAILED}: an address whose duplicate address detection failed, tentative for good. */
  private static final int IFA_F_DADFAILED = 0x08;

  /**
   * Whether an IPv6 address of one of the links {@code devices} of namespace {@code ns} is
   * tentative ({@link #tentativeHere}), read by a thread in it.
   */
  public boolean tentative(String ns, java.util.Set<String> devices) throws IOException {
    return in(ns, () -> tentativeHere(devices::contains));
  }

  /**
   * Whether an IPv6 address of the calling thread's namespace, on a link whose name {@code
   * devices} accepts, is tentative: in duplicate address detection, or on a link without carrier
   * yet (a bridge gets its carrier from its ports' through the kernel's link watch, which batches
   * such events up to a second); not one whose detection failed, which stays so. Read from
   * {@code /proc/thread-self/net/if_inet6} (no process); false without IPv6.
   */
  public static boolean tentativeHere(java.util.function.Predicate<String> devices) throws IOException {
    Path file = Path.of("/proc/thread-self/net/if_inet6");
    if (!Files.isReadable(file)) {
      return false;
    }
    for (String line : Files.readAllLines(file)) {
      // address, index, prefix length, scope, flags, device
      String[] f = line.trim().split("\\s+");
      if (f.length >= 6 && devices.test(f[5])) {
        int flags = Integer.parseInt(f[4], 16);
        if ((flags & IFA_F_TENTATIVE) != 0 && (flags & IFA_F_DADFAILED) == 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** What is done in one namespace. */
  @FunctionalInterface
  private interface InNamespace<T> {
    T call() throws IOException;
  }

  /** Does {@code work} in namespace {@code ns}: on this thread for {@code ""}, else on a thread of its own that enters it and ends. */
  private <T> T in(String ns, InNamespace<T> work) throws IOException {
    if (ns.isEmpty()) {
      return work.call();
    }
    java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        enter(ns);
        result.complete(work.call());
      } catch (IOException | RuntimeException e) {
        result.completeExceptionally(e);
      }
    }, "netc-netlink");
    t.setDaemon(true);
    t.start();
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted in namespace " + ns);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
    }
  }

  /** What one namespace's work gives, in a thread that enters it. */
  @FunctionalInterface
  private interface Work {
    Read run(String ns) throws IOException;
  }

  /**
   * Runs {@code work} for each of {@code names} on a few threads of their own, which end
   * afterwards (they are left in other namespaces).
   */
  private Outcome each(List<String> names, Work work) {
    Map<String, Read> read = new ConcurrentHashMap<>();
    Map<String, String> failed = new ConcurrentHashMap<>();
    if (names.isEmpty()) {
      return new Outcome(Map.of(), Map.of());
    }
    int threads = Math.min(THREADS, names.size());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "netc-netlink");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        List<String> part = names.subList(i * names.size() / threads, (i + 1) * names.size() / threads);
        futures.add(pool.submit(() -> {
          for (String ns : part) {
            try {
              read.put(ns, work.run(ns));
            } catch (IOException | RuntimeException e) {
              failed.put(ns, e.getMessage() == null ? e.toString() : e.getMessage());
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      names.stream().filter(n -> !read.containsKey(n)).forEach(n -> failed.putIfAbsent(n, "interrupted"));
    } catch (ExecutionException e) {
      names.stream().filter(n -> !read.containsKey(n)).forEach(n -> failed.putIfAbsent(n, String.valueOf(e.getCause())));
    } finally {
      // the threads are in other namespaces: they end here, never reused; and before this
      // returns, so that no request of theirs is still on its way when a rollback starts
      pool.shutdownNow();
      try {
        if (!pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS)) {
          names.stream().filter(n -> !read.containsKey(n)).forEach(n -> failed.putIfAbsent(n, "still running after 60 s"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Map<String, Read> ordered = new LinkedHashMap<>();
    names.stream().filter(read::containsKey).forEach(n -> ordered.put(n, read.get(n)));
    Map<String, String> failedOrdered = new LinkedHashMap<>();
    names.stream().filter(failed::containsKey).forEach(n -> failedOrdered.put(n, failed.get(n)));
    return new Outcome(ordered, failedOrdered);
  }

  /** Enters {@code ns} (the calling thread stays there) and reads it. */
  private Read readOne(String ns, List<String> keys) throws IOException {
    if (!ns.isEmpty()) {
      enter(ns);
    }
    List<JsonNode> docs = RouteDump.read();
    return new Read(docs, sysctls(keys, docs));
  }

  private void enter(String ns) throws IOException {
    if (ns.contains("/") || ns.startsWith(".")) {
      throw new IllegalArgumentException("not a namespace name: `" + ns + "`");
    }
    LibC.check();
    int fd;
    try {
      fd = LibC.open(runNetns.resolve(ns).toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new IOException(e.getErrorCode() == 2 ? "namespace " + ns + " does not exist"
          : "cannot open " + runNetns.resolve(ns) + ": " + LibC.describe(e));
    }
    try {
      LibC.setns(fd, LibC.CLONE_NEWNET);
    } catch (LastErrorException e) {
      throw new IOException("cannot enter namespace " + ns + ": " + LibC.describe(e));
    } finally {
      try {
        LibC.close(fd);
      } catch (LastErrorException e) {
        // entered or not, the file is not used again
      }
    }
  }
}
