package dev.netc.backends.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link Sysctl} says of a key: its file, and of an interface's IPv6 settings their interface and the kernel's value. */
class SysctlTest {
  @Test
  void anInterfacesIpv6SettingsAreKnownWithTheValueANewInterfaceHas() {
    assertEquals(Optional.of(new Sysctl.InterfaceSetting("eth0", "disable_ipv6")),
        Sysctl.interfaceSetting("net.ipv6.conf.eth0.disable_ipv6"));
    assertEquals(Optional.of(new Sysctl.InterfaceSetting("ve-web-1", "accept_ra")),
        Sysctl.interfaceSetting("net.ipv6.conf.ve-web-1.accept_ra"));
    assertEquals(Optional.empty(), Sysctl.interfaceSetting("net.ipv6.conf.all.forwarding"));
    assertEquals(Optional.empty(), Sysctl.interfaceSetting("net.ipv4.conf.eth0.accept_redirects"));
    assertEquals(Optional.of("0"), new Sysctl("x-web", "net.ipv6.conf.eth0.disable_ipv6", "1", "").newInterfaceValue());
    assertEquals(Optional.of("1"), new Sysctl("x-web", "net.ipv6.conf.eth0.accept_ra", "0", "").newInterfaceValue());
    assertEquals(Optional.empty(), new Sysctl("x", "net.ipv4.ip_forward", "1", "").newInterfaceValue());
  }

  @Test
  void aKeyIsCheckedBeforeItBecomesAPath() {
    assertEquals("/proc/sys/net/ipv4/conf/br-front/route_localnet", Sysctl.path("net.ipv4.conf.br-front.route_localnet"));
    assertTrue(Sysctl.validKey("net.bridge.bridge-nf-call-iptables"));
    assertFalse(Sysctl.validKey("net.ipv4/../../etc"));
    assertFalse(Sysctl.validKey("kernel.hostname"));
    assertThrows(IllegalArgumentException.class, () -> Sysctl.path("net..x"));
  }
}
