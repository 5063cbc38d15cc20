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
    // every parent answers three documents per line of its input, naming the namespace
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> {
      StringBuilder out = new StringBuilder();
      in.lines().forEach(l -> {
        String ns = l.split(" ")[2];
        out.append("[\"").append(ns).append(" links\"]\n[\"").append(ns).append(" addresses\"]\n[]\n");
      });
      return new CommandExecutor.Result(0, out.toString(), "");
    });
    NetnsBatches.Outcome o = new NetnsBatches(exec, fs.getPath("/run/netc")).run(reads("t1", "t1-a", "t1-b", "t1-c", "t1-d"));
    assertEquals(List.of("t1", "t1-a", "t1-b", "t1-c", "t1-d"), List.copyOf(o.out().keySet()));
    assertEquals("[\"t1-c links\"]\n[\"t1-c addresses\"]\n[]\n", o.out().get("t1-c"));
    assertEquals(Map.of(), o.failed());
    assertEquals(Math.min(5, NetnsBatches.PARALLEL), exec.calls().size());
    for (RecordingExecutor.Call c : exec.calls()) {
      assertEquals(List.of("ip", "-batch", "-"), c.argv());
      assertTrue(c.stdin().lines().allMatch(l -> l.matches("netns exec t1(-[a-d])? ip -j -batch /run/netc/batches\\d+/read\\.batch")),
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
  void aParentThatStopsNamesTheNamespaceThatFailedAndThoseNotRun() {
    // the second line of every parent fails: its child printed nothing
    RecordingExecutor exec = new RecordingExecutor((argv, in) -> {
      List<String> lines = in.lines().toList();
      String ns = lines.get(0).split(" ")[2];
      if (lines.size() == 1) {
        return new CommandExecutor.Result(0, "[]\n[]\n[]\n", "");
      }
      return new CommandExecutor.Result(1, "[\"" + ns + "\"]\n[]\n[]\n",
          "RTNETLINK answers: File exists\nCommand failed /run/netc/x/0.batch:1\nCommand failed -:2\n");
    });
    Map<String, List<String>> batches = new LinkedHashMap<>();
    for (String ns : List.of("t1-a", "t1-b", "t1-c", "t1-d", "t1-e", "t1-f")) {
      batches.put(ns, List.of("address add 10.0.0.2/24 dev eth0", "link show", "address show", "route show table all"));
    }
    NetnsBatches.Outcome o = new NetnsBatches(exec, fs.getPath("/run/netc")).run(batches);
    if (NetnsBatches.PARALLEL == 1) {
      assertEquals(List.of("t1-a"), List.copyOf(o.out().keySet()));
      assertEquals("RTNETLINK answers: File exists", o.failed().get("t1-b"));
      assertEquals("not run: RTNETLINK answers: File exists", o.failed().get("t1-c"));
    } else {
      assertTrue(o.out().containsKey("t1-a") && o.failed().containsKey("t1-b"), o.toString());
      assertEquals(6, o.out().size() + o.failed().size());
      assertTrue(o.failed().values().stream().allMatch(e -> e.endsWith("RTNETLINK answers: File exists")), o.toString());
    }
  }
}
