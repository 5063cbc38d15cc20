package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.lock.LockWriter;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.ipam.Lock;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Topology;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * IPAM keeps every address it handed out once a lock file records it: a container added in the
 * middle of a topology, or one removed, moves no other address. Also checks that the lock
 * file round-trips through its writer and reader.
 */
class IpamStabilityTest {
  private static Map<String, List<IpAddress>> addresses(Topology t) {
    Map<String, List<IpAddress>> out = new HashMap<>();
    for (Endpoint e : t.endpoints()) {
      for (Attachment a : e.attachments()) {
        out.put(e.name() + "@" + a.network(), a.addresses());
      }
    }
    return out;
  }

  private static CompileResult compile(FileSystem fs, String text, boolean locked) throws IOException {
    Path p = fs.getPath("/t/topo.netc");
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return new Compiler(Set.of(), locked).compile(p);
  }

  /** Inserts a new container attached to every network before the first container. */
  private static String insertContainer(String text, Topology t) {
    StringBuilder c = new StringBuilder("container zz-inserted {\n");
    if (t.hosts().size() > 1) {
      c.append("  on ").append(t.hosts().get(0).name()).append('\n');
    }
    t.networks().stream().filter(n -> !n.implicit()).forEach(n -> c.append("  attach ").append(n.name()).append('\n'));
    c.append("}\n\n");
    int at = text.indexOf("\ncontainer ");
    return at < 0 ? text + "\n" + c : text.substring(0, at + 1) + c + text.substring(at + 1);
  }

  @TestFactory
  Stream<DynamicTest> addingAContainerInTheMiddleMovesNoAddress() throws IOException {
    return GoldenTest.cases().stream()
        .filter(c -> c.name().startsWith("examples/") && !c.name().equals("examples/split"))
        .filter(c -> c.rootFile().endsWith(".netc")) // the test inserts .netc source
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
          String text = Files.readString(c.inputDir().resolve(c.rootFile()));
          try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            CompileResult first = compile(fs, text, false);
            Topology t = first.topology().orElseThrow();
            Files.writeString(first.lock().get().path(),
                LockWriter.write(t.name(), first.lock().get().after()));
            CompileResult again = compile(fs, text, true);
            assertTrue(again.diagnostics().stream().noneMatch(d -> d.code() == Code.NETC231),
                "the lock read back equals the lock written: " + again.diagnostics());
            CompileResult grown = compile(fs, insertContainer(text, t), false);
            Map<String, List<IpAddress>> before = addresses(t);
            assertTrue(grown.topology().isPresent(), grown.diagnostics().toString());
            Map<String, List<IpAddress>> after = addresses(grown.topology().get());
            before.forEach((k, v) -> assertEquals(v, after.get(k), "address of " + k + " moved"));
            assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("zz-inserted@")));
          }
        }));
  }

  @Test
  void removingAContainerMovesNoOtherAddress() throws IOException {
    String text = "network n { subnet 10.0.0.0/24 }\ncontainer a { attach n }\n"
        + "container b { attach n }\ncontainer c { attach n }\n";
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      CompileResult first = compile(fs, text, false);
      Lock lock = first.lock().get().after();
      Files.writeString(first.lock().get().path(), LockWriter.write("t", lock));
      CompileResult shrunk = compile(fs, text.replace("container b { attach n }\n", ""), false);
      Map<String, List<IpAddress>> after = addresses(shrunk.topology().orElseThrow());
      assertEquals(List.of(IpAddress.parse("10.0.0.2").get()), after.get("a@n"));
      assertEquals(List.of(IpAddress.parse("10.0.0.4").get()), after.get("c@n"));
      assertTrue(shrunk.lock().get().changed());
      assertFalse(shrunk.lock().get().after().addresses().get("n").containsKey("b"));
    }
  }

  @Test
  void aCorruptLockFileIsAPositionedDiagnostic() throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
      Files.createDirectories(fs.getPath("/t"));
      Files.writeString(fs.getPath("/t/topo.lock"), "version: 1\naddresses:\n  n:\n    a: [\"10.0.0.999\"]\n  m: [oops\n");
      CompileResult r = compile(fs, "network n { subnet 10.0.0.0/24 }\ncontainer a { attach n }\n", false);
      assertTrue(r.diagnostics().stream().anyMatch(d -> d.code() == Code.NETC230
          && d.span().file().path().equals("/t/topo.lock") && d.span().line() >= 4), r.diagnostics().toString());
      Files.writeString(fs.getPath("/t/topo.lock"), "version: 1\naddresses:\n  n:\n    a: [\"10.0.0.999\"]\n");
      r = compile(fs, "network n { subnet 10.0.0.0/24 }\ncontainer a { attach n }\n", false);
      var d = r.diagnostics().stream().filter(x -> x.code() == Code.NETC230).findFirst().orElseThrow();
      assertEquals(4, d.span().line());
      assertEquals(9, d.span().column());
      assertEquals("expected an IP address, got `10.0.0.999`", d.message());
    }
  }
}
