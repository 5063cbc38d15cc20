package dev.netc.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
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
    String s = sandbox.name();
    Set<String> names = new TreeSet<>();
    for (String n : namespaces()) {
      if (sandbox.holds(n)) {
        names.add(n);
      }
    }
    List<String> read = new ArrayList<>();
    if (sandbox.isHost()) {
      read.add(""); // the host namespace: always there, never listed
    }
    read.addAll(names);
    Set<ObjectId> owned = new HashSet<>();
    Map<ObjectId, String> foreign = new HashMap<>();
    Map<String, String> sandboxLinks = new LinkedHashMap<>();
    Map<ObjectId, LiveLink> linkAttrs = new HashMap<>();
    String sandboxMark = "";
    for (String ns : read) {
      boolean host = ns.equals(s);
      if (!host && (!sandbox.isHost() && ns.equals(sandbox.outside()) || !KernelNames.validNetns(ns))) {
        continue;
      }
      CommandExecutor.Result r = exec.run(ns.isEmpty() ? List.of("ip", "-j", "-batch", "-")
          : List.of("ip", "-j", "-n", ns, "-batch", "-"),
          "link show\nlink show type bridge\naddress show\nroute show table all\n");
      if (!r.ok()) {
        // the namespace went away while we looked, or is not a namespace we can enter
        if (!host && !namespaces().contains(ns)) {
          continue;
        }
        throw new RunnerException("cannot read namespace " + (ns.isEmpty() ? "of the host" : ns) + ": " + r.firstError()
            + (r.firstError().contains("Operation not permitted") ? " (reading it needs root)" : ""));
      }
      List<JsonNode> docs = parse(r.out(), "ip -j -n " + ns);
      if (docs.size() != 4) {
        throw new RunnerException("unexpected output of `ip -j -n " + ns + " -batch -`: " + docs.size() + " documents");
      }
      JsonNode links = docs.get(0);
      Set<String> bridges = new HashSet<>();
      docs.get(1).forEach(l -> bridges.add(l.path("ifname").asText()));
      Map<String, JsonNode> addresses = new HashMap<>();
      docs.get(2).forEach(l -> addresses.put(l.path("ifname").asText(), l.path("addr_info")));
      JsonNode routes = docs.get(3);
      String loAlias = "";
      for (JsonNode l : links) {
        if (l.path("ifname").asText().equals("lo")) {
          loAlias = l.path("ifalias").asText("");
        }
      }
      if (host) {
        sandboxMark = loAlias;
      } else if (!Ownership.owns(topology, loAlias)) {
        foreign.put(new ObjectId(ObjectId.Kind.NAMESPACE, "", ns), loAlias);
        continue;
      } else {
        owned.add(new ObjectId(ObjectId.Kind.NAMESPACE, "", ns));
      }
      for (JsonNode l : links) {
        String name = l.path("ifname").asText();
        String alias = l.path("ifalias").asText("");
        if (host) {
          sandboxLinks.put(name, alias);
        }
        if (!Ownership.owns(topology, alias)) {
          if (!name.equals("lo")) {
            foreign.put(new ObjectId(ObjectId.Kind.LINK, ns, name), alias);
          }
          continue;
        }
        owned.add(new ObjectId(ObjectId.Kind.LINK, ns, name));
        linkAttrs.put(new ObjectId(ObjectId.Kind.LINK, ns, name), link(l, bridges));
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
    boolean sandboxExists = sandbox.isHost() || names.contains(s);
    Set<String> tables = new TreeSet<>();
    Map<String, String> sysctls = new HashMap<>();
    List<String> notes = new ArrayList<>();
    if (sandboxExists) {
      try {
        tables.addAll(tables(s));
      } catch (RunnerException e) {
        if (!sandbox.isHost()) {
          throw e;
        }
        // `nft list tables` needs root (CAP_NET_ADMIN); `ip` and /proc/sys do not
        notes.add((isRoot() ? "the nftables tables of the host could not be read (" + e.getMessage().replaceFirst("^.*?: ", "") + ")"
            : "the nftables tables of the host cannot be read without root") + ": the table is planned as if it were not there");
      }
      String table = "inet " + Ownership.table(topology);
      if (tables.contains(table)) {
        owned.add(new ObjectId(ObjectId.Kind.TABLE, s, table));
      }
      sysctls.putAll(sysctls(s, sysctlKeys));
    }
    Map<ObjectId, String> files = new HashMap<>();
    files(sandbox.prefix(), topology, owned, foreign, files);
    return new LiveState(sandboxExists, sandbox.isHost() || names.contains(sandbox.outside()), sandboxMark, names,
        owned, foreign, sandboxLinks, tables, sysctls, files, linkAttrs, notes);
  }

  /** A link of {@code ip -j link show}; {@code bridges}: the names {@code link show type bridge} listed. */
  static LiveLink link(JsonNode l, Set<String> bridges) {
    String name = l.path("ifname").asText();
    boolean up = false;
    for (JsonNode f : l.path("flags")) {
      up |= f.asText().equals("UP");
    }
    String kind = bridges.contains(name) ? "bridge"
        : l.path("link_type").asText().equals("loopback") ? "loopback"
        : l.has("link_index") || l.has("link_netnsid") ? "veth" : "other";
    return new LiveLink(kind, l.path("mtu").asInt(), up, l.path("master").asText(""),
        l.path("address").asText(""), l.path("ifindex").asInt(), l.path("link_index").asInt(-1));
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
    CommandExecutor.Result r = exec.run(Sandbox.in(ns, List.of("nft", "-j", "-t", "list", "table", ft[0], ft[1])), "");
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
    CommandExecutor.Result r = exec.run(Sandbox.in(ns, List.of("nft", "-j", "list", "tables")), "");
    if (!r.ok()) {
      throw new RunnerException("cannot list the nftables tables of " + (ns.isEmpty() ? "the host" : ns) + ": "
          + r.firstError());
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
    List<String> argv = new ArrayList<>(Sandbox.in(ns, List.of("grep", "-H", ".")));
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

  private void files(String prefix, String topology, Set<ObjectId> owned, Map<ObjectId, String> foreign,
      Map<ObjectId, String> files) {
    if (!Files.isDirectory(etcNetns)) {
      return;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(etcNetns, prefix + "*")) {
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

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
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
