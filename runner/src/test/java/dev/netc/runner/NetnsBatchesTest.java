package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batches of many namespaces in a few ip -batch processes, against a scripted ip. */
class NetnsBatchesTest {
  private final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());

  @AfterEach
  void close() throws Exception {
    fs.close();
  }

  private static Map<String, List<String>> reads(String... namespaces) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (String ns : namespaces) {
      m.put(ns, NetnsBatches.READ);
    }
    return m;
  }

  @Test
  void eachNamespaceGetsTheDocumentsItsChildPrintedAndTheFilesGo() {
    // every parent answers four documents per line of its input, naming the namespace
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> {
      StringBuilder out = new StringBuilder();
      in.lines().forEach(l -> {
        String ns = l.split(" ")[0].substring("--net=/run/netns/".length());
        out.append("[\"").append(ns).append(" links\"]\n[]\n[\"").append(ns).append(" addresses\"]\n[]\n");
      });
      return new CommandExecutor.Result(0, out.toString(), "");
    });
    NetnsBatches.Outcome o = new NetnsBatches(exec, fs.getPath("/run/netc")).run(reads("t1", "t1-a", "t1-b", "t1-c", "t1-d"));
    assertEquals(List.of("t1", "t1-a", "t1-b", "t1-c", "t1-d"), List.copyOf(o.out().keySet()));
    assertEquals("[\"t1-c links\"]\n[]\n[\"t1-c addresses\"]\n[]\n", o.out().get("t1-c"));
    assertEquals(Map.of(), o.failed());
    assertEquals(Math.min(5, NetnsBatches.PARALLEL), exec.calls().size());
    for (RecordingExecutor.Call c : exec.calls()) {
      assertEquals(List.of("xargs", "-L", "1", "nsenter"), c.argv());
      assertTrue(c.stdin().lines().allMatch(l -> l.matches("--net=/run/netns/t1(-[a-d])? ip -N -j -d -batch /run/netc/batches\\d+/read\\.batch")),
          c.stdin());
    }
    assertTrue(Files.exists(fs.getPath("/run/netc")));
    assertEquals(0L, exists(), "the batch files are removed");
  }

  private long exists() {
    try (var l = Files.list(fs.getPath("/run/netc"))) {
      return l.count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aChildThatFailsIsNamedAndTheOthersKeepTheirOutput() {
    // xargs goes on after a failed child: t1-b's batch fails at its first line, t1-e is gone
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> {
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      for (String l : in.lines().toList()) {
        String ns = l.split(" ")[0].substring("--net=/run/netns/".length());
        String file = l.substring(l.lastIndexOf(' ') + 1);
        if (ns.equals("t1-b")) {
          err.append("RTNETLINK answers: File exists\nCommand failed ").append(file).append(":1\n");
        } else if (ns.equals("t1-e")) {
          err.append("nsenter: cannot open /run/netns/t1-e: No such file or directory\n");
        } else {
          out.append("[\"").append(ns).append("\"]\n[]\n[]\n");
        }
      }
      return new CommandExecutor.Result(err.length() == 0 ? 0 : 123, out.toString(), err.toString());
    });
    Map<String, List<String>> batches = new LinkedHashMap<>();
    for (String ns : List.of("t1-a", "t1-b", "t1-c", "t1-d", "t1-e", "t1-f")) {
      batches.put(ns, List.of("address add 10.0.0." + ns.charAt(3) + "/24 dev eth0", "link show", "address show",
          "route show table all"));
    }
    NetnsBatches.Outcome o = new NetnsBatches(exec, fs.getPath("/run/netc")).run(batches);
    assertEquals(List.of("t1-a", "t1-c", "t1-d", "t1-f"), List.copyOf(o.out().keySet()));
    assertEquals("[\"t1-d\"]\n[]\n[]\n", o.out().get("t1-d"));
    assertEquals(Map.of("t1-b", "RTNETLINK answers: File exists",
        "t1-e", "nsenter: cannot open /run/netns/t1-e: No such file or directory"), o.failed());
  }

  @Test
  void outputThatDoesNotAddUpFailsTheWholeChunk() {
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> new CommandExecutor.Result(0, "[]\n[]\n", ""));
    NetnsBatches.Outcome o = new NetnsBatches(exec, fs.getPath("/run/netc")).run(reads("t1-a"));
    assertEquals(Map.of(), o.out());
    assertTrue(o.failed().get("t1-a").startsWith("output out of step"), o.toString());
  }

  /**
   * The lines of {@code -6} (the IPv6 rules of {@link NetnsBatches#READ_RULES}) are run by a child
   * of their own, with {@code ip -6}, right after the namespace's other child: its documents
   * follow the others'; a namespace that cannot be entered fails once, and has none.
   */
  @Test
  void theIpv6LinesOfANamespaceAreItsSecondChild() {
    Map<String, List<String>> batches = new LinkedHashMap<>();
    for (String ns : List.of("t1-a", "t1-b", "t1-c")) {
      batches.put(ns, List.of("link show", "rule show", "-6 rule show"));
    }
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> {
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      for (String l : in.lines().toList()) {
        String ns = l.split(" ")[0].substring("--net=/run/netns/".length());
        if (ns.equals("t1-b")) {
          err.append("nsenter: cannot open /run/netns/t1-b: No such file or directory\n");
        } else if (l.contains(" ip -6 -N -j -d -batch ")) {
          out.append("[\"").append(ns).append(" rules6\"]\n");
        } else {
          out.append("[\"").append(ns).append(" links\"]\n[\"").append(ns).append(" rules\"]\n");
        }
      }
      return new CommandExecutor.Result(err.length() == 0 ? 0 : 123, out.toString(), err.toString());
    });
    NetnsBatches.Outcome o = new NetnsBatches(exec, fs.getPath("/run/netc")).run(batches);
    assertEquals("[\"t1-c links\"]\n[\"t1-c rules\"]\n[\"t1-c rules6\"]\n", o.out().get("t1-c"));
    assertEquals(List.of("t1-a", "t1-c"), List.copyOf(o.out().keySet()));
    assertEquals(Map.of("t1-b", "nsenter: cannot open /run/netns/t1-b: No such file or directory"), o.failed());
    String in = exec.calls().stream().map(RecordingExecutor.Call::stdin).reduce("", String::concat);
    assertTrue(in.contains("--net=/run/netns/t1-c ip -N -j -d -batch /run/netc/batches"), in);
    assertTrue(in.matches("(?s).*--net=/run/netns/t1-c ip -N -j -d -batch \\S+/0\\.batch\\n"
        + "--net=/run/netns/t1-c ip -6 -N -j -d -batch \\S+/read-6\\.batch\\n.*"), in);
    assertEquals(List.of("link", "rule"), NetnsBatches.inet6(batches.get("t1-a"), false).stream().map(l -> l.split(" ")[0]).toList());
    assertEquals(List.of("rule show"), NetnsBatches.inet6(batches.get("t1-a"), true));
  }

  /**
   * On a kernel without IPv6 policy routing every {@code ip -6 rule show} fails (after printing
   * the JSON array's start): the namespaces are read again without it, then their IPv6 rules
   * alone, which fail again, and they have them marked unread ({@link NetnsBatches#RULES6_UNREAD},
   * not {@code []}: none, deleted by hand) instead of a failed read; a
   * namespace that cannot be entered still fails (before, every namespace's read failed).
   */
  @Test
  void aKernelWithoutIpv6PolicyRoutingHasNoIpv6RulesNotAFailedRead() {
    Map<String, List<String>> batches = new LinkedHashMap<>();
    for (String ns : List.of("t1-a", "t1-b", "t1-c")) {
      batches.put(ns, List.of("link show", "rule show", "-6 rule show"));
    }
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> {
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      for (String l : in.lines().toList()) {
        String ns = l.split(" ")[0].substring("--net=/run/netns/".length());
        if (ns.equals("t1-b")) {
          err.append("nsenter: cannot open /run/netns/t1-b: No such file or directory\n");
        } else if (l.contains(" ip -6 -N -j -d -batch ")) {
          out.append("[");
          err.append("RTNETLINK answers: Address family not supported by protocol\nDump terminated\nCommand failed ")
              .append(l.substring(l.lastIndexOf(' ') + 1)).append(":1\n");
        } else {
          out.append("[\"").append(ns).append(" links\"]\n[\"").append(ns).append(" rules\"]\n");
        }
      }
      return new CommandExecutor.Result(err.length() == 0 ? 0 : 123, out.toString(), err.toString());
    });
    NetnsBatches.Outcome o = new NetnsBatches(exec, fs.getPath("/run/netc")).run(batches);
    assertEquals(List.of("t1-a", "t1-c"), List.copyOf(o.out().keySet()), o.toString());
    assertEquals("[\"t1-a links\"]\n[\"t1-a rules\"]\n[{\"netc_rules6_unread\":true}]\n", o.out().get("t1-a"));
    assertEquals("[\"t1-c links\"]\n[\"t1-c rules\"]\n[{\"netc_rules6_unread\":true}]\n", o.out().get("t1-c"));
    assertEquals(Map.of("t1-b", "nsenter: cannot open /run/netns/t1-b: No such file or directory"), o.failed());
  }
}
