package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (what `kill`, a CI runner that cancels a job, or systemd sends; Ctrl-C's SIGINT is
 * handled the same) while {@code netc} runs as a process group of its own (under {@code
 * setsid}), sent to the whole group as a terminal sends a Ctrl-C: an apply makes no further
 * change, rolls back and exits 143, and the sandbox is as before (here: not there at all); an
 * apply waiting for another's lock gives up the same way; a destroy goes on to its end. The
 * commands netc runs have sessions of their own, so the signal does not kill the batch running
 * at that moment. The signal is sent when {@code -v} shows the command at a known step, so that
 * it always lands in the middle.
 */
@Timeout(120)
class InterruptKernelTest {
  /** 200 containers on one bridge: the apply goes on for several hundred milliseconds after the sandbox is made. */
  private static String topology(String name) {
    StringBuilder b = new StringBuilder("topology " + name + "\n\nnetwork net {\n  subnet 10.77.0.0/16\n}\n");
    for (int i = 1; i <= 200; i++) {
      b.append("\ncontainer c").append(i).append(" {\n  attach net\n  expose 8080/tcp\n}\n");
    }
    return b.toString();
  }

  private record Run(int exit, List<String> err, String out) {}

  /**
   * Runs netc with {@code args} as the leader of a process group of its own; sends SIGTERM to
   * the group once a line of its stderr passes {@code when}.
   */
  private static Run netc(Path dir, Predicate<String> when, String... args) throws Exception {
    return netc(dir, when, p -> DiffKernelTest.run("kill", "-TERM", "--", "-" + p.pid()), args);
  }

  /** The same, doing {@code then} with the process once a line of its stderr passes {@code when}. */
  private static Run netc(Path dir, Predicate<String> when, java.util.function.Consumer<Process> then, String... args)
      throws Exception {
    List<String> argv = new ArrayList<>(List.of("setsid", ProcessHandle.current().info().command().orElse("java"),
        // (JNA is told the library folders, so it spawns no `ldconfig -p`: the command of `netc
        // exec` is then the JVM's first process, and a signal could come before netc was ready
        // for it, which once left the command running: ProcessExecutor.runAttached)
        "-XX:TieredStopAtLevel=1", "-Djna.platform.library.path=/usr/lib/x86_64-linux-gnu:/lib/x86_64-linux-gnu:/usr/lib:/lib", "-cp", System.getProperty("java.class.path"), "dev.netc.cli.Main"));
    argv.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectOutput(out.toFile()).start();
    List<String> err = new ArrayList<>();
    CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        boolean sent = false;
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (err) {
            err.add(line);
          }
          if (!sent && when.test(line)) {
            sent = true;
            // (setsid exec'd java: its pid leads the group)
            then.accept(p);
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertTrue(p.waitFor(90, TimeUnit.SECONDS), "netc ended");
    reading.get(10, TimeUnit.SECONDS);
    return new Run(p.exitValue(), err, Files.readString(out));
  }

  /** SIGKILL to netc's JVM alone, as the OOM killer sends it. */
  private static final java.util.function.Consumer<Process> KILL = p -> DiffKernelTest.run("kill", "-KILL", String.valueOf(p.pid()));

  /**
   * Skips without root, ip, nft or setsid; writes the topology to {@code dir/t.netc}; returns a
   * fresh sandbox name starting with {@code prefix}.
   */
  private static String prepare(Path dir, String prefix) throws IOException {
    DiffKernelTest.assumeKernel();
    assumeTrue(DiffKernelTest.run("setsid", "true") == 0, "setsid (util-linux) is installed");
    Files.writeString(dir.resolve("t.netc"), topology("intr"));
    return prefix + String.format("%06x", new SecureRandom().nextInt(1 << 24));
  }

  /**
   * Waits (at most 20 s) until no process names sandbox {@code s} on its command line: the
   * batch or {@code nft -f} a killed netc had started runs on to its end (a session of its own),
   * as it would on a user's machine while they type the next command.
   */
  private static void awaitNoCommandOf(String s) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      boolean any;
      try (var procs = Files.list(Path.of("/proc"))) {
        any = procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
          try {
            return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(s);
          } catch (IOException e) {
            return false; // ended meanwhile
          }
        });
      }
      if (!any) {
        return;
      }
      Thread.sleep(50);
    }
  }

  /** No namespace of sandbox {@code s} and no folder of its under /etc/netns. */
  private static void assertNothingLeft(String s) throws Exception {
    assertEquals(List.of(), namespacesOf(s));
    try (var etc = Files.list(Path.of("/etc/netns"))) {
      assertEquals(List.of(), etc.filter(p -> p.getFileName().toString().startsWith(s + "-")).toList());
    } catch (java.nio.file.NoSuchFileException e) {
      // no /etc/netns at all: nothing of the sandbox either
    }
  }

  /**
   * The endpoint namespaces of sandbox {@code s}, sorted, whose loopback has no alias, or
   * ({@code half}) whose loopback has one while another of their links has none.
   */
  private static List<String> halfMarked(String s, boolean half) throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<String> out = new java.util.ArrayList<>();
    for (String ns : namespacesOf(s)) {
      if (ns.equals(s) || ns.equals(s + "-outside")) {
        continue;
      }
      boolean lo = false;
      boolean other = true;
      for (com.fasterxml.jackson.databind.JsonNode l : json.readTree(DiffKernelTest.output("ip", "-j", "-n", ns, "link", "show"))) {
        boolean marked = !l.path("ifalias").asText("").isEmpty();
        if (l.path("ifname").asText().equals("lo")) {
          lo = marked;
        } else {
          other &= marked;
        }
      }
      if (!lo || half && !other) {
        out.add(ns);
      }
    }
    return out.stream().sorted().toList();
  }

  private static List<String> namespacesOf(String s) throws Exception {
    return DiffKernelTest.output("ip", "netns", "list").lines().map(l -> l.split(" ", 2)[0])
        .filter(n -> n.equals(s) || n.startsWith(s + "-")).toList();
  }

  @Test
  void aSignalDuringApplyRollsItBackAndExits143(@TempDir Path dir) throws Exception {
    // A process that netc starts at the very moment of the signal is still in netc's process
    // group until setsid(1) takes it out, and is killed with netc: the apply still rolls back,
    // but the process's exit is then the signal's. Such a meeting is rare (2 runs of 10 here
    // with the signal as S-outside's requests end, where the table's `nft -f` starts), so the
    // scenario runs again, in a new sandbox, up to three times; a batch that the signal kills
    // while it runs (no session of its own) would be killed every time.
    List<String> met = new java.util.ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      String s = prepare(dir, "ni");
      try {
        // the sandbox's namespaces are made (the last of its steps: S-outside's requests): the
        // table's `nft -f` and the host's batches for 200 containers start
        Run r = netc(dir, l -> l.endsWith("netlink requests in " + s + "-outside"), "apply", "-v", "t.netc", "--sandbox", s);
        String text = String.join("\n", r.err());
        System.out.println("interrupted apply: " + r.err().stream().filter(l -> !l.matches("^[+~-] .*")).toList());
        assertEquals(143, r.exit(), text);
        assertTrue(r.err().contains("netc: interrupted: no further change; rolling back what this apply made (SIGTERM again to"
            + " quit at once)"), text);
        assertEquals("netc: apply failed: interrupted; rolled back, sandbox " + s + " is as before", r.err().get(r.err().size() - 1));
        assertNothingLeft(s);
        List<String> killed = r.err().stream().filter(l -> l.contains("(exit ")).toList();
        if (killed.isEmpty()) {
          return;
        }
        met.addAll(killed);
      } finally {
        DiffKernelTest.removeSandbox(s);
      }
    }
    throw new AssertionError("a batch was killed by the signal in each of 3 runs: " + met);
  }

  /**
   * The signal during the read-back that follows the apply's last change: the apply is not done
   * until the kernel reads back as desired, so it rolls back (143) as before any other step;
   * should the signal come once the read-back is through, netc says the apply is done and it ends
   * as applied (0). Either way what netc says is what happens: it once said it was rolling back,
   * then printed `Applied` and exited 0.
   */
  @Test
  void aSignalDuringTheReadBackRollsBackOrSaysTheApplyIsDone(@TempDir Path dir) throws Exception {
    String s = prepare(dir, "nr");
    try {
      // (the chains are read in the read-back only: the apply made the sandbox and its table)
      Run r = netc(dir, l -> l.contains("netlink: the nftables chains of " + s + ","), "apply", "-v", "t.netc", "--sandbox", s);
      String text = String.join("\n", r.err());
      System.out.println("apply interrupted in its read-back: exit " + r.exit() + ", "
          + r.err().stream().filter(l -> l.contains("interrupted") || l.contains("failed")).toList());
      boolean rollingBack = r.err().contains("netc: interrupted: no further change; rolling back what this apply made"
          + " (SIGTERM again to quit at once)");
      boolean done = r.err().contains("netc: interrupted, but the apply is done (every change made and read back): it ends"
          + " as applied (SIGTERM again to quit at once)");
      assertTrue(rollingBack != done, "netc says one thing of the signal: " + text);
      if (rollingBack) {
        assertEquals(143, r.exit(), text);
        assertEquals("netc: apply failed: interrupted; rolled back, sandbox " + s + " is as before", r.err().get(r.err().size() - 1));
        assertNothingLeft(s);
      } else {
        assertEquals(0, r.exit(), text);
        assertTrue(r.out().startsWith("Applied intr in sandbox " + s + ": "), r.out());
        assertEquals(202, namespacesOf(s).size(), "S, S-outside and the 200 containers' namespaces are there");
      }
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /**
   * The signal once the apply has ended, while netc prints its report and exits: the apply is
   * done and stays so, and netc exits 0 with its report (it once ended then with 143 and no
   * report, the JVM's own handler back in place).
   */
  @Test
  void aSignalAfterTheApplyEndedLeavesItsResult(@TempDir Path dir) throws Exception {
    String s = prepare(dir, "na");
    try {
      // the report's change lines (printed once the apply ended: `-v`), some 70 KB: while the
      // signal is sent and for a moment after, stderr is not read, so netc waits on the pipe in
      // the middle of its report, as a terminal that scrolls slowly would hold it
      Run r = netc(dir, l -> l.startsWith("+ "), p -> {
        DiffKernelTest.run("kill", "-TERM", "--", "-" + p.pid());
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "apply", "-v", "t.netc", "--sandbox", s);
      String text = String.join("\n", r.err());
      assertEquals(0, r.exit(), text);
      assertTrue(r.err().contains("netc: interrupted as the command ended: its result stands (SIGTERM again to quit at once)"),
          text);
      assertTrue(r.out().startsWith("Applied intr in sandbox " + s + ": "), r.out() + text);
      assertEquals(202, namespacesOf(s).size(), "S, S-outside and the 200 containers' namespaces are there");
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /** The signal once the destroy's first batch has run: it goes on, and nothing is left. */
  @Test
  void aSignalDuringDestroyLetsItEnd(@TempDir Path dir) throws Exception {
    String s = prepare(dir, "nd");
    try {
      assertEquals(0, netc(dir, l -> false, "apply", "-q", "t.netc", "--sandbox", s).exit());
      Run r = netc(dir, l -> l.startsWith("netc: ") && l.contains(" ms: "), "destroy", "-v", "t.netc", "--sandbox", s);
      String text = String.join("\n", r.err());
      System.out.println("interrupted destroy: " + r.err().stream().filter(l -> !l.matches("^[+~-] .*")).toList());
      assertEquals(0, r.exit(), text);
      assertTrue(r.err().contains("netc: interrupted: the destroy goes on to its end, so that nothing is left half removed"
          + " (SIGTERM again to quit at once)"), text);
      assertNothingLeft(s);
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /**
   * SIGTERM to netc alone while {@code netc exec} runs a command (a CI job's timeout, {@code
   * timeout N netc exec ...}): the command gets SIGTERM too and ends, instead of running on,
   * orphaned, in the namespace. SIGINT to netc is the command's to take: netc waits for it.
   */
  @Test
  void aSignalDuringExecEndsTheCommandCtrlCIsTheCommands(@TempDir Path dir) throws Exception {
    DiffKernelTest.assumeKernel();
    assumeTrue(DiffKernelTest.run("setsid", "true") == 0, "setsid (util-linux) is installed");
    Files.writeString(dir.resolve("e.netc"), "topology intre\n\nnetwork net\n\ncontainer c1 {\n  attach net\n}\n");
    String s = "ne" + String.format("%06x", new SecureRandom().nextInt(1 << 24));
    String marker = "4" + String.format("%06d", new SecureRandom().nextInt(1_000_000)); // a sleep no one else runs
    try {
      assertEquals(0, netc(dir, l -> false, "apply", "-q", "e.netc", "--sandbox", s).exit());
      // a command that is not there: 127, as a shell says it, in netc's words
      Run missing = netc(dir, l -> false, "exec", "e.netc", "--sandbox", s, "c1", "--", "/nonexistent-netc-command");
      assertEquals(127, missing.exit(), String.join("\n", missing.err()));
      assertEquals(List.of("netc: exec: `/nonexistent-netc-command`: no such command (or not executable)"), missing.err());
      Run r = netc(dir, l -> l.equals("started"), p -> DiffKernelTest.run("kill", "-TERM", String.valueOf(p.pid())),
          "exec", "e.netc", "--sandbox", s, "c1", "--", "sh", "-c", "sleep " + marker + " & echo started >&2; wait");
      assertEquals(143, r.exit(), String.join("\n", r.err()));
      // the shell's child too, not only the shell
      awaitNoCommandOf("sleep " + marker);
      assertEquals(List.of(), commandsOf("sleep " + marker));
      // a child that ignores SIGTERM, of a shell that ends at once: killed after its 5 s
      String deaf = "5" + marker.substring(1);
      r = netc(dir, l -> l.equals("started"), p -> DiffKernelTest.run("kill", "-TERM", String.valueOf(p.pid())),
          "exec", "e.netc", "--sandbox", s, "c1", "--", "sh", "-c",
          "(trap '' TERM; exec sleep " + deaf + ") & echo started >&2; wait");
      assertEquals(143, r.exit(), String.join("\n", r.err()));
      awaitNoCommandOf("sleep " + deaf);
      assertEquals(List.of(), commandsOf("sleep " + deaf));
      // SIGINT (a Ctrl-C reaches the command itself, which decides): netc waits on, and exits
      // with the command's own status
      r = netc(dir, l -> l.equals("started"), p -> DiffKernelTest.run("kill", "-INT", String.valueOf(p.pid())),
          "exec", "e.netc", "--sandbox", s, "c1", "--", "sh", "-c", "echo started >&2; sleep 1; echo done >&2; exit 7");
      assertEquals(7, r.exit(), String.join("\n", r.err()));
      assertTrue(r.err().contains("done"), String.join("\n", r.err()));
      // a Ctrl-C as a terminal sends it, to the whole group: the command gets it with its default
      // (not ignored, as netc's own SIGINT is not passed on as ignored), ends, and netc exits 130
      long start = System.nanoTime();
      r = netc(dir, l -> l.equals("started"), p -> DiffKernelTest.run("kill", "-INT", "--", "-" + p.pid()),
          "exec", "e.netc", "--sandbox", s, "c1", "--", "sh", "-c", "echo started >&2; exec sleep " + marker);
      assertEquals(130, r.exit(), String.join("\n", r.err()));
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "the sleep ended at the Ctrl-C");
      assertEquals(List.of(), commandsOf("sleep " + marker));
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }

  /** The command lines that contain {@code text}. */
  private static List<String> commandsOf(String text) throws IOException {
    try (var procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().matches("\\d+")).map(p -> {
        try {
          return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
          return ""; // ended meanwhile
        }
      }).filter(c -> c.contains(text)).toList();
    }
  }

  /**
   * SIGKILL (the OOM killer, `kill -9`: nothing of netc runs after it) once the bridge and the
   * veths are made, their namespaces not marked yet: the next apply (of a plan saved meanwhile,
   * which lists the host ends as to be made: they go with the namespaces) deletes them and
   * applies; killed again once only the namespaces are made, destroy removes everything.
   */
  @Test
  void aKilledApplyIsFinishedByTheNextApplyOrDestroy(@TempDir Path dir) throws Exception {
    String s = prepare(dir, "nk");
    Path journal = Path.of("/run/netc", s + ".intr.unfinished");
    // the `ip -batch -` after the first (S and S-outside) make the endpoints' namespaces, a few
    // side by side: the kill comes once all have ended (a batch goes on after netc's kill, in a
    // session of its own)
    int[] seen = new int[1];
    Predicate<String> madeThem = l -> l.endsWith(" ms: ip -batch -") && ++seen[0] == 1 + dev.netc.runner.Runner.namespaceBatches(200);
    // the second `ip -n S -batch -` makes the bridge and the veths (the first, the uplink): their
    // host ends in S are marked, the namespaces they lead to are not
    int[] inS = new int[1];
    Predicate<String> madePorts = l -> l.endsWith(" ms: ip -n " + s + " -batch -") && ++inS[0] == 2;
    try {
      Run killed = netc(dir, madePorts, KILL, "apply", "-v", "t.netc", "--sandbox", s);
      assertEquals(137, killed.exit(), String.join("\n", killed.err()));
      awaitNoCommandOf(s);
      assertEquals(202, namespacesOf(s).size(), "S, S-outside and the 200 endpoints' namespaces");
      assertTrue(Files.readAllLines(journal).contains(s + "-c1"), "the journal names them");
      // not marked yet: all, unless the kill landed after the endpoints' configuration began (a
      // loaded machine), which marks each namespace's loopback, then its other links. One cut
      // between the two is made by hand: the namespace is unfinished as well
      List<String> unmarked = halfMarked(s, false);
      assertTrue(unmarked.size() > 100, "the kill came before most endpoints were configured: " + unmarked.size());
      String cut = unmarked.get(unmarked.size() - 1);
      assertEquals(0, DiffKernelTest.run("ip", "-n", cut, "link", "set", "lo", "alias", "netc:intr:namespace:" + cut.substring(s.length() + 1)));
      List<String> unfinished = halfMarked(s, true);
      assertEquals(unmarked, unfinished);
      String first = String.join(", ", unfinished.subList(0, 3));
      // a saved plan made now applies: it lists the namespaces as to be made, and says they go first
      Run plan = netc(dir, l -> false, "plan", "t.netc", "--sandbox", s, "--out", "saved.json");
      assertTrue(plan.out().contains("an earlier apply of intr did not end (killed?): apply deletes the " + unfinished.size()
          + " namespaces it had made and not yet marked first (" + first + ", ...), then makes them as listed"),
          plan.out() + String.join("\n", plan.err()));

      Run next = netc(dir, l -> false, "apply", "saved.json");
      String text = String.join("\n", next.err());
      assertEquals(0, next.exit(), text);
      assertTrue(next.err().contains("netc: an earlier apply of intr did not end (killed?): deleted the " + unfinished.size()
          + " namespaces it had made and not yet marked (" + first + ", ...), then applied as usual"), text);
      assertEquals(0, netc(dir, l -> false, "plan", "t.netc", "--sandbox", s, "--detailed-exitcode").exit(), "in sync");
      assertTrue(!Files.exists(journal), "the journal is gone with the apply");
      assertEquals(0, netc(dir, l -> false, "destroy", "-q", "t.netc", "--sandbox", s).exit());

      seen[0] = 0;
      assertEquals(137, netc(dir, madeThem, KILL, "apply", "-v", "t.netc", "--sandbox", s).exit());
      awaitNoCommandOf(s);
      assertEquals(0, netc(dir, l -> false, "destroy", "-q", "t.netc", "--sandbox", s).exit());
      assertNothingLeft(s);
      assertTrue(!Files.exists(journal));
    } finally {
      Files.deleteIfExists(journal);
      DiffKernelTest.removeSandbox(s);
    }
  }

  @Test
  void aSignalWhileWaitingForTheLockGivesUp(@TempDir Path dir) throws Exception {
    String s = prepare(dir, "nl");
    Path lockFile = Path.of("/run/netc", s + ".lock");
    Files.createDirectories(lockFile.getParent());
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {
      Run r = netc(dir, l -> l.contains("waiting for the lock of sandbox " + s), "apply", "-v", "t.netc", "--sandbox", s);
      String text = String.join("\n", r.err());
      assertEquals(143, r.exit(), text);
      assertEquals("netc: apply failed: interrupted while waiting for the lock of sandbox " + s, r.err().get(r.err().size() - 1));
      assertEquals(List.of(), namespacesOf(s));
    } finally {
      Files.deleteIfExists(lockFile);
      DiffKernelTest.removeSandbox(s);
    }
  }
}
