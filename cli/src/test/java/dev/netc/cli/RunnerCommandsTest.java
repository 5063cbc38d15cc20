package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code plan}, {@code apply}, {@code destroy} on the command line, without touching the kernel:
 * the kernel tests are the runner module's.
 */
class RunnerCommandsTest {
  @Test
  void withoutSandboxPlanAndDiffReadTheHostAndChangeNothing() {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
        || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2 is not installed");
    // a topology name no machine has: nothing of it exists on this host (only plan and diff run:
    // they read, never change; apply in host mode is the kernel test's, in a namespace of its own)
    String topology = "hp" + Long.toString(ProcessHandle.current().pid(), 36);
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP.replace("topology webshop", "topology " + topology));
    CliRunner.Result r = cli.run("plan", "web.netc", "--detailed-exitcode");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.out().startsWith("+ namespace:(host):netc-" + topology + "-web\n"), r.out());
    assertTrue(r.out().contains("\n+ link:(host):br-front\n"), r.out());
    assertTrue(r.out().contains("\n+ table:(host):inet netc_" + topology + "\n"), r.out());
    assertTrue(r.out().matches("(?s).*\n(Note: the nftables tables of the host cannot be read without root: the table is"
        + " planned as if it were not there\n)?Plan: 27 to create, \\d+ to update, 0 to replace, 0 to delete\\.\n"), r.out());
    assertEquals("", r.err());
    assertEquals(0, cli.run("plan", "web.netc").status());
    r = cli.run("diff", "web.netc");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.out().matches("(?s).*\nDrift: 27 missing, \\d+ changed, 0 unexpected \\(the host, topology " + topology
        + "\\); `netc apply` repairs it\\.\n"), r.out());
  }

  @Test
  void probeVerifyAndExecNeedASandbox() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    for (String command : new String[] {"probe", "verify", "exec"}) {
      CliRunner.Result r = command.equals("exec") ? cli.run(command, "web.netc", "web", "--", "true")
          : cli.run(command, "web.netc");
      assertEquals(1, r.status(), command);
      assertEquals("", r.out(), command);
      assertEquals("netc: `--sandbox S` is required: `netc " + command + "` runs only in a sandbox"
          + (command.equals("exec") ? " (in host mode an endpoint's namespace is netc-TOPOLOGY-ENDPOINT: `ip netns exec` it)"
              : " (host mode has no outside namespace to probe from)") + "\n", r.err(), command);
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
    // it only lists the namespaces (over netlink as root, else `ip netns list`): none of this sandbox exists
    String s = "nc-absent-" + ProcessHandle.current().pid();
    CliRunner.Result r = cli.run("plan", "web.netc", "--sandbox", s, "--detailed-exitcode");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.out().startsWith("+ namespace:(host):" + s + "  (sandbox)\n"), r.out());
    assertTrue(r.out().contains("\n+ link:" + s + ":br-front\n"), r.out());
    assertTrue(r.out().matches("(?s).*\n\nPlan: \\d+ to create, \\d+ to update, 0 to replace, 0 to delete\\.\n"), r.out());
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
        + "    \"replace\": 0,\n    \"delete\": 0\n  }\n}\n"), json.out());
    CliRunner.Result md = cli.run("plan", "web.netc", "--sandbox", s, "--format", "markdown");
    assertEquals(0, md.status(), md.err());
    assertTrue(md.out().matches("### netc plan: \\d+ to create, \\d+ to update, 0 to replace, 0 to delete\n(?s).*"), md.out());
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
  void planOutSavesAPlanThatApplyRecognisesAndChecksBeforeReadingTheKernel() {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
        || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2 is not installed");
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    String s = "nc-absent-" + ProcessHandle.current().pid();
    CliRunner.Result r = cli.run("plan", "web.netc", "--sandbox", s, "--out", "plans/web.json", "-q");
    assertEquals(1, r.status(), "no folder plans/");
    assertTrue(r.err().startsWith("netc: cannot write `plans/web.json`: "), r.err());
    r = cli.run("plan", "web.netc", "--sandbox", s, "--out", "web.plan", "-q");
    assertEquals(0, r.status(), r.err());
    assertEquals("Plan: 32 to create, 0 to update, 0 to replace, 0 to delete.\n", r.out());
    assertEquals("Saved the plan to web.plan: `netc apply web.plan` makes exactly these changes.\n", r.err());
    String saved = cli.read("web.plan");
    assertTrue(saved.startsWith("{\n  \"netcPlan\": 1,\n  \"netcVersion\": \"" + Netc.version() + "\",\n"), saved);

    // refused before any lock or kernel read: another sandbox, another version, a hand-edited desired state
    r = cli.run("apply", "web.plan", "--sandbox", "elsewhere");
    assertEquals(1, r.status());
    assertEquals("netc: `web.plan` is a plan for sandbox " + s + ", not sandbox elsewhere; run netc plan again\n", r.err());
    cli.write("old.plan", saved.replace("\"netcVersion\": \"" + Netc.version() + "\"", "\"netcVersion\": \"0.0.1\""));
    r = cli.run("apply", "old.plan");
    assertEquals(1, r.status());
    assertEquals("netc: cannot apply `old.plan`: saved plan made by netc 0.0.1, this is netc " + Netc.version()
        + "; run netc plan again\n", r.err());
    String edited = saved.replace("10.10.0.10/24", "10.10.0.99/24");
    assertTrue(!edited.equals(saved), "the edit must change the plan, else this test would apply it");
    cli.write("edited.plan", edited);
    r = cli.run("apply", "edited.plan");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("netc: cannot apply `edited.plan`: the saved plan's desired state does not match"),
        r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    // a damaged plan is named as one, not parsed as .netc source
    cli.write("cut.plan", saved.substring(0, saved.length() / 2));
    r = cli.run("apply", "cut.plan");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("netc: cannot apply `cut.plan`: not a saved plan: "), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    cli.write("bare.plan", "{\"netcPlan\": 1}");
    r = cli.run("apply", "bare.plan");
    assertEquals("netc: cannot apply `bare.plan`: not a saved plan: no `netcVersion`\n", r.err());
  }

  @Test
  void applyAndDestroyCountTheirProcessesInEnglish() {
    assertEquals("0 processes", ApplyCommand.processes(0));
    assertEquals("1 process", ApplyCommand.processes(1));
    assertEquals("5 processes", ApplyCommand.processes(5));
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
  void applyAndDestroyRefuseANegativeLockTimeoutBeforeAnyChange() {
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    for (String cmd : List.of("apply", "destroy")) {
      CliRunner.Result r = cli.run(cmd, "web.netc", "--sandbox", "nosuch", "--lock-timeout", "-5");
      assertEquals(1, r.status(), r.err());
      assertEquals("netc: `--lock-timeout` is in seconds, 0 to 86400, got -5\n", r.err());
    }
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

  /** Whether {@code ip} is installed: the commands below read the namespaces, and change nothing. */
  private static void assumeIp() {
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))
        || Files.isExecutable(Path.of("/usr/bin/ip")), "iproute2 is not installed");
  }

  @Test
  void aFailureOfTheRunnerIsOneLineAfterWhatFailedWithExitStatus1() {
    assumeIp();
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    String s = "nc-absent-" + ProcessHandle.current().pid();
    // exec: the runner finds no namespace of the endpoint (`ip netns list` is all it runs)
    CliRunner.Result r = cli.run("exec", "web.netc", "--sandbox", s, "web", "--", "true");
    assertEquals(new CliRunner.Result(1, "", "netc: exec failed: namespace " + s + "-web does not exist: is topology"
        + " webshop applied in sandbox " + s + "? (`netc apply`)\n"), r);
    // plan: the runner's message alone, as diff's (refused before anything is read)
    cli.write("two.netc", """
        host h1 { underlay 192.168.56.11 }
        host h2 { underlay 192.168.56.12 }
        network apps { subnet 10.30.0.0/24 }
        container web {
          on h1
          attach apps
        }
        container api {
          on h2
          attach apps
        }
        """);
    r = cli.run("plan", "two.netc", "--sandbox", s, "--out", "two.plan");
    assertEquals(new CliRunner.Result(1, "", "netc: saved plans cover topologies of one host only, and two has 2:"
        + " plan and apply it from its file (`netc apply FILE`)\n"), r);
    assertTrue(!Files.exists(cli.fs.getPath("two.plan")), "no plan saved");
  }

  @Test
  void applyAndDestroyOfALockedSandboxGiveUpInOneLine() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "the lock files in /run/netc need root");
    CliRunner cli = new CliRunner();
    cli.write("web.netc", Topologies.WEBSHOP);
    String s = "nc-locked-" + ProcessHandle.current().pid();
    Path file = Path.of("/run/netc", s + ".lock");
    Files.createDirectories(file.getParent());
    boolean existed = Files.exists(file);
    // held by this process: the runner's tryLock sees it as held by another apply, and nothing is read or changed
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = ch.lock()) {
      for (String command : new String[] {"apply", "destroy"}) {
        CliRunner.Result r = cli.run(command, "web.netc", "--sandbox", s, "--lock-timeout", "0");
        assertEquals(new CliRunner.Result(1, "", "netc: " + command + " failed: sandbox " + s + " is locked by another"
            + " netc apply or destroy (" + file + "); gave up after 0 s\n"), r, command);
      }
    } finally {
      if (!existed) {
        Files.deleteIfExists(file);
      }
    }
  }
}
