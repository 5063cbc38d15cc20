package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moves a user makes, each in an apply that then fails (a failure injected into a command, or
 * files that cannot be written): the rollback leaves the sandbox exactly as it was ({@link
 * Snapshot}), and plan of the old topology is empty.
 */
@Timeout(180)
class MoveRollbackKernelTest extends SandboxTest {
  @TempDir Path dir;

  /** Two hosts; web alone on h1, the others on h2. */
  static final String TWO_HOSTS = """
      topology mvr

      host h1 { underlay 192.168.79.11 }
      host h2 { underlay 192.168.79.12 }

      # netc:ignore NETC406 "the sandbox underlay is a bridge of the test"
      network mesh {
        driver overlay
        subnet 10.79.0.0/24
        mtu 1450
      }

      container web {
        labels app=web
        on h1
        attach mesh
        publish 8080 -> 80/tcp
      }

      container api {
        labels app=api
        on h2
        attach mesh
        expose 3000/tcp
      }

      container worker {
        labels app=worker
        on h2
        attach mesh
      }
      """;

  /** {@link #TWO_HOSTS} with web moved from h1 to h2. */
  static final String WEB_ON_H2 = TWO_HOSTS.replace("labels app=web\n  on h1", "labels app=web\n  on h2");

  /**
   * web leaves h1, whose bridge stays (c9 comes): apply sets the bridge's {@code route_localnet}
   * back to 0 (no published port on h1 needs it), then fails at c9's files. The rollback gives it
   * back 1 (before, it stayed 0 and the rollback said the sandbox was as before).
   */
  @Test
  void aContainerMovedOffAHostThatKeepsItsBridge() throws Exception {
    String moved = WEB_ON_H2 + "\ncontainer c9 {\n  on h1\n  attach mesh\n}\n";
    failsAtFilesAndRollsBack(TWO_HOSTS, moved, "c9");
  }

  /**
   * web moves from h1, where it is alone, to h2: apply deletes h1's bridge, its tunnel and table,
   * and h2's tunnel (no other host has a member of mesh), and fails at the last of those (h2's
   * {@code link del vx-mesh}). The rollback makes h1's bridge and tunnel again (their addresses,
   * forwarding entries and {@code route_localnet}, web's old host end back in the bridge) and
   * loads h1's table again from the file the apply before loaded (before, they were missing).
   */
  @Test
  void aContainerMovedToAnotherHostFailingInItsDeletions() throws Exception {
    failsAndRollsBack(TWO_HOSTS, WEB_ON_H2, (argv, stdin) -> argv.contains(s + "-host_h2") && stdin.contains("link del vx-mesh"));
  }

  /**
   * The same move through {@code ip} processes only (no root's netlink, as without the C library),
   * c9 on h2: the read has none of an endpoint's interface sysctls, and web's veth pair, made
   * again, had IPv6 on ({@code disable_ipv6} 0, the kernel's for a new interface) while the
   * rollback said the sandbox was as before. The apply now reads the settings of the links it
   * replaces first.
   */
  @Test
  void aContainerMovedToAnotherHostThroughIp() throws Exception {
    netlink = false;
    String moved = WEB_ON_H2 + "\ncontainer c9 {\n  on h2\n  attach mesh\n}\n";
    failsAtFilesAndRollsBack(TWO_HOSTS, moved, "c9");
  }

  /** One host; a on a network with IPv6 (front), b on one without (back). */
  static final String NETWORKS = """
      topology nwr

      network front {
        subnet 10.81.0.0/24
        subnet fd00:81::/64
      }

      network back {
        subnet 10.82.0.0/24
      }

      container a {
        attach front
        publish 8081 -> 80/tcp
      }

      container b {
        attach back
      }
      """;

  /** {@link #NETWORKS} with a moved from front to back, and c9 on front. */
  static final String A_ON_BACK = NETWORKS.replace("container a {\n  attach front", "container a {\n  attach back")
      + "\ncontainer c9 {\n  attach front\n}\n";

  /**
   * a moves from front (IPv6) to back (IPv4 only), c9 comes and cannot get its files: apply
   * switched IPv6 off on a's eth0, which took its IPv6 address and route along before the
   * deletions; the rollback switches it on again and makes them again (before, they were missing).
   */
  @Test
  void aContainerMovedToAnotherNetwork() throws Exception {
    failsAtFilesAndRollsBack(NETWORKS, A_ON_BACK, "c9");
  }

  /** The same through {@code ip} processes only. */
  @Test
  void aContainerMovedToAnotherNetworkThroughIp() throws Exception {
    netlink = false;
    failsAtFilesAndRollsBack(NETWORKS, A_ON_BACK, "c9");
  }

  /** a leaves its networks for the host's own ({@code mode host}), c9 comes and cannot get its files. */
  @Test
  void aContainerMovedToModeHost() throws Exception {
    String moved = NETWORKS.replace("container a {\n  attach front\n  publish 8081 -> 80/tcp", "container a {\n  mode host")
        + "\ncontainer c9 {\n  attach front\n}\n";
    failsAtFilesAndRollsBack(NETWORKS, moved, "c9");
  }

  /**
   * h1 is given another underlay address, c9 comes on h2 and cannot get its files: the forwarding
   * entry h2's tunnel got towards h1's new address goes again (before, it was left behind).
   */
  @Test
  void aHostGivenAnotherUnderlayAddress() throws Exception {
    String moved = TWO_HOSTS.replace("192.168.79.11", "192.168.79.21") + "\ncontainer c9 {\n  on h2\n  attach mesh\n}\n";
    failsAtFilesAndRollsBack(TWO_HOSTS, moved, "c9");
  }

  /**
   * Applies {@code was}, then {@code changed}, whose endpoint {@code taken} cannot have its files
   * (the name of its folder under {@code /etc/netns} is taken by a file): the apply fails after
   * the kernel's changes, and the sandbox is as before ({@link #failsAndRollsBack}).
   */
  private void failsAtFilesAndRollsBack(String was, String changed, String taken) throws Exception {
    Path file = Runner.ETC_NETNS.resolve(s + "-" + taken);
    java.nio.file.Files.createDirectories(Runner.ETC_NETNS);
    java.nio.file.Files.writeString(file, "not a folder\n");
    try {
      failsAndRollsBack(was, changed, (argv, stdin) -> false);
    } finally {
      java.nio.file.Files.delete(file);
    }
  }

  /** Whether the runners of the test reach the kernel over netlink (else through {@code ip} processes only). */
  private boolean netlink = true;

  /**
   * Applies {@code was}, then {@code changed} with a runner whose first command that {@code fails}
   * picks fails: the sandbox is exactly as before ({@link Snapshot}), the apply says so, and
   * plan of {@code was} is empty.
   */
  private void failsAndRollsBack(String was, String changed, BiPredicate<List<String>, String> fails) throws Exception {
    List<Runner.Target> before = targets(was);
    // (applied as the failing runner applies: through ip, a table's record has only its rules' number)
    (netlink ? runner : new Runner(Kernel.throughProcesses(), Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5)))
        .apply(before);
    Map<String, Object> then = Snapshot.of(before, stateDir);
    List<Runner.Target> ts = targets(changed);
    Runner broken = new Runner(Kernel.failingOnce(fails, netlink), Runner.ETC_NETNS, stateDir, java.time.Duration.ofSeconds(5));
    RunnerException e = assertThrows(RunnerException.class, () -> broken.apply(ts));
    Map<String, Object> is = Snapshot.of(before, stateDir);
    assertTrue(then.equals(is), () -> e.getMessage() + "\n" + Snapshot.differences(then, is));
    assertTrue(e.getMessage().endsWith("rolled back, sandbox " + s + " is as before"), e.getMessage());
    Plan plan = runner.plan(before);
    assertTrue(plan.empty(), plan::text);
  }

  private List<Runner.Target> targets(String text) throws Exception {
    return Kernel.targets(Kernel.compile(dir, text), s);
  }
}
