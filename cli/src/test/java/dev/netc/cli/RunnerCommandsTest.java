package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code plan}, {@code apply}, {@code destroy} on the command line, without touching the kernel:
 * the kernel tests are the runner module's.
 */
class RunnerCommandsTest {
  @Test
  void withoutSandboxEachCommandSaysHostModeIsNotSupportedYetInOneLine() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    for (String command : new String[] {"plan", "apply", "destroy"}) {
      CliRunner.Result r = cli.run(command, "web.netc");
      assertEquals(1, r.status(), command);
      assertEquals("", r.out(), command);
      assertEquals("netc: `--sandbox S` is required: host mode (the real host namespace) is not supported yet\n",
          r.err(), command);
    }
  }

  @Test
  void aBadSandboxNameIsRefusedBeforeAnythingIsRead() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result r = cli.run("apply", "web.netc", "--sandbox", "-x;rm");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("netc: invalid `--sandbox`: expected a sandbox name"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void planOfASandboxThatDoesNotExistListsEverythingAsCreated() {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
        || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2 is not installed");
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    // `ip netns list` is all it runs: no namespace of this sandbox exists
    String s = "nc-absent-" + ProcessHandle.current().pid();
    CliRunner.Result r = cli.run("plan", "web.netc", "--sandbox", s, "--detailed-exitcode");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.out().startsWith("+ namespace:(host):" + s + "  (sandbox)\n"), r.out());
    assertTrue(r.out().contains("\n+ link:" + s + ":br-front\n"), r.out());
    assertTrue(r.out().matches("(?s).*\n\nPlan: \\d+ to create, \\d+ to update, 0 to delete\\.\n"), r.out());
    assertEquals(0, cli.run("plan", "web.netc", "--sandbox", s).status());
  }

  @Test
  void helpListsTheRunnerCommands() {
    CliRunner.Result r = new CliRunner().run("--help");
    for (String command : new String[] {"plan", "apply", "destroy"}) {
      assertTrue(r.out().contains("\n  " + command + " "), command + " in " + r.out());
    }
    assertTrue(new CliRunner().run("apply", "--help").out().contains("--lock-timeout"));
  }
}
