package dev.netc.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.netc.backends.plan.IpsecKeys;
import dev.netc.backends.plan.KernelNames;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Ownership;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Parsed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the live state of a sandbox for one topology: {@code ip netns list}, then per namespace
 * {@code S} or {@code S-*} one {@code ip -j -n NS -batch -} run ({@code link show} for the
 * aliases, {@code address show}, {@code route show table all}), the tables of {@code S}
 * ({@code nft -j list tables}, names only), the sysctls asked for and the files under
 * {@code /etc/netns/S-*}. Only objects with the topology's marks are counted as owned.
 */
public final class LiveReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CommandExecutor exec;
  private final Path etcNetns;

  public LiveReader(CommandExecutor exec, Path etcNetns) {
    this.exec = exec;
    this.etcNetns = etcNetns;
  }

  /** The namespaces whose names are listed by {@code ip netns list}. */
  public Set<String> namespaces() {
    CommandExecutor.Result r = exec.run(List.of("ip", "netns", "list"), "");
    if (!r.ok()) {
      throw new RunnerException("cannot list network namespaces: " + r.firstError());
    }
    Set<String> out = new TreeSet<>();
    for (String line : r.out().lines().toList()) {
      String name = line.strip().split(" ", 2)[0];
      if (!name.isEmpty()) {
        out.add(name);
      }
    }
    return out;
  }

  /** The sandbox's state as seen by {@code topology}; {@code sysctlKeys} are read in {@code S}. */
  public LiveState read(Sandbox sandbox, String topology, List<String> sysctlKeys) {
    return read(sandbox, topology, Map.of(sandbox.name(), sysctlKeys));
  }

  /**
   * The sandbox's state as seen by {@code topology}: every namespace {@code S} and {@code S-*};
   * {@code S} and the host namespaces of a topology of several hosts ({@code S-host_HOST}, known
   * by their loopback's sandbox mark) are read as hosts: their tables, IPsec objects, the
   * forwarding entries of owned VXLAN devices and the sysctls asked for ({@code sysctlKeys}, by
   * host namespace).
   */
  public LiveState read(Sandbox sandbox, String topology, Map<String, List<String>> sysctlKeys) {
    String s = sandbox.name();
    Set<String> names = new TreeSet<>();
    for (String n : namespaces()) {
      if (n.equals(s) || n.startsWith(s + "-")) {
        names.add(n);
      }
    }
    Set<ObjectId> owned = new HashSet<>();
    Map<ObjectId, String> foreign = new HashMap<>();
    Map<String, String> sandboxLinks = new LinkedHashMap<>();
    Map<ObjectId, String> aliases = new HashMap<>();
    Set<String> hostNamespaces = new TreeSet<>();
    Map<String, List<String>> vxlans = new LinkedHashMap<>();
    String sandboxMark = "";
    for (String ns : names) {
      if (ns.equals(sandbox.outside()) || !KernelNames.validNetns(ns)) {
        continue;
      }
      CommandExecutor.Result r = exec.run(List.of("ip", "-j", "-n", ns, "-batch", "-"),
          "link show\naddress show\nroute show table all\n");
      if (!r.ok()) {
        // the namespace went away while we looked, or is not a namespace we can enter
        if (!namespaces().contains(ns)) {
          continue;
        }
        throw new RunnerException("cannot read namespace " + ns + ": " + r.firstError());
      }
      List<JsonNode> docs = parse(r.out(), "ip -j -n " + ns);
      if (docs.size() != 3) {
        throw new RunnerException("unexpected output of `ip -j -n " + ns + " -batch -`: " + docs.size() + " documents");
      }
      JsonNode links = docs.get(0);
      Map<String, JsonNode> addresses = new HashMap<>();
      docs.get(1).forEach(l -> addresses.put(l.path("ifname").asText(), l.path("addr_info")));
      JsonNode routes = docs.get(2);
      String loAlias = "";
      for (JsonNode l : links) {
        if (l.path("ifname").asText().equals("lo")) {
          loAlias = l.path("ifalias").asText("");
        }
      }
      boolean host = ns.equals(s) || sandbox.hostOf(loAlias).isPresent();
      if (host) {
        hostNamespaces.add(ns);
      }
      if (ns.equals(s)) {
        sandboxMark = loAlias;
      } else if (host) {
        // a host namespace of the sandbox: the sandbox's, not the topology's
      } else if (!Ownership.owns(topology, loAlias)) {
        foreign.put(new ObjectId(ObjectId.Kind.NAMESPACE, "", ns), loAlias);
        continue;
      } else {
        owned.add(new ObjectId(ObjectId.Kind.NAMESPACE, "", ns));
      }
      for (JsonNode l : links) {
        String name = l.path("ifname").asText();
        String alias = l.path("ifalias").asText("");
        if (ns.equals(s)) {
          sandboxLinks.put(name, alias);
        }
        if (!Ownership.owns(topology, alias)) {
          if (!name.equals("lo") && !sandbox.marks(alias)) {
            foreign.put(new ObjectId(ObjectId.Kind.LINK, ns, name), alias);
          }
          continue;
        }
        owned.add(new ObjectId(ObjectId.Kind.LINK, ns, name));
        aliases.put(new ObjectId(ObjectId.Kind.LINK, ns, name), alias);
        if (host && alias.startsWith(Ownership.vxlan(topology, ""))) {
          vxlans.computeIfAbsent(ns, k -> new ArrayList<>()).add(name);
        }
        for (JsonNode a : addresses.getOrDefault(name, JSON.createArrayNode())) {
          if (!a.path("scope").asText().equals("global")) {
            continue;
          }
          Parsed<IpAddress> ip = IpAddress.parse(a.path("local").asText());
          if (ip.ok()) {
            owned.add(new ObjectId(ObjectId.Kind.ADDRESS, ns,
                name + "/" + ip.get() + "/" + a.path("prefixlen").asInt()));
          }
        }
      }
      if (!host) {
        for (JsonNode rt : routes) {
          if (rt.has("table") || rt.path("protocol").asText().equals("kernel") || !rt.has("gateway")) {
            continue;
          }
          String gw = rt.path("gateway").asText();
          boolean v6 = gw.contains(":");
          String dst = rt.path("dst").asText();
          if (dst.equals("default")) {
            dst = v6 ? "::/0" : "0.0.0.0/0";
          } else if (!dst.contains("/")) {
            dst = dst + (v6 ? "/128" : "/32");
          }
          Parsed<Cidr> c = Cidr.parse(dst);
          owned.add(new ObjectId(ObjectId.Kind.ROUTE, ns, c.ok() ? c.get().toString() : dst));
        }
      }
    }
    boolean sandboxExists = names.contains(s);
    Set<String> tables = new TreeSet<>();
    Map<String, String> sysctls = new HashMap<>();
    String table = "inet " + Ownership.table(topology);
    for (String h : hostNamespaces) {
      Set<String> here = tables(h);
      if (h.equals(s)) {
        tables.addAll(here);
      }
      if (here.contains(table)) {
        owned.add(new ObjectId(ObjectId.Kind.TABLE, h, table));
      }
      sysctls(h, sysctlKeys.getOrDefault(h, List.of())).forEach((k, v) -> sysctls.put(LiveState.key(h, k), v));
      if (vxlans.containsKey(h)) {
        // IPsec objects only protect overlays: read where the topology has a tunnel
        xfrm(h, topology, owned);
      }
      for (String vx : vxlans.getOrDefault(h, List.of())) {
        fdb(h, vx, owned);
      }
    }
    Map<ObjectId, String> files = new HashMap<>();
    files(s, topology, owned, foreign, files);
    return new LiveState(sandboxExists, names.contains(sandbox.outside()), sandboxMark, names, owned,
        foreign, sandboxLinks, tables, sysctls, files, hostNamespaces, aliases);
  }

  /**
   * The IPsec states and policies of a host namespace that carry the topology's {@code reqid}
   * ({@code ip xfrm} has no JSON output: its text is read, one object per paragraph).
   */
  private void xfrm(String ns, String topology, Set<ObjectId> owned) {
    CommandExecutor.Result r = exec.run(List.of("ip", "-n", ns, "-batch", "-"), "xfrm state list\nxfrm policy list\n");
    if (!r.ok()) {
      throw new RunnerException("cannot read the IPsec objects of " + ns + ": " + r.firstError());
    }
    String reqid = "reqid " + IpsecKeys.reqid(topology) + " ";
    List<String> block = new ArrayList<>();
    for (String line : (r.out() + "\n").lines().toList()) {
      if (!line.startsWith("\t") && !line.startsWith(" ") && !block.isEmpty()) {
        xfrmObject(ns, String.join(" ", block) + " ", reqid, owned);
        block.clear();
      }
      if (!line.isBlank()) {
        block.add(line.strip());
      }
    }
    if (!block.isEmpty()) {
      xfrmObject(ns, String.join(" ", block) + " ", reqid, owned);
    }
  }

  private static void xfrmObject(String ns, String text, String reqid, Set<ObjectId> owned) {
    if (!text.contains(reqid)) {
      return;
    }
    java.util.regex.Matcher state = java.util.regex.Pattern
        .compile("^src (\\S+) dst (\\S+) proto esp spi (0x[0-9a-f]+) ").matcher(text);
    java.util.regex.Matcher policy = java.util.regex.Pattern
        .compile("^src (\\S+)/\\d+ dst (\\S+)/\\d+ proto udp dport (\\d+) dir (in|out) ").matcher(text);
    if (state.find()) {
      long spi = Long.parseLong(state.group(3).substring(2), 16);
      owned.add(new ObjectId(ObjectId.Kind.XFRM, ns, "state " + state.group(1) + ">" + state.group(2)
          + " spi " + String.format(java.util.Locale.ROOT, "0x%08x", spi)));
    } else if (policy.find()) {
      owned.add(new ObjectId(ObjectId.Kind.XFRM, ns, "policy " + policy.group(4) + " " + policy.group(1) + ">"
          + policy.group(2) + " udp/" + policy.group(3)));
    }
  }

  /** The forwarding entries with a remote ({@code dst}) of an owned VXLAN device. */
  private void fdb(String ns, String device, Set<ObjectId> owned) {
    CommandExecutor.Result r = exec.run(List.of("bridge", "-j", "-n", ns, "fdb", "show", "dev",
        KernelNames.checkIfname(device)), "");
    if (!r.ok()) {
      throw new RunnerException("cannot read the forwarding entries of " + device + " in " + ns + ": " + r.firstError());
    }
    for (JsonNode doc : parse(r.out(), "bridge -j fdb show")) {
      for (JsonNode e : doc) {
        if (e.has("dst") && !e.path("dst").asText().isEmpty()) {
          Parsed<IpAddress> dst = IpAddress.parse(e.path("dst").asText());
          if (dst.ok()) {
            owned.add(new ObjectId(ObjectId.Kind.FDB, ns, device + "/" + e.path("mac").asText() + "/" + dst.get()));
          }
        }
      }
    }
  }

  /**
   * The number of rules in table {@code table} ({@code FAMILY NAME}) of {@code ns}, read with
   * {@code nft -j -t list table} (terse: no set elements); empty when it cannot be read.
   */
  public java.util.OptionalInt tableRules(String ns, String table) {
    String[] ft = table.split(" ", 2);
    if (ft.length != 2) {
      return java.util.OptionalInt.empty();
    }
    CommandExecutor.Result r = exec.run(List.of("ip", "netns", "exec", ns, "nft", "-j", "-t", "list", "table",
        ft[0], ft[1]), "");
    if (!r.ok()) {
      return java.util.OptionalInt.empty();
    }
    try {
      int rules = 0;
      for (JsonNode doc : parse(r.out(), "nft -j -t list table")) {
        for (JsonNode item : doc.path("nftables")) {
          if (item.has("rule")) {
            rules++;
          }
        }
      }
      return java.util.OptionalInt.of(rules);
    } catch (RunnerException e) {
      return java.util.OptionalInt.empty();
    }
  }

  /** The tables of namespace {@code ns}, as {@code FAMILY NAME}. */
  public Set<String> tables(String ns) {
    CommandExecutor.Result r = exec.run(List.of("ip", "netns", "exec", ns, "nft", "-j", "list", "tables"), "");
    if (!r.ok()) {
      throw new RunnerException("cannot list the nftables tables of " + ns + ": " + r.firstError());
    }
    Set<String> out = new TreeSet<>();
    for (JsonNode doc : parse(r.out(), "nft -j list tables")) {
      for (JsonNode item : doc.path("nftables")) {
        JsonNode t = item.path("table");
        if (!t.isMissingNode()) {
          out.add(t.path("family").asText() + " " + t.path("name").asText());
        }
      }
    }
    return out;
  }

  /** Values of sysctl keys in {@code ns}: one {@code grep -H . FILES} (a missing key is absent). */
  public Map<String, String> sysctls(String ns, List<String> keys) {
    Map<String, String> out = new HashMap<>();
    if (keys.isEmpty()) {
      return out;
    }
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns, "grep", "-H", "."));
    Map<String, String> byPath = new HashMap<>();
    for (String k : keys) {
      if (!k.matches("net(\\.[a-z0-9_-]+)+")) {
        throw new IllegalArgumentException("bad sysctl key " + k);
      }
      String path = "/proc/sys/" + k.replace('.', '/');
      byPath.put(path, k);
      argv.add(path);
    }
    CommandExecutor.Result r = exec.run(argv, "");
    for (String line : r.out().lines().toList()) {
      int colon = line.indexOf(':');
      if (colon > 0 && byPath.containsKey(line.substring(0, colon))) {
        out.put(byPath.get(line.substring(0, colon)), line.substring(colon + 1).strip());
      }
    }
    return out;
  }

  private void files(String s, String topology, Set<ObjectId> owned, Map<ObjectId, String> foreign,
      Map<ObjectId, String> files) {
    if (!Files.isDirectory(etcNetns)) {
      return;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(etcNetns, s + "-*")) {
      for (Path dir : dirs) {
        String ns = dir.getFileName().toString();
        for (String name : List.of("hosts", "resolv.conf")) {
          Path f = dir.resolve(name);
          if (!Files.isRegularFile(f)) {
            continue;
          }
          String content = Files.readString(f, StandardCharsets.UTF_8);
          String first = content.lines().findFirst().orElse("");
          ObjectId id = new ObjectId(ObjectId.Kind.FILE, ns, "/etc/netns/" + ns + "/" + name);
          if (Ownership.owns(topology, first)) {
            owned.add(id);
            files.put(id, content);
          } else {
            foreign.put(id, first);
          }
        }
      }
    } catch (IOException e) {
      throw new RunnerException("cannot read " + etcNetns + ": " + e.getMessage());
    }
  }

  private static List<JsonNode> parse(String text, String what) {
    List<JsonNode> out = new ArrayList<>();
    // one document after the other (a MappingIterator would unwrap a first array instead)
    try (JsonParser p = JSON.getFactory().createParser(text)) {
      while (p.nextToken() != null) {
        out.add(JSON.readTree(p));
      }
    } catch (IOException | RuntimeException e) {
      throw new RunnerException("cannot parse the output of `" + what + "`: " + e.getMessage());
    }
    return out;
  }
}
