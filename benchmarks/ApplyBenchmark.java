import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The apply benchmark (see benchmarks/README.md): how fast {@code netc apply} makes the kernel
 * hold N containers on one bridge, against the floor (a hand-written {@code ip -batch} +
 * {@code nft -f} script of the same operations) and against one {@code ip} process per
 * operation, as per-container tools work; the cost of a no-op apply; a policy change in a table
 * of 100,000 set elements; the rule count against policies and containers; and the connection
 * rate through the policy sets against a linear chain of rules.
 *
 * <p>The floor and per-operation scripts are generated here from the same topology parameters,
 * independently of netc's backends. Everything runs in sandboxes named {@code PREFIX...} (a
 * random prefix per run), all removed at the end, on failure too ({@code run-apply.sh} also
 * removes them from a trap). Needs root.
 *
 * <pre>
 *   benchmarks/run-apply.sh [--runs R] [--sizes 100,500,1000] [--only apply,table,rules,rate]
 *   java ApplyBenchmark generate N FILE          # the topology of N containers
 *   java ApplyBenchmark serve PORT [THREADS]     # connection-rate server (accepts and closes)
 *   java ApplyBenchmark client ADDR PORT [T]     # connection-rate client: per line "SECONDS THREADS" on stdin, prints connections/s (T: warm-up threads)
 * </pre>
 */
public final class ApplyBenchmark {
  static final Pattern RUNNER = Pattern.compile("netc: apply: (\\d+) process(?:es)?, (\\d+) ms in the runner");
  static final int PORT = 8080;
  static final int BACKLOG = 65_535;

  static Path netc;
  static Path work;
  static String prefix;
  static int counter;
  static final List<String> report = new ArrayList<>();
  static final List<String> missed = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("serve")) {
      serve(Integer.parseInt(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1);
      return;
    }
    if (args.length >= 1 && args[0].equals("client")) {
      client(args[1], Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 1);
      return;
    }
    if (args.length == 3 && args[0].equals("generate")) {
      Files.writeString(Path.of(args[2]), topology("ab" + args[1], Integer.parseInt(args[1]), 10));
      return;
    }
    int runs = 3;
    List<Integer> sizes = List.of(100, 200, 500, 1000);
    String only = "all";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--sizes" -> sizes = Stream.of(args[++i].split(",")).map(Integer::parseInt).toList();
        case "--only" -> only = args[++i];
        default -> {
          System.err.println("usage: ApplyBenchmark [--runs R] [--sizes 100,200,500,1000] [--only apply,table,rules,rate]");
          System.exit(2);
        }
      }
    }
    netc = Path.of(System.getProperty("user.dir"), "netc");
    work = Files.createTempDirectory("netc-apply");
    prefix = System.getProperty("apply.prefix", String.format("ab%04x", new SecureRandom().nextInt(1 << 16)));
    Runtime.getRuntime().addShutdownHook(new Thread(ApplyBenchmark::cleanup));
    System.out.printf(Locale.ROOT, "apply benchmark, %s, %d cores, load average %s, sandboxes %s*%n",
        LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 16),
        Runtime.getRuntime().availableProcessors(), load(), prefix);
    try {
      if (only.equals("all") || List.of(only.split(",")).contains("rules")) {
        rules();
      }
      if (only.equals("all") || List.of(only.split(",")).contains("apply")) {
        apply(sizes, runs);
      }
      if (only.equals("all") || List.of(only.split(",")).contains("table")) {
        table(runs);
      }
      if (only.equals("all") || List.of(only.split(",")).contains("rate")) {
        rate(runs);
      }
    } finally {
      cleanup();
    }
    System.out.printf(Locale.ROOT, "%nload average at the end: %s%n", load());
    report.forEach(System.out::println);
    if (!missed.isEmpty()) {
      System.out.println("\nmissed targets:");
      missed.forEach(m -> System.out.println("  " + m));
      System.exit(1);
    }
  }

  // ------------------------------------------------------------------ topologies

  /**
   * N containers on one dual-stack bridge, labelled in ten contiguous groups, each exposing
   * port 8080; one policy isolates all for ingress, and group K admits group K+1 on 8080.
   */
  static String topology(String name, int n, int groups) {
    StringBuilder b = new StringBuilder("topology " + name + "\n\n");
    b.append("network net {\n  subnet 10.64.0.0/16\n  subnet fd64::/64\n}\n\n");
    for (int i = 1; i <= n; i++) {
      b.append("container c").append(i).append(" {\n  labels app=a").append(group(i, n, groups))
          .append("\n  attach net\n  expose 8080/tcp\n}\n");
    }
    b.append("\npolicy iso {\n  select all\n  isolate ingress\n}\n");
    for (int k = 0; k < groups; k++) {
      b.append("\npolicy p").append(k).append(" {\n  select app=a").append(k)
          .append("\n  allow ingress from app=a").append((k + 1) % groups).append(" port 8080/tcp\n}\n");
    }
    return b.toString();
  }

  static int group(int i, int n, int groups) {
    return (int) ((long) (i - 1) * groups / n);
  }

  /** Container {@code i}'s IPv4 address: 10.64.0.2 onwards, in declaration order. */
  static String v4(int i) {
    int a = i + 1;
    return "10.64." + (a >> 8) + "." + (a & 255);
  }

  static String v6(int i) {
    return "fd64::" + Integer.toHexString(i + 1);
  }

  // ------------------------------------------------------------------ the floor and (b)

  /** The operations of the floor, by namespace ("" for none), in order. */
  static Map<String, List<String>> operations(String s, String topo, int n) {
    Map<String, List<String>> ops = new LinkedHashMap<>();
    List<String> netns = new ArrayList<>(List.of("netns add " + s, "netns add " + s + "-outside"));
    for (int i = 1; i <= n; i++) {
      netns.add("netns add " + s + "-c" + i);
    }
    ops.put("", netns);
    List<String> host = new ArrayList<>(List.of(
        "link set lo up",
        "link add uplink type veth peer name uplink netns " + s + "-outside",
        "address add 198.18.0.1/30 dev uplink",
        "address add 2001:2::1/64 dev uplink nodad",
        "link set uplink up",
        "link add br-net type bridge",
        "link set br-net alias netc:" + topo + ":bridge:net",
        "address add 10.64.0.1/16 dev br-net",
        "address add fd64::1/64 dev br-net nodad",
        "link set br-net up"));
    for (int i = 1; i <= n; i++) {
      String ve = "ve-c" + i + "-0";
      host.add("link add " + ve + " type veth peer name eth0 netns " + s + "-c" + i);
      host.add("link set " + ve + " alias netc:" + topo + ":veth:c" + i + ":0");
      host.add("link set " + ve + " master br-net addrgenmode none");
      host.add("link set " + ve + " up");
    }
    ops.put(s, host);
    ops.put(s + "-outside", List.of("link set lo up", "address add 198.18.0.2/30 dev uplink",
        "address add 2001:2::2/64 dev uplink nodad", "link set uplink up"));
    for (int i = 1; i <= n; i++) {
      ops.put(s + "-c" + i, List.of(
          "link set lo alias netc:" + topo + ":namespace:c" + i,
          "link set lo up",
          "link set eth0 alias netc:" + topo + ":eth:c" + i + ":0",
          "link set eth0 up",
          "address add " + v4(i) + "/16 dev eth0",
          "address add " + v6(i) + "/64 dev eth0 nodad",
          "route add default via 10.64.0.1 dev eth0",
          "route add default via fd64::1 dev eth0"));
    }
    return ops;
  }

  /** The same table as netc's in effect: sets of the bridge, isolated addresses, admitted pairs. */
  static String floorTable(String topo, int n, int groups) {
    StringBuilder b = new StringBuilder();
    String t = "netc_" + topo;
    b.append("table inet ").append(t).append(" {}\ndelete table inet ").append(t).append("\n");
    b.append("table inet ").append(t).append(" {\n");
    b.append("  set bridges { type ifname; elements = { \"br-net\" } }\n");
    b.append("  set same_network { type ifname . ifname; elements = { \"br-net\" . \"br-net\" } }\n");
    b.append("  set masquerade4 { type ipv4_addr; flags interval; elements = { 10.64.0.0/16 } }\n");
    b.append("  set masquerade6 { type ipv6_addr; flags interval; elements = { fd64::/64 } }\n");
    b.append("  set isolated_in4 { type ipv4_addr; flags interval; elements = { ").append(v4(1)).append("-").append(v4(n)).append(" } }\n");
    b.append("  set isolated_in6 { type ipv6_addr; flags interval; elements = { ").append(v6(1)).append("-").append(v6(n)).append(" } }\n");
    int[] first = new int[groups];
    int[] last = new int[groups];
    for (int i = n; i >= 1; i--) {
      first[group(i, n, groups)] = i;
    }
    for (int i = 1; i <= n; i++) {
      last[group(i, n, groups)] = i;
    }
    for (String fam : List.of("4", "6")) {
      b.append("  set allow_in").append(fam).append(" {\n    type ").append(fam.equals("4") ? "ipv4_addr . ipv4_addr" : "ipv6_addr . ipv6_addr")
          .append(" . inet_proto . inet_service\n    flags interval\n    elements = {\n");
      List<String> els = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        int src = (group(i, n, groups) + 1) % groups;
        String from = fam.equals("4") ? v4(first[src]) + "-" + v4(last[src]) : v6(first[src]) + "-" + v6(last[src]);
        els.add("      " + from + " . " + (fam.equals("4") ? v4(i) : v6(i)) + " . tcp . " + PORT);
      }
      b.append(String.join(",\n", els)).append("\n    }\n  }\n");
    }
    b.append("""
          chain forward {
            type filter hook forward priority filter; policy accept;
            ct state established,related accept
            iifname != @bridges oifname != @bridges accept
            ct state invalid drop
            icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert } accept
            ip6 saddr fe80::/10 drop
            ip6 daddr fe80::/10 drop
            ct status dnat jump policy_check
            iifname . oifname @same_network jump policy_check
            iifname @bridges oifname != @bridges jump policy_check
            drop
          }
          chain policy_check {
            ip daddr @isolated_in4 ip saddr . ip daddr . meta l4proto . th dport != @allow_in4 drop
            ip6 daddr @isolated_in6 ip6 saddr . ip6 daddr . meta l4proto . th dport != @allow_in6 drop
            accept
          }
          chain postrouting {
            type nat hook postrouting priority srcnat; policy accept;
            ip saddr @masquerade4 oifname != @bridges masquerade
            ip6 saddr @masquerade6 oifname != @bridges masquerade
          }
        }
        """);
    // the port filter, as netc's bridge table: each port sends only from its own addresses
    b.append("table bridge ").append(t).append(" {}\ndelete table bridge ").append(t).append("\n");
    b.append("table bridge ").append(t).append(" {\n");
    List<String> ports = new ArrayList<>();
    List<String> addr4 = new ArrayList<>();
    List<String> addr6 = new ArrayList<>();
    List<String> target6 = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      String ve = "\"ve-c" + i + "-0\"";
      ports.add(ve);
      addr4.add(ve + " . " + v4(i));
      addr6.add(ve + " . " + v6(i));
      target6.add(ve + " . 0xfd64" + "0".repeat(20) + String.format("%08x", i + 1)); // v6(i) as an integer
    }
    b.append("  set ports { type ifname; elements = { ").append(String.join(", ", ports)).append(" } }\n");
    b.append("  set port_addr4 { type ifname . ipv4_addr; elements = { ").append(String.join(", ", addr4)).append(" } }\n");
    b.append("  set port_addr6 { type ifname . ipv6_addr; elements = { ").append(String.join(", ", addr6)).append(" } }\n");
    b.append("  set port_target6 { typeof iifname . @th,64,128; elements = { ").append(String.join(", ", target6)).append(" } }\n");
    b.append("""
          chain prerouting {
            type filter hook prerouting priority filter; policy accept;
            iifname != @ports accept
            ether type != { ip, arp, ip6 } drop
            icmpv6 type { nd-router-solicit, nd-router-advert, nd-redirect, mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } drop
            icmp type redirect drop
            arp saddr ip != 0.0.0.0 iifname . arp saddr ip != @port_addr4 drop
            iifname . ip saddr != @port_addr4 drop
            ip6 saddr != { ::, fe80::/10 } iifname . ip6 saddr != @port_addr6 drop
            icmpv6 type nd-neighbor-advert @th,64,16 != 0xfe80 iifname . @th,64,128 != @port_target6 drop
          }
        }
        """);
    return b.toString();
  }

  /**
   * A bash script doing the operations: with {@code batch}, one {@code ip -batch} per namespace
   * (the floor); without, one {@code ip} process per operation. Both set the sysctls of the host
   * namespace in one process and load the table with one {@code nft -f} before the containers'
   * batches (as netc does: the rules hold from the first packet), and write the hosts and
   * resolv.conf files with shell built-ins at the end. (netc also sets {@code accept_ra=0} and
   * {@code accept_dad=0} on each container's interface, from its threads; a script would need a
   * process per namespace, so the floor leaves them out, and its containers' link-local
   * addresses go through duplicate address detection, whose solicitations the bridge floods.)
   */
  static String script(String s, String topo, int n, boolean batch) {
    StringBuilder b = new StringBuilder("set -e\n");
    for (Map.Entry<String, List<String>> e : operations(s, topo, n).entrySet()) {
      if (e.getKey().startsWith(s + "-c") && b.indexOf(" nft -f -") < 0) {
        // as netc does: the host's sysctls and the table before any container's link is up
        b.append("ip netns exec ").append(s).append(" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1"
            + " net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1\n");
        b.append("ip netns exec ").append(s).append(" nft -f - <<'EOF'\n").append(floorTable(topo, n, 10)).append("EOF\n");
      }
      String ns = e.getKey().isEmpty() ? "" : "-n " + e.getKey() + " ";
      if (batch) {
        b.append("ip ").append(ns).append("-batch - <<'EOF'\n");
        e.getValue().forEach(l -> b.append(l).append('\n'));
        b.append("EOF\n");
      } else {
        e.getValue().forEach(l -> b.append("ip ").append(ns).append(l).append('\n'));
      }
    }
    b.append("mkdir -p");
    for (int i = 1; i <= n; i++) {
      b.append(" /etc/netns/").append(s).append("-c").append(i);
    }
    b.append("\nhosts='127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    for (int i = 1; i <= n; i++) {
      b.append(v4(i)).append("\tc").append(i).append('\n').append(v6(i)).append("\tc").append(i).append('\n');
    }
    b.append("'\nfor i in $(seq 1 ").append(n).append("); do\n")
        .append("  printf '# ").append(topo).append(" hosts c%s\\n%s' \"$i\" \"$hosts\" > /etc/netns/").append(s).append("-c$i/hosts\n")
        .append("  printf '# ").append(topo).append(" resolv.conf c%s\\noptions ndots:0 timeout:1 attempts:1\\n' \"$i\" > /etc/netns/")
        .append(s).append("-c$i/resolv.conf\ndone\n");
    return b.toString();
  }

  // ------------------------------------------------------------------ 1. apply

  static void apply(List<Integer> sizes, int runs) throws Exception {
    Map<Integer, Path> files = new LinkedHashMap<>();
    for (int n : sizes) {
      Path f = work.resolve("ab" + n + ".netc");
      Files.writeString(f, topology("ab" + n, n, 10));
      files.put(n, f);
      String ip = run(List.of(netc.toString(), "emit", f.toString(), "--backend", "ip", "--sandbox", "x")).out;
      long moves = ip.lines().filter(l -> l.matches(".*link set \\S+ netns .*")).count();
      long peers = ip.lines().filter(l -> l.matches(".*type veth peer name \\S+( address \\S+)? netns .*")).count();
      long dad = ip.lines().filter(l -> l.matches("address add [0-9a-f:]+/\\d+ dev .*") && !l.endsWith("nodad")).count();
      if (moves != 0 || peers != n || dad != 0) {
        missed.add("N=" + n + ": the ip plan moves " + moves + " interfaces, creates " + peers
            + " peers in their namespace, " + dad + " IPv6 addresses wait for DAD");
      }
    }
    Map<String, List<Double>> t = new LinkedHashMap<>();
    Map<Integer, Integer> procs = new LinkedHashMap<>();
    Map<Integer, Integer> noopProcs = new LinkedHashMap<>();
    for (int r = 0; r < runs; r++) {
      for (int n : sizes) {
        String topo = "ab" + n;
        // netc: first apply, then three no-op applies once the kernel is idle again
        String s = sandbox();
        int[] p = new int[1];
        t.computeIfAbsent("netc " + n, k -> new ArrayList<>()).add(netcApply(files.get(n), s, p, false));
        procs.put(n, p[0]);
        checkNoTentative(s, n);
        // what the first apply left the kernel to do (the containers' start-up multicast, which
        // the bridge floods to every port) is not the no-op's cost
        settle();
        for (int k = 0; k < 3; k++) {
          t.computeIfAbsent("noop " + n, x -> new ArrayList<>()).add(netcApply(files.get(n), s, p, true));
          noopProcs.put(n, p[0]);
        }
        remove(s);
        // the floor
        String f = sandbox();
        t.computeIfAbsent("floor " + n, k -> new ArrayList<>()).add(bash(script(f, topo, n, true)));
        remove(f);
        // one ip process per operation
        String o = sandbox();
        t.computeIfAbsent("perop " + n, k -> new ArrayList<>()).add(bash(script(o, topo, n, false)));
        remove(o);
        System.out.printf(Locale.ROOT, "  run %d, %d containers: netc %.0f ms, no-op %.0f ms, floor %.0f ms, per operation %.0f ms (load %s)%n",
            r + 1, n, last(t.get("netc " + n)), last(t.get("noop " + n)), last(t.get("floor " + n)), last(t.get("perop " + n)), load());
      }
    }
    report.add("");
    report.add(String.format(Locale.ROOT, "first apply, medians of %d runs (no-op: of %d)", runs, 3 * runs));
    report.add("| containers | netc apply (runner) | processes | floor: ip -batch + nft -f | netc / floor | one ip per operation | per operation / netc | no-op apply | no-op / first | no-op processes |");
    report.add("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int n : sizes) {
      double a = median(t.get("netc " + n));
      double fl = median(t.get("floor " + n));
      double po = median(t.get("perop " + n));
      double no = median(t.get("noop " + n));
      report.add(String.format(Locale.ROOT, "| %,d | %,.0f ms | %d | %,.0f ms | %.2f | %,.0f ms | %.1f | %,.0f ms | %.1f %% | %d |",
          n, a, procs.get(n), fl, a / fl, po, po / a, no, 100 * no / a, noopProcs.get(n)));
      target(a / fl <= 1.5, n + " containers: netc / floor = " + String.format(Locale.ROOT, "%.2f", a / fl) + " > 1.5");
      target(po / a >= 10, n + " containers: per operation / netc = " + String.format(Locale.ROOT, "%.1f", po / a) + " < 10");
      target(no / a <= 0.10, n + " containers: no-op / first = " + String.format(Locale.ROOT, "%.2f", no / a) + " > 0.10");
    }
    for (int n : sizes) {
      if (sizes.contains(2 * n)) {
        double ratio = median(t.get("netc " + 2 * n)) / median(t.get("netc " + n));
        report.add(String.format(Locale.ROOT, "T(%d)/T(%d) = %.2f (floor %.2f, per operation %.2f)", 2 * n, n, ratio,
            median(t.get("floor " + 2 * n)) / median(t.get("floor " + n)), median(t.get("perop " + 2 * n)) / median(t.get("perop " + n))));
        target(ratio <= 2.2, String.format(Locale.ROOT, "T(%d)/T(%d) = %.2f > 2.2", 2 * n, n, ratio));
      }
    }
  }

  /** Runs {@code netc apply -v}; returns the runner's own time (ms) and sets its processes. */
  static double netcApply(Path file, String s, int[] processes, Boolean noop) throws Exception {
    Result r = run(List.of(netc.toString(), "apply", "-v", file.toString(), "--sandbox", s));
    if (r.code != 0) {
      throw new IllegalStateException("netc apply failed: " + r.err + r.out);
    }
    if (noop != null && noop != r.out.startsWith("No changes")) {
      throw new IllegalStateException((noop ? "a second apply changed something: " : "the first apply changed nothing: ") + r.out);
    }
    Matcher m = RUNNER.matcher(r.err);
    if (!m.find()) {
      throw new IllegalStateException("apply -v printed no runner time: " + r.err);
    }
    processes[0] = Integer.parseInt(m.group(1));
    return Double.parseDouble(m.group(2));
  }

  /**
   * No global address of a sample of the containers is tentative (waiting for DAD): they are
   * added with nodad. (The kernel's own link-local address does DAD; nothing waits for it.)
   */
  static void checkNoTentative(String s, int n) throws Exception {
    for (int i : new int[] {1, n / 2 + 1, n}) {
      String out = run(List.of("ip", "-n", s + "-c" + i, "address", "show", "dev", "eth0")).out;
      if (out.lines().anyMatch(l -> l.contains("scope global") && l.contains("tentative")) || !out.contains(v6(i) + "/64 scope global nodad")) {
        missed.add("container c" + i + " of " + n + ": an address waits for DAD or is missing: " + out);
      }
    }
  }

  // ------------------------------------------------------------------ 2. a policy change in a big table

  /**
   * 100 containers; policy {@code big} admits E/100 client addresses (odd /32s, so that no two
   * merge) to every container, E set elements; policy {@code small} admits group 1 to group 0 on
   * port 9000. The change: {@code small} moves to port 9001. Measured: the whole apply (runner),
   * and the nft transaction alone (its process).
   */
  static void table(int runs) throws Exception {
    report.add("");
    report.add("one policy changed in a table of E set elements (100 containers), medians of " + runs);
    report.add("| set elements | plan of the change | apply (runner) | of which the nft transaction | and the rule count read | whole-table replace (nft -f of the file) |");
    report.add("|---:|---|---:|---:|---:|---:|");
    for (int elements : List.of(10_000, 100_000)) {
      String s = sandbox();
      // one file, rewritten: element comments name the file and line of their policy
      Path a = work.resolve("big.netc");
      String[] versions = {bigTopology(elements, 9000), bigTopology(elements, 9001)};
      Files.writeString(a, versions[0]);
      List<Double> apply = new ArrayList<>();
      List<Double> nft = new ArrayList<>();
      List<Double> full = new ArrayList<>();
      List<Double> count = new ArrayList<>();
      String plan = "";
      netcApply(a, s, new int[1], false);
      for (int r = 0; r < runs; r++) {
        for (String version : List.of(versions[1], versions[0])) {
          Path next = a;
          Files.writeString(a, version);
          plan = run(List.of(netc.toString(), "plan", next.toString(), "--sandbox", s)).out.lines()
              .filter(l -> l.contains("table:")).findFirst().orElse("(no table change)");
          Result ap = run(List.of(netc.toString(), "apply", "-v", next.toString(), "--sandbox", s));
          if (ap.code != 0) {
            throw new IllegalStateException("apply failed: " + ap.err);
          }
          Matcher m = RUNNER.matcher(ap.err);
          m.find();
          apply.add(Double.parseDouble(m.group(2)));
          Matcher n = Pattern.compile("netc: (\\d+) ms: ip netns exec \\S+ nft -f -").matcher(ap.err);
          double ms = -1;
          while (n.find()) {
            ms = Double.parseDouble(n.group(1));
          }
          nft.add(ms);
          // as root over netlink (a rule dump), else nft
          Matcher c = Pattern.compile("netc: (\\d+) ms: (?:ip netns exec \\S+ nft -j -t list table|netlink: \\d+ rules(?: and (?:over )?\\d+ set elements)? in table)")
              .matcher(ap.err);
          count.add(c.find() ? Double.parseDouble(c.group(1)) : -1);
        }
        // the whole file, as apply loaded it before incremental updates
        String file = Files.readString(Path.of("/run/netc/" + s + ".big.nft"));
        full.add(timed(List.of("ip", "netns", "exec", s, "nft", "-f", "-"), file));
      }
      elementsCheck(s, elements);
      remove(s);
      report.add(String.format(Locale.ROOT, "| %,d | `%s` | %,.0f ms | %,.0f ms | %,.0f ms | %,.0f ms |", elements,
          plan.strip().replaceAll("table:\\S+:", "table:S:"), median(apply), median(nft), median(count), median(full)));
      target(median(nft) >= 0 && median(nft) < 100, String.format(Locale.ROOT,
          "%d elements: the nft transaction of a policy change took %.0f ms", elements, median(nft)));
    }
  }

  static String bigTopology(int elements, int port) {
    int clients = elements / 100;
    StringBuilder b = new StringBuilder("topology big\n\nnetwork net {\n  subnet 10.64.0.0/16\n}\n\n");
    for (int i = 1; i <= 100; i++) {
      b.append("container c").append(i).append(" {\n  labels app=a").append(i <= 50 ? 0 : 1)
          .append("\n  attach net\n  expose 8080/tcp, 9000/tcp, 9001/tcp\n}\n");
    }
    b.append("\npolicy big {\n  select all\n  allow ingress from ");
    List<String> peers = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int a = 2 * c + 1;
      peers.add("cidr 172.16." + (a >> 8) + "." + (a & 255) + "/32");
    }
    b.append(String.join(", ", peers)).append(" port 8080/tcp\n}\n");
    b.append("\npolicy small {\n  select app=a0\n  allow ingress from app=a1 port ").append(port).append("/tcp\n}\n");
    return b.toString();
  }

  /** The set holds what the topology says, read back with {@code nft -j list set}. */
  static void elementsCheck(String s, int elements) throws Exception {
    int count = 0;
    for (String set : List.of("allow_in4", "allow_in4_exact")) {
      String out = run(List.of("ip", "netns", "exec", s, "nft", "-j", "list", "set", "inet", "netc_big", set)).out;
      count += out.split("\"concat\"", -1).length - 1;
    }
    int expected = elements + 50; // the big policy, and small's range of group 1 to each of group 0
    if (count != expected) {
      missed.add("table of " + elements + ": allow_in4 and allow_in4_exact hold " + count + " elements, expected " + expected);
    }
  }

  // ------------------------------------------------------------------ 3. rules against policies

  static void rules() throws Exception {
    report.add("");
    report.add("nftables rules emitted (netc emit --backend nft) against containers and policies");
    report.add("| containers | policies | rules | set and map elements | rules / policies |");
    report.add("|---:|---:|---:|---:|---:|");
    Pattern p = Pattern.compile("(\\d+) rules, (\\d+) set and map elements");
    List<Integer> counts = new ArrayList<>();
    for (int[] cp : new int[][] {{10, 5}, {100, 10}, {1000, 10}, {1000, 100}, {1000, 500}}) {
      Path f = work.resolve("rules.netc");
      Files.writeString(f, topology("rules", cp[0], cp[1]));
      String out = run(List.of(netc.toString(), "emit", f.toString(), "--backend", "nft", "--sandbox", "x")).out;
      Matcher m = p.matcher(out);
      if (!m.find()) {
        throw new IllegalStateException("emit printed no rule count");
      }
      int rules = Integer.parseInt(m.group(1));
      counts.add(rules);
      report.add(String.format(Locale.ROOT, "| %,d | %d | %d | %,d | %.2f |", cp[0], cp[1] + 1, rules,
          Long.parseLong(m.group(2)), rules / (double) (cp[1] + 1)));
    }
    target(counts.stream().distinct().count() == 1, "the rule count changes with containers or policies: " + counts);
  }

  // ------------------------------------------------------------------ 4. connection rate

  /**
   * Two containers, c1 the client and c2 the server, c2 isolated, in four sandboxes side by side:
   * (a) 10 admitted pairs in the sets (c1 and 9 other addresses to c2), (b) 10,000 pairs, (c) no
   * policy in netc's table and the 10,000 pairs as a linear chain of rules written by hand, c1's
   * rule last; and, for reference, (d) no policy at all (netc's table without policy_check rules).
   * One client per sandbox opens and closes (RST) connections for one second when told, first
   * with one thread (sequential), then with one thread per core (concurrent); the sandboxes take
   * turns, round after round, so that load from other work falls on all alike. Medians of the
   * rounds. The targets are judged on the sequential rate (see benchmarks/README.md).
   */
  static void rate(int runs) throws Exception {
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    String none = "no policy (reference)";
    String ten = "10 pairs in sets";
    String sets = "10,000 pairs in sets";
    String chain = "10,000 pairs as a linear chain";
    List<String> variants = List.of(none, ten, sets, chain);
    // a multiple of the variants, so that each starts a round as often as the others
    int rounds = (Math.max(5, 3 * runs) + variants.size() - 1) / variants.size() * variants.size();
    List<Integer> modes = List.of(1, threads);
    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, String> sandboxes = new LinkedHashMap<>();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    String cp = System.getProperty("java.class.path");
    List<Process> processes = new ArrayList<>();
    try {
      for (String variant : variants) {
        String s = sandbox();
        sandboxes.put(variant, s);
        Path f = work.resolve("rate-" + s + ".netc");
        Files.writeString(f, variant.equals(ten) ? rateTopology(10, true)
            : variant.equals(sets) ? rateTopology(10_000, true) : rateTopology(0, false));
        netcApply(f, s, new int[1], false);
        if (variant.equals(chain)) {
          Result l = run(List.of("ip", "netns", "exec", s, "nft", "-f", "-"), linearChain(10_000));
          if (l.code != 0) {
            throw new IllegalStateException("the linear chain: " + l.err);
          }
        }
        // a long accept queue: a server that other work keeps off the CPU for a moment must not
        // drop SYNs (each drop stalls a client for the 1 s of a SYN retransmission)
        run(List.of("ip", "netns", "exec", s + "-c2", "sysctl", "-qw", "net.core.somaxconn=" + BACKLOG));
        processes.add(new ProcessBuilder("ip", "netns", "exec", s + "-c2", java.toString(), "-cp", cp, "ApplyBenchmark",
            "serve", "" + PORT, "" + threads).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
      }
      Thread.sleep(1500);
      Map<String, Process> clients = new LinkedHashMap<>();
      for (String variant : variants) {
        String s = sandboxes.get(variant);
        // a pair not admitted is refused, in each variant but the one without policy
        if (!variant.equals(none)
            && run(List.of("ip", "netns", "exec", s + "-c3", "nc", "-z", "-w", "1", "10.64.0.3", "" + PORT)).code == 0) {
          missed.add("connection rate, " + variant + ": c3 reaches c2, which no rule admits");
        }
        Process c = new ProcessBuilder("ip", "netns", "exec", s + "-c1", java.toString(), "-cp", cp, "ApplyBenchmark",
            "client", "10.64.0.3", "" + PORT, "" + threads).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        processes.add(c);
        clients.put(variant, c);
      }
      Map<String, java.io.BufferedReader> outs = new LinkedHashMap<>();
      clients.forEach((v, c) -> outs.put(v, new java.io.BufferedReader(new java.io.InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))));
      for (int r = 0; r < rounds; r++) {
        // each round starts with another variant and alternates the modes, so that no variant
        // always follows the same one (the chain's turns leave the most work behind)
        List<String> order = new ArrayList<>(variants);
        Collections.rotate(order, -r);
        List<Integer> modeOrder = r % 2 == 0 ? modes : List.of(modes.get(1), modes.get(0));
        Map<String, Double> round = new LinkedHashMap<>();
        for (int t : modeOrder) {
          for (String variant : order) {
            OutputStream in = clients.get(variant).getOutputStream();
            in.write(("1 " + t + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            String answer = outs.get(variant).readLine();
            if (answer == null) {
              throw new IllegalStateException("the client of " + variant + " stopped");
            }
            double rate = Double.parseDouble(answer.strip());
            rates.computeIfAbsent(t + " " + variant, k -> new ArrayList<>()).add(rate);
            round.put(t + " " + variant, rate);
          }
        }
        StringBuilder line = new StringBuilder("  round " + (r + 1) + ":");
        for (int t : modes) {
          line.append(t == 1 ? " sequential:" : " " + t + " clients:");
          for (String variant : variants) {
            line.append(String.format(Locale.ROOT, " %.0f", round.get(t + " " + variant)));
          }
          line.append(";");
        }
        System.out.println(line);
      }
    } finally {
      for (Process p : processes) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
      for (String s : sandboxes.values()) {
        remove(s);
      }
    }
    Map<String, Double> seq = new LinkedHashMap<>();
    Map<String, Double> conc = new LinkedHashMap<>();
    for (String v : variants) {
      seq.put(v, median(rates.get(1 + " " + v)));
      conc.put(v, median(rates.get(threads + " " + v)));
    }
    report.add("");
    report.add(String.format(Locale.ROOT, "connection rate c1 -> c2 (TCP open and close with RST, 1 s turns, medians of %d rounds;"
        + " sequential: one client thread; concurrent: %d client threads, one per core)", rounds, threads));
    report.add(String.format(Locale.ROOT, "| policy | sequential: connections/s | µs per connection | relative to 10 pairs"
        + " | concurrent (%d clients): connections/s | relative to 10 pairs |", threads));
    report.add("|---|---:|---:|---:|---:|---:|");
    for (String v : variants) {
      report.add(String.format(Locale.ROOT, "| %s | %,.0f | %.1f | %.2f | %,.0f | %.2f |", v, seq.get(v), 1e6 / seq.get(v),
          seq.get(v) / seq.get(ten), conc.get(v), conc.get(v) / conc.get(ten)));
    }
    double added = 1e6 / seq.get(chain) - 1e6 / seq.get(sets);
    report.add(String.format(Locale.ROOT, "sets / chain at 10,000 pairs: %.1fx sequential, %.1fx concurrent", seq.get(sets) / seq.get(chain),
        conc.get(sets) / conc.get(chain)));
    report.add(String.format(Locale.ROOT, "the linear chain costs %.0f µs more per connection than the sets (only its SYN walks the"
        + " 10,000 rules: %.0f ns a rule)", added, added * 1000 / 10_000));
    target(seq.get(sets) >= 0.9 * seq.get(ten), String.format(Locale.ROOT, "10,000 pairs in sets: %.0f/s, not within 10%% of %.0f/s",
        seq.get(sets), seq.get(ten)));
    target(seq.get(sets) >= 10 * seq.get(chain), String.format(Locale.ROOT, "sets %.0f/s not 10x the linear chain %.0f/s",
        seq.get(sets), seq.get(chain)));
  }

  /** c1 (10.64.0.2), c2 (10.64.0.3, isolated), c3; c2 admits c1 and pairs-1 other addresses. */
  static String rateTopology(int pairs, boolean policy) {
    StringBuilder b = new StringBuilder("topology rate\n\nnetwork net {\n  subnet 10.64.0.0/16\n}\n\n");
    for (int i = 1; i <= 3; i++) {
      b.append("container c").append(i).append(" {\n  labels app=c").append(i).append("\n  attach net\n  expose 8080/tcp\n}\n");
    }
    if (policy) {
      b.append("\npolicy server {\n  select app=c2\n  allow ingress from app=c1");
      for (int c = 0; c < pairs - 1; c++) {
        b.append(", cidr ").append(client(c)).append("/32");
      }
      b.append(" port 8080/tcp\n}\n");
    }
    return b.toString();
  }

  static String client(int c) {
    int a = 2 * c + 1;
    return "172.16." + (a >> 8) + "." + (a & 255);
  }

  /** The same pairs as rules, one per pair, c1's last; then the server dropped. */
  static String linearChain(int pairs) {
    StringBuilder b = new StringBuilder("table inet linear {\n  chain forward {\n"
        + "    type filter hook forward priority filter; policy accept;\n"
        + "    ct state established,related accept\n    ct state invalid drop\n");
    for (int c = 0; c < pairs - 1; c++) {
      b.append("    ip saddr ").append(client(c)).append(" ip daddr 10.64.0.3 tcp dport 8080 accept\n");
    }
    b.append("    ip saddr 10.64.0.2 ip daddr 10.64.0.3 tcp dport 8080 accept\n");
    b.append("    ip daddr 10.64.0.3 drop\n  }\n}\n");
    return b.toString();
  }

  /** Accepts and closes connections, on {@code threads} threads (so that concurrent clients find it awake). */
  static void serve(int port, int threads) throws Exception {
    try (ServerSocketChannel ss = ServerSocketChannel.open()) {
      ss.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ss.bind(new InetSocketAddress(port), BACKLOG);
      List<Thread> acceptors = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Thread t = new Thread(() -> {
          while (true) {
            try {
              ss.accept().close();
            } catch (IOException e) {
              return;
            }
          }
        });
        t.start();
        acceptors.add(t);
      }
      for (Thread t : acceptors) {
        t.join();
      }
    }
  }

  /**
   * For each line {@code SECONDS THREADS} on stdin: opens and closes connections that long on
   * that many threads, each its own sequential loop, and prints the rate of all together.
   */
  static void client(String addr, int port, int threads) throws Exception {
    InetSocketAddress to = new InetSocketAddress(addr, port);
    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
    connections(to, 0.3, 1); // warm up
    connections(to, 0.3, threads);
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      String[] w = line.strip().split(" ");
      System.out.printf(Locale.ROOT, "%.0f%n", connections(to, Double.parseDouble(w[0]), Integer.parseInt(w[1])));
      System.out.flush();
    }
  }

  /**
   * Connections per second of {@code threads} loops, each opening a connection (a blocking
   * {@code SocketChannel}: the fewest system calls Java makes for one) and closing it with a
   * reset, so that no TIME_WAIT exhausts the ports.
   */
  static double connections(InetSocketAddress to, double seconds, int threads) throws Exception {
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long[] done = new long[threads];
    long[] failed = new long[threads];
    List<Thread> loops = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int k = i;
      Thread t = new Thread(() -> {
        while (System.nanoTime() < end) {
          try (SocketChannel s = SocketChannel.open()) {
            s.setOption(StandardSocketOptions.SO_LINGER, 0);
            s.connect(to);
            done[k]++;
          } catch (IOException e) {
            failed[k]++;
          }
        }
      });
      t.start();
      loops.add(t);
    }
    for (Thread t : loops) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long n = java.util.Arrays.stream(done).sum();
    long f = java.util.Arrays.stream(failed).sum();
    if (f > n / 100) {
      throw new IOException(f + " connections failed, " + n + " succeeded");
    }
    return n / elapsed;
  }

  // ------------------------------------------------------------------ helpers

  static String sandbox() {
    return prefix + "s" + (counter++);
  }

  static void target(boolean ok, String what) {
    if (!ok) {
      missed.add(what);
    }
  }

  record Result(int code, String out, String err) {}

  static Result run(List<String> argv) throws IOException, InterruptedException {
    return run(argv, "");
  }

  static Result run(List<String> argv, String stdin) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).start();
    Thread w = new Thread(() -> {
      try (OutputStream o = p.getOutputStream()) {
        o.write(stdin.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the command did not read it all
      }
    });
    w.start();
    StringBuilder err = new StringBuilder();
    Thread e = new Thread(() -> err.append(read(p.getErrorStream())));
    e.start();
    String out = read(p.getInputStream());
    int code = p.waitFor();
    e.join();
    w.join();
    return new Result(code, out, err.toString());
  }

  static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  static double timed(List<String> argv, String stdin) throws Exception {
    long t = System.nanoTime();
    Result r = run(argv, stdin);
    if (r.code != 0) {
      throw new IllegalStateException(argv + " failed: " + r.err);
    }
    return (System.nanoTime() - t) / 1e6;
  }

  static double bash(String script) throws Exception {
    Path f = work.resolve("script.sh");
    Files.writeString(f, script);
    return timed(List.of("bash", f.toString()), "");
  }

  /** Removes sandbox {@code s} (all of {@code s}, {@code s-*}), its files and records; waits a moment for the kernel. */
  static void remove(String s) throws Exception {
    List<String> del = new ArrayList<>();
    for (String l : run(List.of("ip", "netns", "list")).out.lines().toList()) {
      String n = l.split(" ", 2)[0];
      if (n.equals(s) || n.startsWith(s + "-")) {
        del.add("netns del " + n);
      }
    }
    if (!del.isEmpty()) {
      run(List.of("ip", "-force", "-batch", "-"), String.join("\n", del) + "\n");
    }
    deleteUnder(Path.of("/etc/netns"), s + "-");
    deleteUnder(Path.of("/run/netc"), s + ".");
    settle(); // namespaces are dismantled in the background
  }

  /**
   * Waits until the kernel has finished what the last step left behind (namespaces dismantled in
   * the background, multicast sent by containers after they came up): at least 0.5 s, then until
   * the CPUs are 90 % idle over 0.3 s, for 20 s at most. The next measurement then does not pay
   * for the previous one.
   */
  static void settle() throws Exception {
    Thread.sleep(500);
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      long[] a = cpu();
      Thread.sleep(300);
      long[] b = cpu();
      if (b[1] - a[1] > 0 && (double) (b[0] - a[0]) / (b[1] - a[1]) >= 0.9) {
        return;
      }
    }
  }

  /** Idle (with I/O wait) and total jiffies of all CPUs, from /proc/stat. */
  static long[] cpu() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < Math.min(f.length, 9); i++) {
      total += Long.parseLong(f[i]);
    }
    return new long[] {Long.parseLong(f[4]) + Long.parseLong(f[5]), total};
  }

  static void deleteUnder(Path dir, String start) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> l = Files.list(dir)) {
      for (Path d : l.filter(p -> p.getFileName().toString().startsWith(start)).toList()) {
        try (Stream<Path> w = Files.walk(d)) {
          for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }

  /** Every sandbox of this run, whatever state it is in (a netc or script still running is stopped first). */
  static void cleanup() {
    ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    try {
      List<String> del = new ArrayList<>();
      for (String l : run(List.of("ip", "netns", "list")).out.lines().toList()) {
        String n = l.split(" ", 2)[0];
        if (n.startsWith(prefix + "s")) {
          del.add("netns del " + n);
        }
      }
      if (!del.isEmpty()) {
        run(List.of("ip", "-force", "-batch", "-"), String.join("\n", del) + "\n");
      }
      deleteUnder(Path.of("/etc/netns"), prefix + "s");
      deleteUnder(Path.of("/run/netc"), prefix + "s");
    } catch (Exception e) {
      System.err.println("cleanup: " + e);
    }
  }

  static String load() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "?";
    }
  }

  static double last(List<Double> xs) {
    return xs.get(xs.size() - 1);
  }

  static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}
