package dev.netc.runner.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Addresses read from netlink are written as {@code ip} writes them (IPv6: RFC 5952). */
class RouteDumpTest {
  @ParameterizedTest
  @CsvSource({
      "fd64:0:0:0:0:0:0:1, fd64::1",
      "0:0:0:0:0:0:0:1, ::1",
      "0:0:0:0:0:0:0:0, ::",
      "fe80:0:0:0:a8c1:abff:fe12:3456, fe80::a8c1:abff:fe12:3456",
      "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
      "fd00:10:96:0:0:0:0:a, fd00:10:96::a",
      "2001:db8:1:2:3:4:5:6, 2001:db8:1:2:3:4:5:6",
      "2001:0:0:1:0:0:0:0, 2001:0:0:1::"})
  void writesAsIpDoes(String full, String expected) throws Exception {
    byte[] bytes = java.net.InetAddress.getByName(full).getAddress();
    assertEquals(expected, RouteDump.address(java.nio.ByteBuffer.wrap(bytes)));
  }

  @ParameterizedTest
  @CsvSource({"10.64.0.2", "0.0.0.0", "255.255.255.255", "198.18.0.1"})
  void writesIPv4AsADottedQuad(String quad) throws Exception {
    assertEquals(quad, RouteDump.address(java.nio.ByteBuffer.wrap(java.net.InetAddress.getByName(quad).getAddress())));
  }
}
