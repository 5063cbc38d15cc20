package dev.netc.compiler.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ValueTypesTest {
  @ParameterizedTest
  @CsvSource({
    "10.0.0.1, 10.0.0.1",
    "0.0.0.0, 0.0.0.0",
    "255.255.255.255, 255.255.255.255",
    "::, ::",
    "::1, ::1",
    "FD00:0:0:0:0:0:0:1, fd00::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329",
    "::ffff:192.0.2.1, ::ffff:c000:201",
    "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
    "1:0:0:2:0:0:0:3, 1:0:0:2::3",
  })
  void parsesAndPrintsCanonically(String in, String out) {
    assertEquals(out, IpAddress.parse(in).get().toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "10.0.0", "10.0.0.256", "10.0.0.01", "10.0.0.1.2", "a.b.c.d",
      "1:2:3:4:5:6:7:8:9", ":::", "1::2::3", "fd00::1%eth0", "12345::", "g::1", "1:2:3:4:5:6:7",
      "-1.0.0.0", "10.0.0.1/24"})
  void rejectsMalformedAddresses(String in) {
    assertFalse(IpAddress.parse(in).ok(), in);
  }

  @Test
  void cidrRequiresNetworkAddressAndSaysWhich() {
    Parsed<Cidr> p = Cidr.parse("10.0.0.1/24");
    assertFalse(p.ok());
    assertTrue(p.error().contains("`10.0.0.0/24`"), p.error());
    assertEquals("fd00:10::/64", Cidr.parse("fd00:10::/64").get().toString());
    assertFalse(Cidr.parse("10.0.0.0/33").ok());
    assertFalse(Cidr.parse("fd00::/129").ok());
    assertFalse(Cidr.parse("10.0.0.0/").ok());
  }

  @Test
  void cidrContainmentOverlapAndLast() {
    Cidr a = Cidr.parse("10.0.0.0/16").get();
    Cidr b = Cidr.parse("10.0.5.0/24").get();
    assertTrue(a.contains(b));
    assertTrue(a.overlaps(b) && b.overlaps(a));
    assertFalse(b.contains(a));
    assertFalse(a.overlaps(Cidr.parse("10.1.0.0/16").get()));
    assertEquals("10.0.255.255", a.last().toString());
    assertEquals("fd00::ffff:ffff:ffff:ffff", Cidr.parse("fd00::/64").get().last().toString());
    assertEquals("255.255.255.255", Cidr.parse("0.0.0.0/0").get().last().toString());
    assertTrue(Cidr.parse("::/0").get().contains(IpAddress.parse("fd00::1").get()));
    assertFalse(a.contains(IpAddress.parse("fd00::1").get()));
  }

  @Test
  void portRanges() {
    assertEquals(new PortRange(80, 90), PortRange.parse("80-90").get());
    assertEquals(PortRange.of(1), PortRange.parse("1").get());
    assertEquals("expected a port in 1-65535, got `70000`", PortRange.parse("70000").error());
    assertEquals("expected a port in 1-65535, got `0`", PortRange.parse("0").error());
    assertEquals("the range `90-80` ends before it starts", PortRange.parse("90-80").error());
    assertFalse(PortRange.parse("99999999999999999999").ok());
    assertEquals(11, new PortRange(80, 90).size());
  }

  @Test
  void addressArithmeticCarriesAcrossTheLowWord() {
    IpAddress a = IpAddress.parse("fd00::ffff:ffff:ffff:ffff").get();
    assertEquals("fd00:0:0:1::", a.plus(1).toString());
    assertEquals("10.0.1.0", IpAddress.parse("10.0.0.255").get().plus(1).toString());
  }
}
