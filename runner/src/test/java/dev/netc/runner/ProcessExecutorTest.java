package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The process executor: arguments as given (no shell), large input and output, timeouts. */
@Timeout(30)
class ProcessExecutorTest {
  private final ProcessExecutor exec = new ProcessExecutor(Duration.ofSeconds(10));

  @Test
  void argumentsReachTheCommandAsTheyAreWithoutAShell() {
    CommandExecutor.Result r = exec.run(List.of("printf", "%s|", "a b", "$(id)", ";rm"), "");
    assertEquals(0, r.exit());
    assertEquals("a b|$(id)|;rm|", r.out());
  }

  @Test
  void megabytesInAndOutDoNotDeadlock() {
    String big = "x".repeat(2_000_000) + "\n";
    CommandExecutor.Result r = exec.run(List.of("cat"), big);
    assertEquals(big, r.out());
    assertEquals(1, exec.processes());
  }

  @Test
  void aMissingToolIsOneLineThatNamesItsPackage() {
    // run directly: netc's own words
    CommandExecutor.Result r = exec.run(List.of("netc-no-such-tool", "-f", "-"), "");
    assertEquals(127, r.exit());
    assertEquals("cannot run `netc-no-such-tool`: not found on the PATH", r.firstError());
    assertEquals("cannot run `nft`: not found on the PATH; it comes with nftables (apt-get install nftables)",
        CommandExecutor.notFound("nft"));
    // through `ip netns exec`, which says it its own way (as on a machine without nftables)
    CommandExecutor.Result viaIp = new CommandExecutor.Result(255, "", "exec of \"nft\" failed: No such file or directory\n");
    assertEquals("cannot run `nft`: not found on the PATH; it comes with nftables (apt-get install nftables)",
        viaIp.firstError());
    assertEquals("Error: argument \"x\" is wrong", new CommandExecutor.Result(1, "", "Error: argument \"x\" is wrong\n").firstError());
  }

  @Test
  void aBatchErrorNamesTheLineTheBatchStoppedAt() {
    String stdin = "link add pp-eth0 type veth peer name eth0\nlink add link eth0 name eth0.10 type vlan id 10\n";
    CommandExecutor.Result r = new CommandExecutor.Result(1, "", "Error: Unknown device type.\nCommand failed -:2\n");
    assertEquals("Error: Unknown device type. (line 2: `link add link eth0 name eth0.10 type vlan id 10`)", r.firstError(stdin));
    // no line named, or one the input does not have: the first line alone
    assertEquals("Error: Unknown device type.", new CommandExecutor.Result(1, "", "Error: Unknown device type.\n").firstError(stdin));
    assertEquals("Error: Unknown device type.", new CommandExecutor.Result(1, "", "Error: Unknown device type.\nCommand failed -:7\n")
        .firstError(stdin));
  }

  @Test
  void aCommandThatOutlivesItsTimeoutIsKilled() {
    ProcessExecutor quick = new ProcessExecutor(Duration.ofMillis(200));
    CommandExecutor.Result r = quick.run(List.of("sleep", "10"), "");
    assertEquals(-1, r.exit());
    assertTrue(r.err().contains("timed out"), r.err());
  }

  /**
   * Each command in a session of its own: a terminal's Ctrl-C (sent to netc's process group)
   * does not reach it. {@code /proc/self/stat} read by the shell's builtin is the shell's own.
   */
  @Test
  void aCommandRunsInASessionOfItsOwn() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(ProcessExecutor.executable("setsid").isPresent(), "util-linux's setsid is installed");
    CommandExecutor.Result r = exec.run(List.of("sh", "-c", "read -r l < /proc/self/stat; echo \"$l\""), "");
    assertEquals(0, r.exit(), r.err());
    String[] child = r.out().substring(r.out().lastIndexOf(')') + 2).strip().split(" ");
    String self = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
    String[] jvm = self.substring(self.lastIndexOf(')') + 2).strip().split(" ");
    long pid = Long.parseLong(r.out().substring(0, r.out().indexOf(' ')));
    assertEquals(String.valueOf(pid), child[3], "the command leads its session: " + r.out());
    assertTrue(!child[3].equals(jvm[3]) && !child[2].equals(jvm[2]), "not the JVM's session or group: " + r.out());
  }

  @Test
  void aMissingCommandIsAResultNotACrash() {
    CommandExecutor.Result r = exec.run(List.of("netc-no-such-command"), "");
    assertEquals(127, r.exit());
  }
}
