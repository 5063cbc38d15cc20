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
    for (String command : new String[] {"plan", "apply", "destroy", "diff", "probe", "verify"}) {
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
  void planFormatsAndDiffOfASandboxThatDoesNotExist() {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
        || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2 is not installed");
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    String s = "nc-absent-" + ProcessHandle.current().pid();
    CliRunner.Result json = cli.run("plan", "web.netc", "--sandbox", s, "--format", "json", "--detailed-exitcode");
    assertEquals(2, json.status(), json.err());
    assertTrue(json.out().startsWith("{\n  \"changes\": [\n    {\n      \"action\": \"create\",\n"
        + "      \"kind\": \"namespace\",\n      \"id\": \"" + s + "\",\n      \"namespace\": \"\",\n"
        + "      \"detail\": {\n        \"note\": \"sandbox\"\n      }\n    },\n"), json.out());
    assertTrue(json.out().matches("(?s).*\n  \"summary\": \\{\n    \"create\": \\d+,\n    \"update\": \\d+,\n"
        + "    \"delete\": 0\n  }\n}\n"), json.out());
    CliRunner.Result md = cli.run("plan", "web.netc", "--sandbox", s, "--format", "markdown");
    assertEquals(0, md.status(), md.err());
    assertTrue(md.out().matches("### netc plan: \\d+ to create, \\d+ to update, 0 to delete\n(?s).*"), md.out());
    assertTrue(md.out().contains("\n<details><summary>+ create: "), md.out());
    assertEquals(md.out(), cli.run("plan", "web.netc", "--sandbox", s, "--format", "markdown").out(), "deterministic");

    CliRunner.Result diff = cli.run("diff", "web.netc", "--sandbox", s);
    assertEquals(2, diff.status(), diff.err());
    assertTrue(diff.out().startsWith("missing     namespace:(host):" + s + "  (sandbox)\n"), diff.out());
    assertTrue(diff.out().matches("(?s).*\n\nDrift: \\d+ missing, \\d+ changed, 0 unexpected \\(sandbox " + s
        + ", topology webshop\\); `netc apply` repairs it\\.\n"), diff.out());
    assertEquals(1, cli.run("diff", "web.netc", "--sandbox", s, "--format", "yaml").status());
  }

  @Test
  void helpListsTheRunnerCommands() {
    CliRunner.Result r = new CliRunner().run("--help");
    for (String command : new String[] {"plan", "apply", "destroy", "diff", "exec", "probe", "verify"}) {
      assertTrue(r.out().contains("\n  " + command + " "), command + " in " + r.out());
    }
    String completion = new CliRunner().run("completion", "bash").out();
    for (String command : new String[] {"exec", "probe", "verify"}) {
      assertTrue(completion.contains(" " + command + " "), command + " completes");
    }
    assertTrue(new CliRunner().run("apply", "--help").out().contains("--lock-timeout"));
  }

  @Test
  void execOfAnUnknownEndpointNamesTheCloseOnesInOneLine() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result r = cli.run("exec", "web.netc", "--sandbox", "nosuch", "ap", "--", "true");
    assertEquals(1, r.status());
    assertEquals("netc: no endpoint `ap` in sandbox nosuch; did you mean `api`?\n", r.err());
    r = cli.run("exec", "web.netc", "--sandbox", "nosuch", "zzzzzzzz", "--", "true");
    assertEquals("netc: no endpoint `zzzzzzzz` in sandbox nosuch; the endpoints are web, api, @host, @outside\n", r.err());
    r = cli.run("exec", "web.netc", "--sandbox", "nosuch", "web");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("netc: Missing required parameter: 'CMD'"), r.err());
  }

  @Test
  void probeAndVerifyRefuseBadPortsAndTimeouts() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    CliRunner.Result r = cli.run("probe", "web.netc", "--sandbox", "nosuch", "--port", "99999");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("netc: expected PORT or PORT/PROTO with one port in 1-65535"), r.err());
    r = cli.run("verify", "web.netc", "--sandbox", "nosuch", "--timeout", "0");
    assertEquals("netc: `--timeout` is in milliseconds, 1 to 60000, got 0\n", r.err());
    r = cli.run("probe", "web.netc", "--sandbox", "nosuch", "--port", "9/sctp");
    assertEquals("netc: probe failed: cannot probe 9/sctp: this kernel has no SCTP sockets (KERNEL.md); probe TCP"
        + " and UDP ports only\n", r.err());
  }
}
