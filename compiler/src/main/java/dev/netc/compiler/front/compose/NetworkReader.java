package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Spelling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Reads the top-level {@code networks} of a Compose file into network declarations: driver,
 * {@code internal}, {@code ipam.config} (subnet, gateway, ip_range as the pool, aux_addresses as
 * reserved addresses) and the driver options netc has a setting for. Values are passed on as
 * written; the resolver checks them as it checks a {@code .netc} file's.
 */
final class NetworkReader {
  private static final List<String> DRIVERS = List.of("bridge", "overlay", "macvlan");
  /** Driver options and the netc setting each one is. */
  private static final Map<String, String> DRIVER_OPTS = Map.of(
      "parent", "parent",
      "macvlan_mode", "mode",
      "com.docker.network.driver.mtu", "mtu",
      "encrypted", "encrypted",
      "com.docker.network.driver.overlay.vxlanid_list", "vni");

  private final Nodes nodes;

  NetworkReader(Nodes nodes) {
    this.nodes = nodes;
  }

  void read(NodeTuple top, Networks into) {
    Optional<Map<String, NodeTuple>> all = nodes.map(top.getValueNode(), "`networks`");
    if (all.isEmpty()) {
      return;
    }
    for (NodeTuple t : all.get().values()) {
      Word key = nodes.key(t);
      String owner = "network `" + key.text() + "`";
      Optional<Map<String, NodeTuple>> fields = nodes.map(t.getValueNode(), owner);
      if (fields.isEmpty()) {
        continue;
      }
      Fields.NETWORK.check(nodes, fields.get(), owner);
      Word name = new Word(into.netcName(key.text()), key.span());
      if (external(key, fields.get(), owner, into)) {
        continue;
      }
      List<Setting> settings = new ArrayList<>();
      Map<String, NodeTuple> f = fields.get();
      if (f.containsKey("driver")) {
        driver(f.get("driver"), owner).ifPresent(settings::add);
      }
      if (f.containsKey("driver_opts")) {
        driverOpts(f.get("driver_opts"), owner, settings);
      }
      if (f.containsKey("ipam")) {
        ipam(f.get("ipam"), owner, settings);
      }
      if (f.containsKey("internal") && nodes.bool(f.get("internal").getValueNode(),
          "`internal` of " + owner).orElse(false)) {
        settings.add(new Setting(nodes.key(f.get("internal")), List.of(), nodes.span(f.get("internal"))));
      }
      if (f.containsKey("enable_ipv6")) {
        enableIpv6(f.get("enable_ipv6"), owner, settings);
      }
      if (f.containsKey("enable_ipv4")
          && !nodes.bool(f.get("enable_ipv4").getValueNode(), "`enable_ipv4` of " + owner).orElse(true)) {
        nodes.diags().add(Diagnostic.of(Code.NETC032, nodes.key(f.get("enable_ipv4")).span(),
                "`enable_ipv4: false` of " + owner + " is not supported: netc gives every network"
                + " an IPv4 subnet")
            .withHint("remove `enable_ipv4`; netc gives the network an IPv4 subnet beside any IPv6 one"));
      }
      into.declare(key.text(), new Decl.Network(name, settings, nodes.span(t)));
    }
  }

  /**
   * An external network is not the project's: {@code host}, {@code none} and {@code bridge} are
   * Docker's own and mean a mode or Docker's default bridge; any other is modelled as a bridge
   * of the topology, with a NETC032. True when the network is external.
   */
  private boolean external(Word key, Map<String, NodeTuple> f, String owner, Networks into) {
    NodeTuple ext = f.get("external");
    if (ext == null) {
      return false;
    }
    Optional<String> legacyName = Optional.empty();
    Node v = ext.getValueNode();
    if (v instanceof org.snakeyaml.engine.v2.nodes.MappingNode) {
      NodeTuple n = nodes.map(v, "`external` of " + owner).orElse(Map.of()).get("name");
      legacyName = n == null ? Optional.empty() : nodes.scalar(n.getValueNode(), "`external.name`").map(Word::text);
    } else if (!nodes.bool(v, "`external` of " + owner).orElse(false)) {
      return false;
    }
    String docker = legacyName.or(() -> Optional.ofNullable(f.get("name"))
        .flatMap(n -> nodes.scalar(n.getValueNode(), "`name` of " + owner)).map(Word::text))
        .orElse(key.text());
    switch (docker) {
      case "host" -> into.declareSpecial(key.text(), Networks.Kind.HOST);
      case "none" -> into.declareSpecial(key.text(), Networks.Kind.NONE);
      case "bridge" -> into.declareSpecial(key.text(), Networks.Kind.BRIDGE);
      default -> {
        nodes.diags().add(Diagnostic.of(Code.NETC032, nodes.key(ext).span(), owner
                + " is external: netc does not know its settings and models it as a bridge"
                + " network of this topology")
            .withHint("declare the network in this file, with its `ipam` settings, to model it"
                + " as it is"));
        into.declare(key.text(), new Decl.Network(new Word(into.netcName(key.text()), key.span()),
            List.of(), nodes.span(ext)));
      }
    }
    return true;
  }

  private Optional<Setting> driver(NodeTuple t, String owner) {
    Optional<Word> w = nodes.scalar(t.getValueNode(), "`driver` of " + owner);
    if (w.isEmpty()) {
      return Optional.empty();
    }
    if (DRIVERS.contains(w.get().text())) {
      return Optional.of(new Setting(nodes.key(t), List.of(w.get()), nodes.span(t)));
    }
    nodes.diags().add(Diagnostic.of(Code.NETC032, w.get().span(), "driver `" + w.get().text()
            + "` of " + owner + " is not supported: netc models the network as a bridge")
        .withHint(Spelling.suggest(w.get().text(), DRIVERS).map(s -> "did you mean `" + s + "`?")
            .orElse("netc supports the drivers `bridge`, `overlay` and `macvlan`")));
    return Optional.empty();
  }

  private void driverOpts(NodeTuple t, String owner, List<Setting> out) {
    for (NodeTuple o : nodes.map(t.getValueNode(), "`driver_opts` of " + owner).orElse(Map.of()).values()) {
      Word k = nodes.key(o);
      String setting = DRIVER_OPTS.get(k.text());
      if (setting == null) {
        nodes.diags().add(Diagnostic.of(Code.NETC032, k.span(), "driver option `" + k.text()
                + "` of " + owner + " is not supported: netc ignores it")
            .withHint("netc reads the driver options `" + String.join("`, `",
                DRIVER_OPTS.keySet().stream().sorted().toList()) + "`"));
        continue;
      }
      Optional<Word> v = nodes.scalar(o.getValueNode(), "driver option `" + k.text() + "` of " + owner);
      if (v.isPresent()) {
        List<Word> values = setting.equals("encrypted") ? List.of() : List.of(v.get());
        out.add(new Setting(new Word(setting, k.span()), values, nodes.span(o)));
      }
    }
  }

  private void ipam(NodeTuple t, String owner, List<Setting> out) {
    Map<String, NodeTuple> f = nodes.map(t.getValueNode(), "`ipam` of " + owner).orElse(Map.of());
    Fields.IPAM.check(nodes, f, "the `ipam` of " + owner);
    if (f.containsKey("driver")) {
      nodes.scalar(f.get("driver").getValueNode(), "`ipam.driver` of " + owner)
          .filter(d -> !d.text().equals("default"))
          .ifPresent(d -> nodes.diags().add(Diagnostic.of(Code.NETC032, d.span(), "IPAM driver `"
                  + d.text() + "` of " + owner + " is not supported: netc assigns the addresses")
              .withHint("remove `driver`, or give the addresses under `ipam.config`")));
    }
    if (!f.containsKey("config")) {
      return;
    }
    for (Node item : nodes.list(f.get("config").getValueNode(), "`ipam.config` of " + owner).orElse(List.of())) {
      Map<String, NodeTuple> c = nodes.map(item, "an `ipam.config` entry of " + owner).orElse(Map.of());
      Fields.IPAM_CONFIG.check(nodes, c, "an `ipam.config` entry of " + owner);
      setting(c.get("subnet"), "subnet", owner, out);
      setting(c.get("gateway"), "gateway", owner, out);
      setting(c.get("ip_range"), "pool", owner, out);
      if (c.containsKey("aux_addresses")) {
        NodeTuple aux = c.get("aux_addresses");
        List<Word> reserved = new ArrayList<>();
        for (NodeTuple a : nodes.map(aux.getValueNode(), "`aux_addresses` of " + owner).orElse(Map.of()).values()) {
          nodes.scalar(a.getValueNode(), "aux address `" + nodes.key(a).text() + "`").ifPresent(reserved::add);
        }
        if (!reserved.isEmpty()) {
          out.add(new Setting(new Word("reserve", nodes.key(aux).span()), reserved, nodes.span(aux)));
        }
      }
    }
  }

  /** One value under a netc keyword, spanning the Compose key. */
  private void setting(NodeTuple t, String keyword, String owner, List<Setting> out) {
    if (t == null) {
      return;
    }
    Word k = nodes.key(t);
    nodes.scalar(t.getValueNode(), "`" + k.text() + "` of " + owner).ifPresent(v ->
        out.add(new Setting(new Word(keyword, k.span()), List.of(v), nodes.span(t))));
  }

  private void enableIpv6(NodeTuple t, String owner, List<Setting> settings) {
    boolean on = nodes.bool(t.getValueNode(), "`enable_ipv6` of " + owner).orElse(false);
    boolean v6 = settings.stream().anyMatch(s -> s.keyword().text().equals("subnet")
        && s.first().text().contains(":"));
    if (on && !v6) {
      nodes.diags().add(Diagnostic.of(Code.NETC032, nodes.key(t).span(), "`enable_ipv6` of " + owner
              + " without an IPv6 subnet: netc gives the network no IPv6 subnet")
          .withHint("add an IPv6 `subnet` under `ipam.config`, as `- subnet: fd00:1::/64`"));
    }
  }
}
