package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The script of {@code netc emit --backend ip --sandbox S}, run by hand with {@code sh} as its
 * header says: where it cannot go through (the sandbox's namespace missing, an endpoint's
 * namespace there already) it stops before any change, saying why; where it can, it makes the
 * endpoints with their addresses. It once made the endpoints' namespaces and then failed on the
 * missing sandbox, leaving them behind.
 */
@Timeout(60)
class EmitScriptKernelTest {
  private record Ran(int exit, String err) {}

  private static Ran sh(Path script) throws Exception {
    Process p = new ProcessBuilder("sh", script.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return new Ran(p.exitValue(), err);
  }

  private static List<String> namespacesOf(String s) throws Exception {
    return DiffKernelTest.output("ip", "netns", "list").lines().map(l -> l.split(" ", 2)[0])
        .filter(n -> n.equals(s) || n.startsWith(s + "-")).sorted().toList();
  }

  @Test
  void theScriptStopsBeforeAnyChangeWhereItCannotGoThrough(@TempDir Path dir) throws Exception {
    DiffKernelTest.assumeKernel();
    String s = "es" + String.format("%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    // the web shop of examples/ (web, api-1, api-2, db)
    cli.write("web.netc", Files.readString(Path.of("../examples/webshop.netc")));
    CliRunner.Result emitted = cli.run("emit", "--backend", "ip", "--sandbox", s, "web.netc");
    assertEquals(0, emitted.status(), emitted.err());
    Path script = dir.resolve("webshop.sh");
    Files.writeString(script, emitted.out());
    try {
      Ran r = sh(script);
      assertEquals(new Ran(1, "netc script: network namespace " + s + " is not there (the sandbox's own: ip netns add " + s
          + " makes a bare one, netc apply --sandbox " + s + " the whole sandbox with its uplink); nothing changed\n"), r);
      assertEquals(List.of(), namespacesOf(s));

      DiffKernelTest.run("ip", "netns", "add", s);
      DiffKernelTest.run("ip", "netns", "add", s + "-db");
      r = sh(script);
      assertEquals(new Ran(1, "netc script: network namespace " + s + "-db is there already: this script makes it"
          + " (netc apply changes what is there); nothing changed\n"), r);
      assertEquals(List.of(s, s + "-db"), namespacesOf(s));

      DiffKernelTest.run("ip", "netns", "del", s + "-db");
      r = sh(script);
      assertEquals(0, r.exit(), r.err());
      assertEquals(List.of(s, s + "-api-1", s + "-api-2", s + "-db", s + "-web"), namespacesOf(s));
      assertTrue(DiffKernelTest.output("ip", "-n", s + "-web", "-4", "address", "show", "dev", "eth0").contains("inet 10.10.0.10/24"));
      assertTrue(Files.readString(Path.of("/etc/netns/" + s + "-web/hosts")).contains("10.20.0.5\tdb\n"));
    } finally {
      DiffKernelTest.removeSandbox(s);
    }
  }
}
