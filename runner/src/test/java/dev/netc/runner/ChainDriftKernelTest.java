package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A base chain's policy changed by hand changes no rule, yet drops what the topology admits: the
 * table's record holds a digest of its chains' shape (hook, priority, policy, type), so that it
 * is drift, named in nft's words, and apply replaces the table. A record written by a netc
 * without that digest is no drift.
 */
class ChainDriftKernelTest extends SandboxTest {
  private static final String ACCEPT = "type filter hook prerouting priority filter; policy accept;";
  private static final String DROP = "type filter hook prerouting priority filter; policy drop;";

  @Test
  void aPolicyChangedByHandIsDriftThatApplyRepairs() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    assertTrue(runner.plan(t).empty(), () -> runner.plan(t).text());
    Process api = Kernel.listen(s + "-api-1", 3000);
    try {
      assertTrue(Kernel.connectsWithin(s + "-web", "10.20.0.3", 3000, 5), "web -> api-1:3000");

      assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "chain", "bridge", "netc_webshop", "prerouting",
          "{ policy drop ; }").ok());
      assertFalse(Kernel.connects(s + "-web", "10.20.0.3", 3000), "the bridge drops web -> api-1:3000");
      assertFalse(runner.drift(t).inSync());
      assertEquals(List.of("~ table:" + s + ":inet netc_webshop  (chains edited since apply: chain prerouting (bridge): `"
          + DROP + "` added, `" + ACCEPT + "` deleted; replaced atomically)"),
          runner.plan(t).changes().stream().map(Change::line).toList());

      runner.apply(t);
      assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "list", "chain", "bridge", "netc_webshop", "prerouting").out()
          .contains(ACCEPT));
      assertTrue(runner.apply(t).plan().empty(), "a second apply: no changes");
      assertTrue(Kernel.connectsWithin(s + "-web", "10.20.0.3", 3000, 5), "web -> api-1:3000 again");
    } finally {
      Kernel.stop(api);
    }
  }

  @Test
  void aRecordWithoutTheChainsIsNoDrift() throws Exception {
    Runner.Target t = Kernel.target(Kernel.compile("examples/webshop.netc"), s);
    runner.apply(t);
    Path record = stateDir.resolve(s + ".webshop.nft.sha256");
    String text = Files.readString(record);
    assertTrue(text.matches("(?s).*\nrules \\d+ sha256=[0-9a-f]{64} chains=[0-9a-f]{64} elements .*"), text);
    // as a netc before the chains' digest wrote it
    Files.writeString(record, text.replaceAll(" chains=[0-9a-f]{64}", ""));
    // another table: a new generation, so the rules are read and compared with the record
    assertTrue(Kernel.run("ip", "netns", "exec", s, "nft", "add", "table", "inet", "someone_else").ok());
    assertTrue(runner.drift(t).inSync(), () -> runner.plan(t).text());
    assertTrue(runner.apply(t).plan().empty());
  }
}
