package dev.netc.runner;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Helpers of the kernel tests: root check, unique sandboxes, their removal, commands. */
final class Kernel {
  static final ProcessExecutor EXEC = new ProcessExecutor(Duration.ofSeconds(20));
  private static final SecureRandom RANDOM = new SecureRandom();

  private Kernel() {}

  /**
   * The real kernel through processes only: an executor that does not say it reaches the
   * kernel, so a runner on it reads and configures through {@code ip}, as without root or JNA
   * (a {@link #failingOnce(java.util.function.BiPredicate, boolean)} that fails nothing).
   */
  static CommandExecutor throughProcesses() {
    return failingOnce((argv, stdin) -> false, false);
  }

  /**
   * The real kernel (over netlink too), but the first command that {@code fails} picks fails
   * ("injected failure"); every other runs.
   */
  static CommandExecutor failingOnce(java.util.function.BiPredicate<List<String>, String> fails) {
    return failingOnce(fails, true);
  }

  /**
   * {@link #failingOnce(java.util.function.BiPredicate)}; without {@code netlink}, an executor
   * that does not say it reaches the kernel: the runner reads and configures through {@code ip}
   * processes only, as without root or JNA.
   */
  static CommandExecutor failingOnce(java.util.function.BiPredicate<List<String>, String> fails, boolean netlink) {
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    return new CommandExecutor() {
      @Override
      public Result run(List<String> argv, String stdin) {
        return fails.test(argv, stdin) && once.compareAndSet(false, true)
            ? new Result(1, "", "injected failure") : EXEC.run(argv, stdin);
      }

      @Override
      public int runAttached(List<String> argv) {
        return EXEC.runAttached(argv);
      }

      @Override
      public int processes() {
        return EXEC.processes();
      }

      @Override
      public boolean reachesKernel() {
        return netlink;
      }
    };
  }

  /** Skips the test, saying why, unless running as root with ip, nft and nc. */
  static void assumeKernel() {
    String reason = null;
    if (!"root".equals(System.getProperty("user.name"))) {
      reason = "kernel tests need root";
    } else if (!EXEC.run(List.of("nft", "--version"), "").ok()) {
      reason = "nft is not installed (apt-get install nftables)";
    } else if (!Files.isExecutable(Path.of("/usr/bin/nc")) && !Files.isExecutable(Path.of("/bin/nc"))) {
      reason = "nc is not installed (apt-get install netcat-openbsd)";
    }
    if (reason != null) {
      System.out.println("skipped: " + reason);
    }
    assumeTrue(reason == null, reason);
  }

  /** A sandbox name no other test uses: {@code nt} and 6 hex digits. */
  static String sandboxName() {
    return String.format("nt%06x", RANDOM.nextInt(1 << 24));
  }

  static Path root() {
    return Path.of(System.getProperty("netc.root", "..")).toAbsolutePath().normalize();
  }

  static Topology compile(String example) {
    try {
      CompileResult r = new Compiler().compile(root().resolve(example));
      return r.topology().orElseThrow(() -> new AssertionError("does not compile: " + r.diagnostics()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The topology of {@code text}, written to {@code dir/t.netc}. */
  static Topology compile(Path dir, String text) throws IOException {
    Path file = dir.resolve("t.netc");
    java.nio.file.Files.writeString(file, text);
    CompileResult r = new Compiler().compile(file);
    return r.topology().orElseThrow(() -> new AssertionError("does not compile: " + r.diagnostics()));
  }

  /** Every host of {@code t}, planned for {@code sandbox}. */
  static List<Runner.Target> targets(Topology t, String sandbox) {
    DesiredState s = Planner.plan(t, sandbox).state().orElseThrow();
    return s.hosts().stream().map(h -> Targets.of(t, s, h)).toList();
  }

  /** The topology of {@code text}, written to {@code dir/NAME}, planned for {@code sandbox}. */
  static Runner.Target target(Path dir, String name, String text, String sandbox) throws IOException {
    Path file = dir.resolve(name);
    java.nio.file.Files.writeString(file, text);
    CompileResult r = new Compiler().compile(file);
    return target(r.topology().orElseThrow(() -> new AssertionError("does not compile: " + r.diagnostics())), sandbox);
  }

  /**
   * A topology {@code name} of containers {@code c1} ... {@code cN} on one bridge network {@code
   * net} ({@code 10.66.0.0/22}, {@code fd66::/64}), written to {@code dir/NAME.netc}, planned for
   * {@code sandbox}.
   */
  static Runner.Target containers(Path dir, String name, int n, String sandbox) throws IOException {
    StringBuilder src = new StringBuilder("topology " + name + "\n\nnetwork net {\n  subnet 10.66.0.0/22\n  subnet fd66::/64\n}\n");
    java.util.stream.IntStream.rangeClosed(1, n).forEach(i -> src.append("\ncontainer c").append(i).append(" {\n  attach net\n}\n"));
    return target(dir, name + ".netc", src.toString(), sandbox);
  }

  static Runner.Target target(Topology t, String sandbox) {
    DesiredState s = Planner.plan(t, sandbox).state().orElseThrow();
    return Targets.of(t, s, s.hosts().get(0));
  }

  /** Removes every namespace {@code S} and {@code S-*}, their /etc/netns folders and records. */
  static void removeSandbox(String s, Path stateDir) {
    List<String> del = new ArrayList<>();
    for (String n : namespacesOf(s)) {
      del.add("netns del " + n);
    }
    if (!del.isEmpty()) {
      EXEC.run(List.of("ip", "-force", "-batch", "-"), String.join("\n", del) + "\n");
    }
    try (Stream<Path> dirs = Files.list(Runner.ETC_NETNS)) {
      for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(s + "-")).toList()) {
        try (Stream<Path> walk = Files.walk(d)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    } catch (IOException e) {
      // no /etc/netns at all
    }
    try (Stream<Path> files = Files.list(stateDir)) {
      for (Path p : files.filter(p -> p.getFileName().toString().startsWith(s + ".")).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // nothing recorded
    }
  }

  /**
   * The namespaces of sandbox {@code s}: {@code S} and {@code S-*}, as {@code ip netns list}
   * names them (a {@link RunnerException} when it fails: never an empty set for no answer).
   */
  static java.util.Set<String> namespacesOf(String s) {
    return new LiveReader(EXEC, Runner.ETC_NETNS).namespaces().stream().filter(n -> n.equals(s) || n.startsWith(s + "-"))
        .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
  }

  static CommandExecutor.Result run(String... argv) {
    return EXEC.run(List.of(argv), "");
  }

  /** Whether a TCP connection from namespace {@code from} to {@code addr:port} succeeds (1 s). */
  static boolean connects(String from, String addr, int port) {
    return run("ip", "netns", "exec", from, "nc", "-z", "-w", "1", addr, Integer.toString(port)).ok();
  }

  /**
   * Whether a connection succeeds within {@code seconds}, trying again after each failure (a busy
   * machine; an {@code S} made before its links skipped duplicate address detection, whose
   * tentative link-local addresses held forwarded IPv6 up for about a second).
   */
  static boolean connectsWithin(String from, String addr, int port, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (true) {
      if (connects(from, addr, port)) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(200);
    }
  }

  /** Starts a TCP listener in {@code ns} on {@code port}; the caller destroys it. */
  /**
   * Stops listeners of {@link #listen} and waits until they are gone (up to 5 s each), so that a
   * probe right after finds the port free (a destroy alone only sends the signal).
   */
  static void stop(List<Process> listeners) {
    listeners.forEach(Process::destroy);
    for (Process p : listeners) {
      try {
        if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static void stop(Process... listeners) {
    stop(List.of(listeners));
  }

  static Process listen(String ns, int port) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("timeout", "30", "ip", "netns", "exec", ns, "nc", "-k", "-l", Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 50; i++) {
      if (run("ip", "netns", "exec", ns, "ss", "-Hltn", "sport = :" + port).out().contains(":" + port)) {
        return p;
      }
      Thread.sleep(20);
    }
    p.destroyForcibly();
    throw new AssertionError("no listener on " + ns + ":" + port);
  }
}
