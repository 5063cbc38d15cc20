package dev.netc.cli;

import static dev.netc.cli.DiffKernelTest.assumeKernel;
import static dev.netc.cli.DiffKernelTest.removeSandbox;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code netc destroy} with a file whose plan warns (NETC520: a port published on an IPv6
 * address to an endpoint without one is not realised): apply tells the warning, since it is about
 * what the apply makes; destroy, which removes what is there, does not. The sandbox is removed
 * in {@code finally}, also when the test fails.
 */
@Timeout(120)
class DestroyKernelTest {
  private static final String TOPOLOGY = """
      topology warned

      network front {
        subnet 10.98.0.0/24
      }

      container web {
        attach front
        publish [::]:8443 -> 443/tcp
      }
      """;

  @Test
  void thePlansWarningsAreApplysNotDestroys() throws Exception {
    assumeKernel();
    String s = String.format("dk%06x", new SecureRandom().nextInt(1 << 24));
    CliRunner cli = new CliRunner();
    cli.write("warned.netc", TOPOLOGY);
    try {
      CliRunner.Result applied = cli.run("apply", "warned.netc", "--sandbox", s);
      assertEquals(0, applied.status(), applied.err());
      assertTrue(applied.err().contains("warning[NETC520]: published port [::]:8443 -> 443/tcp is not realised"),
          applied.err());
      CliRunner.Result destroyed = cli.run("destroy", "warned.netc", "--sandbox", s);
      assertEquals(0, destroyed.status(), destroyed.err());
      assertEquals("", destroyed.err());
      assertTrue(destroyed.out().startsWith("Destroyed warned in sandbox " + s + ": "), destroyed.out());
      assertFalse(destroyed.out().contains("NETC520"), destroyed.out());
    } finally {
      removeSandbox(s);
    }
  }
}
