package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Spelling;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Reads where a service's network stack is: its {@code networks} (list or map form, with
 * {@code aliases}, {@code ipv4_address}, {@code ipv6_address} and {@code mac_address}) as
 * attachments, or its {@code network_mode} as a mode, Docker's default bridge, or the service
 * whose namespace it shares; with neither, the project's default network.
 */
final class AttachReader {
  /** An attachment being read; more settings (aliases, a MAC address) may still be added. */
  record Attach(Word network, List<Setting> settings, Span span) {
    Decl.Attach decl() {
      return new Decl.Attach(network, settings, span);
    }
  }

  private final Nodes nodes;
  private final Networks networks;

  AttachReader(Nodes nodes, Networks networks) {
    this.nodes = nodes;
    this.networks = networks;
  }

  /** Reads {@code networks} and {@code network_mode} of service {@code s} into it. */
  List<Attach> read(ComposeService s, Map<String, NodeTuple> f) {
    List<Attach> out = new ArrayList<>();
    String owner = "service `" + s.name.text() + "`";
    NodeTuple mode = f.get("network_mode");
    NodeTuple nets = f.get("networks");
    if (mode != null && nets != null) {
      nodes.diags().add(Diagnostic.of(Code.NETC033, nodes.key(nets).span(), owner
              + " has both `networks` and `network_mode`, which exclude each other")
          .withRelated(nodes.key(mode).span(), "`network_mode` is set here")
          .withHint("keep `networks` to join networks, or `network_mode` to share another stack"));
      return out;
    }
    if (mode != null) {
      nodes.scalar(mode.getValueNode(), "`network_mode` of " + owner)
          .ifPresent(w -> networkMode(s, w, nodes.key(mode), out));
      return out;
    }
    int listed = 0;
    if (nets != null && nets.getValueNode() instanceof MappingNode m) {
      for (NodeTuple t : nodes.map(m, "`networks` of " + owner).orElse(Map.of()).values()) {
        listed++;
        attach(s, nodes.key(t), Optional.of(t.getValueNode()), nodes.span(t), out);
      }
    } else if (nets != null) {
      Optional<List<Node>> items = nodes.list(nets.getValueNode(), "`networks` of " + owner);
      if (items.isEmpty()) {
        return out;
      }
      for (Node item : items.get()) {
        listed++;
        nodes.scalar(item, "a network of " + owner)
            .ifPresent(w -> attach(s, w, Optional.empty(), nodes.span(item), out));
      }
    }
    if (listed == 0) {
      // the project's default network, which may be Docker's `host`, `none` or `bridge` (`default:
      // {name: host, external: true}`): as when the service names it
      Networks.Target t = networks.projectDefault();
      Word key = new Word("default", s.name.span());
      if (t.kind() == Networks.Kind.NETWORK) {
        out.add(new Attach(new Word(t.network(), s.name.span()), new ArrayList<>(), s.name.span()));
      } else {
        attach(s, key, Optional.empty(), s.name.span(), out);
      }
    } else if (listed > 1) {
      s.settings.stream().filter(x -> x.keyword().text().equals("mode")).findFirst().ifPresent(m ->
          nodes.diags().add(Diagnostic.of(Code.NETC033, m.first().span(), owner + " is on the"
                  + " external network `" + m.first().span().text() + "`, Docker's `"
                  + m.first().text() + "` network, and on other networks, which exclude each other")
              .withHint("a service on Docker's `" + m.first().text() + "` network is on no other"
                  + " network: remove the others, or this one")));
    }
    return out;
  }

  private void networkMode(ComposeService s, Word w, Word key, List<Attach> out) {
    String m = w.text();
    Span span = key.span().to(w.span());
    switch (m) {
      case "host", "none" -> s.settings.add(new Setting(new Word("mode", key.span()), List.of(w), span));
      case "bridge" -> out.add(new Attach(new Word("default", w.span()), new ArrayList<>(), span));
      default -> {
        if (m.startsWith("service:")) {
          s.joins = Optional.of(Nodes.sub(w, "service:".length(), m.length()));
        } else if (m.startsWith("container:")) {
          nodes.diags().add(Diagnostic.of(Code.NETC032, w.span(), "service `" + s.name.text()
                  + "` shares the network stack of a container outside the project: netc models"
                  + " it with none (`network_mode: none`)")
              .withHint("use `network_mode: service:NAME` with a service of this file"));
          s.settings.add(new Setting(new Word("mode", key.span()), List.of(new Word("none", w.span())), span));
        } else {
          List<String> modes = List.of("bridge", "host", "none", "service:" + m, "container:" + m);
          nodes.diags().add(Diagnostic.of(Code.NETC105, w.span(), "unknown `network_mode` `" + m + "`")
              .withHint(Spelling.suggest(m, modes.subList(0, 3)).map(x -> "did you mean `" + x + "`?")
                  .orElse("the modes are `bridge`, `host`, `none`, `service:NAME` and"
                      + " `container:NAME`; to join a network, list it under `networks`")));
        }
      }
    }
  }

  /** One network of a service; {@code value} is the map form's entry value. */
  private void attach(ComposeService s, Word key, Optional<Node> value, Span span, List<Attach> out) {
    String owner = "network `" + key.text() + "` of service `" + s.name.text() + "`";
    Networks.Target t = networks.target(key.text());
    if (t.kind() == Networks.Kind.HOST || t.kind() == Networks.Kind.NONE) {
      String mode = t.kind() == Networks.Kind.HOST ? "host" : "none";
      s.settings.add(new Setting(new Word("mode", key.span()), List.of(new Word(mode, key.span())), span));
      return;
    }
    String network = t.kind() == Networks.Kind.BRIDGE ? "default" : t.network();
    List<Setting> settings = new ArrayList<>();
    Map<String, NodeTuple> f = value.flatMap(v -> nodes.map(v, owner)).orElse(Map.of());
    Fields.SERVICE_NETWORK.check(nodes, f, owner);
    NodeTuple aliases = f.get("aliases");
    if (aliases != null) {
      List<Word> names = new ArrayList<>();
      nodes.list(aliases.getValueNode(), "`aliases` of " + owner).orElse(List.of())
          .forEach(a -> nodes.scalar(a, "an alias of " + owner).ifPresent(names::add));
      settings.add(new Setting(new Word("alias", nodes.key(aliases).span()), names, nodes.span(aliases)));
    }
    address(f.get("ipv4_address"), false, owner, network, settings);
    address(f.get("ipv6_address"), true, owner, network, settings);
    NodeTuple mac = f.get("mac_address");
    if (mac != null) {
      nodes.scalar(mac.getValueNode(), "`mac_address` of " + owner).ifPresent(w -> settings.add(
          new Setting(new Word("mac", nodes.key(mac).span()), List.of(w), nodes.span(mac))));
    }
    out.add(new Attach(new Word(network, key.span()), settings, span));
  }

  private void address(NodeTuple t, boolean v6, String owner, String network, List<Setting> out) {
    if (t == null) {
      return;
    }
    Word k = nodes.key(t);
    Optional<Word> w = nodes.scalar(t.getValueNode(), "`" + k.text() + "` of " + owner);
    if (w.isEmpty()) {
      return;
    }
    if (w.get().text().contains(":") != v6) {
      nodes.diags().add(Diagnostic.of(Code.NETC205, w.get().span(), "`" + k.text() + "` of " + owner
              + " is an " + (v6 ? "IPv4" : "IPv6") + " address")
          .withHint("give it as `" + (v6 ? "ipv4_address" : "ipv6_address") + "`"));
      return;
    }
    if (!networks.hasSubnet(network, v6)) {
      // Docker: "user specified IP address is supported only when connecting to networks with
      // user configured subnets" (it chooses the subnet of the others, so an address in it is luck)
      nodes.diags().add(Diagnostic.of(Code.NETC033, w.get().span(), "`" + k.text() + "` of " + owner
              + " is refused by Docker: the network gives no " + (v6 ? "IPv6" : "IPv4") + " subnet in its `ipam.config`"
              + " (Docker chooses the subnet of such a network, and takes no address a service names in it)")
          .withHint("give the network `ipam: {config: [{subnet: ...}]}` with the address in it, or remove `" + k.text() + "`"));
      return;
    }
    out.add(new Setting(new Word("ip", k.span()), List.of(w.get()), nodes.span(t)));
  }
}
