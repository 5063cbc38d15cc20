package dev.netc.runner.probe;

import dev.netc.runner.netlink.ProcFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's neighbour tables (ARP, and NDP for IPv6), which every network namespace of the
 * machine shares: at most {@code net.ipv4.neigh.default.gc_thresh3} entries (and the IPv6 one),
 * 1,024 by default, for all of them. A probe of N endpoints on one network makes about N² entries
 * (each endpoint learns every other one's address), so some 40 endpoints with the defaults fill
 * it; the kernel then drops the packets of the connections it cannot resolve ("neighbor table
 * overflow"), and a probe measures as denied what the network admits. The tables count each
 * time they were full ({@code table_fulls} in {@code /proc/net/stat/arp_cache} and {@code
 * ndisc_cache}, one row per CPU): a verify reads the counts before and after its probes.
 */
public final class NeighbourTables {
  private static final Path STAT = Path.of("/proc/net/stat");
  private static final Path SYSCTL = Path.of("/proc/sys/net");

  private NeighbourTables() {}

  /** How many times the ARP and NDP tables were full, in all; 0 when the kernel does not say. */
  public static long fulls() {
    return fulls(read(STAT.resolve("arp_cache"))) + fulls(read(STAT.resolve("ndisc_cache")));
  }

  /**
   * The {@code table_fulls} of one {@code /proc/net/stat} file, summed over its rows (hexadecimal
   * numbers, one row per CPU under a header that names the columns); 0 without that column.
   */
  static long fulls(String stat) {
    List<String> lines = stat.lines().filter(l -> !l.isBlank()).toList();
    if (lines.isEmpty()) {
      return 0;
    }
    List<String> header = List.of(lines.get(0).trim().split("\\s+"));
    int column = header.indexOf("table_fulls");
    if (column < 0) {
      return 0;
    }
    long sum = 0;
    for (String row : lines.subList(1, lines.size())) {
      String[] fields = row.trim().split("\\s+");
      if (fields.length > column) {
        try {
          sum += Long.parseLong(fields[column], 16);
        } catch (NumberFormatException e) {
          // not a row of numbers: not counted
        }
      }
    }
    return sum;
  }

  /** The sysctl that bounds the table whose overflow {@link #note} names, or the default. */
  static String limits() {
    String v4 = sysctl("ipv4/neigh/default/gc_thresh3").orElse("1024");
    String v6 = sysctl("ipv6/neigh/default/gc_thresh3").orElse("1024");
    return "net.ipv4.neigh.default.gc_thresh3 = " + v4 + ", net.ipv6.neigh.default.gc_thresh3 = " + v6;
  }

  /** What a verify says when the tables were full while it probed. */
  static String note(String limits) {
    return "the kernel's neighbour tables overflowed while probing (" + limits + ": the entries"
        + " of every network namespace of the machine, and N endpoints on one network take about"
        + " N²), so connections were dropped whatever the topology admits and cells that differ"
        + " may be that; raise the limits (`sysctl -w net.ipv4.neigh.default.gc_thresh3=16384"
        + " net.ipv6.neigh.default.gc_thresh3=16384`) or probe fewer endpoints, and verify again";
  }

  private static Optional<String> sysctl(String key) {
    String v = read(SYSCTL.resolve(key)).strip();
    return v.isEmpty() ? Optional.empty() : Optional.of(v);
  }

  /** The file's text ({@link ProcFiles}); empty when it cannot be read. */
  private static String read(Path p) {
    try {
      return ProcFiles.read(p);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
