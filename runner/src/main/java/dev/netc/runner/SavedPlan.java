package dev.netc.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.backends.json.Json;
import dev.netc.backends.plan.Address;
import dev.netc.backends.plan.Bridge;
import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.EndpointPlan;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Link;
import dev.netc.backends.plan.Netns;
import dev.netc.backends.plan.NetnsFile;
import dev.netc.backends.plan.ObjectId;
import dev.netc.backends.plan.Route;
import dev.netc.backends.plan.Sysctl;
import dev.netc.backends.plan.TableSpec;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.MacvlanMode;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Parsed;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * A saved plan ({@code netc plan --out PLAN}, {@code netc apply PLAN}): the changes, the desired
 * state they were computed from (everything apply needs: the host's kernel objects and its
 * nftables file), the SHA-256 of that desired state and the fingerprint of the live state the plan
 * was made against. Applying it re-reads the live state and refuses when its fingerprint differs;
 * otherwise it makes exactly these changes, whatever the topology file says now.
 *
 * <p>The file is JSON: {@code {"netcPlan": 1, "netcVersion", "topology", "sandbox", "host",
 * "desiredSha256", "liveSha256", "changes": [...], "desired": {...}}}. A file of another format
 * version or made by another netc version is refused: the desired state and the fingerprint are
 * only comparable within one version.
 */
public record SavedPlan(String netcVersion, Plan plan, String host, String liveSha256, Runner.Target target) {
  /** The version of the file format. */
  public static final int FORMAT = 1;
  /** The key that tells a saved plan from a topology (a Compose file may be JSON too). */
  public static final String KEY = "netcPlan";

  /** Whether {@code text} is a saved plan (a JSON object with {@link #KEY}), not a topology. */
  public static boolean is(String text) {
    // no topology source starts with `{` and names the key: a damaged plan is still a plan, so
    // that parse says what is wrong with it instead of the .netc parser
    String t = text.stripLeading();
    return t.startsWith("{") && t.contains("\"" + KEY + "\"");
  }

  /** The SHA-256 of the desired state as the file carries it. */
  public String desiredSha256() {
    return Runner.sha256(desired(target).toString());
  }

  public String json() {
    ObjectNode root = Json.object();
    root.put(KEY, FORMAT);
    root.put("netcVersion", netcVersion);
    root.put("topology", plan.topology());
    root.put("sandbox", plan.sandbox());
    root.put("host", host);
    root.put("desiredSha256", desiredSha256());
    root.put("liveSha256", liveSha256);
    ArrayNode changes = root.putArray("changes");
    for (Change c : plan.changes()) {
      ObjectNode o = changes.addObject();
      o.put("action", c.action().name().toLowerCase(Locale.ROOT));
      o.put("kind", c.id().kind().label());
      o.put("namespace", c.id().namespace());
      o.put("id", c.id().name());
      o.put("detail", c.detail());
    }
    root.set("desired", desired(target));
    return Json.pretty(root);
  }

  /**
   * Reads a saved plan; {@code netcVersion} is this netc's. A file that is not a plan of this
   * format and version, or whose desired state does not match its SHA-256, is a {@link
   * RunnerException} with one line saying why.
   */
  public static SavedPlan parse(String text, String netcVersion) {
    JsonNode root;
    try {
      root = Json.parse(text);
    } catch (JsonProcessingException e) {
      throw new RunnerException("not a saved plan: " + e.getOriginalMessage());
    }
    if (!root.path(KEY).isInt()) {
      throw new RunnerException("not a saved plan: no `" + KEY + "` format version");
    }
    if (root.path(KEY).asInt() != FORMAT) {
      throw new RunnerException("saved plan of format " + root.path(KEY).asInt() + ", this netc reads format "
          + FORMAT + "; run netc plan again");
    }
    String version = root.path("netcVersion").asText("");
    if (version.isEmpty()) {
      throw new RunnerException("not a saved plan: no `netcVersion`");
    }
    if (!version.equals(netcVersion)) {
      throw new RunnerException("saved plan made by netc " + version + ", this is netc " + netcVersion
          + "; run netc plan again");
    }
    try {
      String topology = text(root, "topology");
      String sandbox = text(root, "sandbox");
      JsonNode d = root.path("desired");
      HostState host = host(d.path("host"));
      String nft = d.path("nft").isTextual() ? d.path("nft").asText() : null;
      Runner.Target target = new Runner.Target(new DesiredState(topology, sandbox, List.of(host)), host,
          Optional.ofNullable(nft));
      List<Change> changes = new ArrayList<>();
      for (JsonNode c : root.path("changes")) {
        changes.add(new Change(Change.Action.valueOf(text(c, "action").toUpperCase(Locale.ROOT)),
            new ObjectId(ObjectId.Kind.valueOf(text(c, "kind").toUpperCase(Locale.ROOT)), text(c, "namespace"),
                text(c, "id")), text(c, "detail")));
      }
      SavedPlan saved = new SavedPlan(version, new Plan(topology, sandbox, changes), text(root, "host"),
          text(root, "liveSha256"), target);
      if (!saved.desiredSha256().equals(text(root, "desiredSha256"))) {
        throw new RunnerException("the saved plan's desired state does not match its SHA-256 (edited by hand?);"
            + " run netc plan again");
      }
      return saved;
    } catch (IllegalArgumentException | NullPointerException e) {
      // an enum's name not known (an action, a kind or a type edited by hand): said as such,
      // without the Java class behind it
      String why = String.valueOf(e.getMessage());
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("No enum constant (?:[\\w$]+\\.)*([A-Za-z][\\w]*)\\.(\\w+)$").matcher(why);
      if (m.find()) {
        why = "unknown " + m.group(1).toLowerCase(Locale.ROOT) + " `" + m.group(2).toLowerCase(Locale.ROOT) + "`";
      }
      throw new RunnerException("not a valid saved plan: " + why);
    }
  }

  // ------------------------------------------------------------------ the desired state

  /** The parts of the target apply uses, as JSON: the host's objects and the nftables file. */
  static ObjectNode desired(Runner.Target t) {
    ObjectNode d = Json.object();
    HostState h = t.host();
    ObjectNode host = d.putObject("host");
    host.put("name", h.host());
    host.put("namespace", h.hostNamespace().name());
    ArrayNode ns = host.putArray("namespaces");
    for (Netns n : h.namespaces()) {
      ns.addObject().put("name", n.name()).put("endpoint", n.endpoint().orElse("")).put("mark", n.mark().orElse(""));
    }
    ArrayNode links = host.putArray("links");
    for (Link l : h.links()) {
      ObjectNode o = links.addObject();
      o.put("namespace", l.namespace()).put("name", l.name()).put("type", l.type().name()).put("alias", l.alias());
      l.mtu().ifPresent(m -> o.put("mtu", m));
      l.master().ifPresent(m -> o.put("master", m));
      l.peer().ifPresent(p -> o.putObject("peer").put("namespace", p.namespace()).put("name", p.name()));
      o.put("createsPeer", l.createsPeer());
      l.mac().ifPresent(m -> o.put("mac", m));
      if (l.hairpin()) {
        o.put("hairpin", true);
      }
      l.params().ifPresent(p -> {
        ObjectNode x = o.putObject("params");
        if (p instanceof Link.Vxlan v) {
          x.put("vni", v.vni()).put("port", v.port());
          v.local().ifPresent(a -> x.put("local", a.toString()));
          v.device().ifPresent(dev -> x.put("device", dev));
        } else if (p instanceof Link.Macvlan m) {
          x.put("parent", m.parent()).put("hostNamespace", m.hostNamespace()).put("mode", m.mode().name());
        } else if (p instanceof Link.Vlan v) {
          x.put("parent", v.parent()).put("id", v.id());
        }
      });
    }
    ArrayNode addresses = host.putArray("addresses");
    for (Address a : h.addresses()) {
      addresses.addObject().put("namespace", a.namespace()).put("device", a.device()).put("cidr", a.cidr());
    }
    ArrayNode routes = host.putArray("routes");
    for (Route r : h.routes()) {
      ObjectNode o = routes.addObject().put("namespace", r.namespace());
      r.destination().ifPresent(c -> o.put("to", c.toString()));
      o.put("via", r.via().toString()).put("device", r.device());
    }
    ArrayNode sysctls = host.putArray("sysctls");
    for (Sysctl s : h.sysctls()) {
      sysctls.addObject().put("namespace", s.namespace()).put("key", s.key()).put("value", s.value()).put("why", s.why());
    }
    ArrayNode files = host.putArray("files");
    for (NetnsFile f : h.files()) {
      files.addObject().put("netns", f.netns()).put("file", f.file()).put("content", f.content());
    }
    h.table().ifPresent(x -> host.putObject("table").put("namespace", x.namespace()).put("family", x.family())
        .put("name", x.name()).put("comment", x.comment()));
    ArrayNode bridges = host.putArray("bridges");
    for (Bridge b : h.bridges()) {
      bridges.addObject().put("network", b.network()).put("name", b.name()).put("internal", b.internal());
    }
    ArrayNode endpoints = host.putArray("endpoints");
    for (EndpointPlan e : h.endpoints()) {
      ObjectNode o = endpoints.addObject().put("endpoint", e.endpoint()).put("mode", e.mode().name())
          .put("namespace", e.namespace().orElse(""));
      ArrayNode is = o.putArray("interfaces");
      for (EndpointPlan.Interface i : e.interfaces()) {
        is.addObject().put("index", i.index()).put("network", i.network()).put("eth", i.eth()).put("veth", i.veth())
            .put("bridge", i.bridge());
      }
    }
    t.nft().ifPresent(n -> d.put("nft", n));
    return d;
  }

  private static HostState host(JsonNode h) {
    Netns hostNs = new Netns(text(h, "namespace"), Netns.Role.HOST, Optional.empty(), Optional.empty());
    List<Netns> namespaces = list(h.path("namespaces"), n -> new Netns(text(n, "name"), Netns.Role.ENDPOINT,
        Optional.of(text(n, "endpoint")), Optional.of(text(n, "mark"))));
    List<Link> links = list(h.path("links"), l -> new Link(text(l, "namespace"), text(l, "name"),
        Link.Type.valueOf(text(l, "type")), text(l, "alias"),
        l.has("mtu") ? OptionalInt.of(l.path("mtu").asInt()) : OptionalInt.empty(),
        optional(l, "master"),
        l.has("peer") ? Optional.of(new Link.Ref(text(l.path("peer"), "namespace"), text(l.path("peer"), "name")))
            : Optional.empty(),
        l.path("createsPeer").asBoolean(), optional(l, "mac"), params(l.path("params")),
        l.path("hairpin").asBoolean()));
    List<Address> addresses = list(h.path("addresses"), a -> {
      String[] cidr = text(a, "cidr").split("/", 2);
      return new Address(text(a, "namespace"), text(a, "device"), parsed(IpAddress.parse(cidr[0])),
          Integer.parseInt(cidr[1]));
    });
    List<Route> routes = list(h.path("routes"), r -> new Route(text(r, "namespace"),
        r.has("to") ? Optional.of(parsed(Cidr.parse(text(r, "to")))) : Optional.empty(),
        parsed(IpAddress.parse(text(r, "via"))), text(r, "device")));
    List<Sysctl> sysctls = list(h.path("sysctls"), s -> new Sysctl(text(s, "namespace"), text(s, "key"),
        text(s, "value"), text(s, "why")));
    List<NetnsFile> files = list(h.path("files"), f -> new NetnsFile(text(f, "netns"), text(f, "file"),
        text(f, "content")));
    JsonNode t = h.path("table");
    Optional<TableSpec> table = t.isObject() ? Optional.of(new TableSpec(text(t, "namespace"), text(t, "family"),
        text(t, "name"), text(t, "comment"))) : Optional.empty();
    List<Bridge> bridges = list(h.path("bridges"), b -> new Bridge(text(b, "network"), text(b, "name"),
        b.path("internal").asBoolean(), List.of()));
    List<EndpointPlan> endpoints = list(h.path("endpoints"), e -> new EndpointPlan(text(e, "endpoint"),
        NetMode.valueOf(text(e, "mode")), text(e, "namespace").isEmpty() ? Optional.empty() : Optional.of(text(e, "namespace")),
        list(e.path("interfaces"), i -> new EndpointPlan.Interface(i.path("index").asInt(), text(i, "network"),
            text(i, "eth"), text(i, "veth"), text(i, "bridge"), List.of()))));
    return new HostState(text(h, "name"), hostNs, namespaces, links, addresses, routes, sysctls, files, table,
        bridges, List.of(), endpoints, List.of());
  }

  /** What a VXLAN, macvlan or VLAN link is made of, as {@link #desired} writes it. */
  private static Optional<Link.Params> params(JsonNode p) {
    if (!p.isObject()) {
      return Optional.empty();
    }
    if (p.has("vni")) {
      return Optional.of(new Link.Vxlan(p.path("vni").asInt(), p.path("port").asInt(),
          p.has("local") ? Optional.of(parsed(IpAddress.parse(text(p, "local")))) : Optional.empty(), optional(p, "device")));
    }
    if (p.has("mode")) {
      return Optional.of(new Link.Macvlan(text(p, "parent"), text(p, "hostNamespace"),
          MacvlanMode.valueOf(text(p, "mode"))));
    }
    return Optional.of(new Link.Vlan(text(p, "parent"), p.path("id").asInt()));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (!v.isTextual()) {
      throw new IllegalArgumentException("`" + field + "` is missing or not a string");
    }
    return v.asText();
  }

  private static Optional<String> optional(JsonNode n, String field) {
    return n.has(field) ? Optional.of(text(n, field)) : Optional.empty();
  }

  private static <T> T parsed(Parsed<T> p) {
    if (!p.ok()) {
      throw new IllegalArgumentException(p.error());
    }
    return p.get();
  }

  private static <T> List<T> list(JsonNode array, Function<JsonNode, T> f) {
    List<T> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(f.apply(n));
    }
    return out;
  }
}
