package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Label;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.front.NetworkPrivileges;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads one service: its network stack ({@link AttachReader}), {@code ports}, {@code expose},
 * replicas ({@code deploy.replicas} or {@code scale}) and the names it resolves by. Every
 * endpoint carries the labels Docker Compose puts on its containers,
 * {@code com.docker.compose.project} and {@code com.docker.compose.service}.
 */
final class ServiceReader {
  private static final String LABEL_VALUE = "[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?";

  private final Nodes nodes;
  private final Networks networks;
  private final String project;

  ServiceReader(Nodes nodes, Networks networks, String project) {
    this.nodes = nodes;
    this.networks = networks;
    this.project = project;
  }

  Optional<ComposeService> read(NodeTuple entry) {
    Word name = nodes.key(entry);
    String owner = "service `" + name.text() + "`";
    Optional<Map<String, NodeTuple>> fields = nodes.map(entry.getValueNode(), owner);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Map<String, NodeTuple> f = fields.get();
    Fields.SERVICE.check(nodes, f, owner);
    privileges(f, owner);
    ComposeService s = new ComposeService(name, nodes.span(entry));
    label(s, "com.docker.compose.project", project);
    label(s, "com.docker.compose.service", name.text());
    Optional<Word> replicas = replicas(f, owner);
    replicas.ifPresent(r -> s.settings.add(new Setting(new Word("replicas", r.span()), List.of(r), r.span())));
    List<AttachReader.Attach> attaches = new AttachReader(nodes, networks).read(s, f);
    if (f.containsKey("ports")) {
      NodeTuple ports = f.get("ports");
      if (s.joins.isPresent()) {
        nodes.diags().add(Diagnostic.of(Code.NETC033, nodes.key(ports).span(), owner + " publishes"
                + " ports but shares the network stack of service `" + s.joins.get().text() + "`")
            .withHint("publish the ports on service `" + s.joins.get().text() + "`, as Docker"
                + " requires"));
      }
      PortReader reader = new PortReader(nodes);
      for (Node item : nodes.list(ports.getValueNode(), "`ports` of " + owner).orElse(List.of())) {
        reader.read(item, owner).ifPresent(s.publishes::add);
      }
    }
    if (f.containsKey("expose")) {
      NodeTuple expose = f.get("expose");
      List<Word> ports = new ArrayList<>();
      for (Node item : nodes.list(expose.getValueNode(), "`expose` of " + owner).orElse(List.of())) {
        nodes.scalar(item, "a port of `expose` of " + owner).ifPresent(ports::add);
      }
      if (!ports.isEmpty()) {
        s.exposes.add(new Setting(nodes.key(expose), ports, nodes.span(expose)));
      }
    }
    names(s, f, attaches, replicas.map(ServiceReader::count).orElse(1), owner);
    attaches.forEach(a -> s.attaches.add(a.decl()));
    return Optional.of(s);
  }

  /**
   * The settings of a service that change its network past what netc plans, which netc neither
   * applies nor models (NETC032): {@code privileged: true}, {@code cap_add} of {@code NET_ADMIN}
   * (or {@code ALL}), and the {@code sysctls} that decide how its interfaces route and answer
   * ({@link NetworkPrivileges}). Others ({@code net.core.somaxconn}, a capability such as {@code
   * SYS_TIME}) stay quiet, as fields that do not concern the network. The three fields are read,
   * so a value of a shape Compose refuses is NETC030, as for the other fields netc reads.
   */
  private void privileges(Map<String, NodeTuple> f, String owner) {
    String verify = "`netc matrix` and `verify` do not foresee what the container does with it;"
        + " drop it if the service does not need it";
    // (values interpolated and switches cast as Compose does: `privileged: ${PRIV:-yes}`)
    if (f.containsKey("privileged")
        && nodes.bool(f.get("privileged").getValueNode(), "`privileged` of " + owner).orElse(false)) {
      nodes.diags().add(Diagnostic.of(Code.NETC032, nodes.span(f.get("privileged")), "`privileged: true` of " + owner
          + " is not modelled: the container can change its own interfaces, routes and firewall, and netc"
          + " ignores it").withHint(verify));
    }
    if (f.containsKey("cap_add")) {
      for (Node c : nodes.list(f.get("cap_add").getValueNode(), "`cap_add` of " + owner).orElse(List.of())) {
        nodes.scalar(c, "a capability of `cap_add` of " + owner)
            .filter(w -> NetworkPrivileges.capability(w.text()))
            .ifPresent(w -> nodes.diags().add(Diagnostic.of(Code.NETC032, w.span(),
                "`cap_add: " + w.text() + "` of " + owner + " is not modelled: the container can change its own"
                    + " interfaces, routes and firewall, and netc ignores it").withHint(verify)));
      }
    }
    if (!f.containsKey("sysctls")) {
      return;
    }
    Node sysctls = f.get("sysctls").getValueNode();
    List<Word> keys = new ArrayList<>();
    if (sysctls instanceof SequenceNode list) {
      for (Node item : list.getValue()) {
        nodes.scalar(item, "an item of `sysctls` of " + owner).filter(w -> w.text().contains("="))
            .ifPresent(w -> keys.add(new Word(w.text().substring(0, w.text().indexOf('=')).strip(), w.span())));
      }
    } else if (sysctls instanceof org.snakeyaml.engine.v2.nodes.MappingNode || Nodes.isNull(sysctls)) {
      nodes.map(sysctls, "`sysctls` of " + owner).ifPresent(m -> m.values().forEach(t -> keys.add(nodes.key(t))));
    } else {
      nodes.wrongType(sysctls, "a mapping or a list of `KEY=VALUE`", "`sysctls` of " + owner);
    }
    for (Word k : keys) {
      if (NetworkPrivileges.sysctl(k.text())) {
        nodes.diags().add(Diagnostic.of(Code.NETC032, k.span(), "`sysctls` `" + k.text() + "` of " + owner
            + " is not modelled: it changes how the container's interfaces route and answer, and netc ignores it")
            .withHint(verify));
      }
    }
  }

  private void label(ComposeService s, String key, String value) {
    if (value.matches(LABEL_VALUE)) {
      s.labels.add(new Label(new Word(key, s.name.span()), new Word(value, s.name.span()), s.name.span()));
    }
  }

  /**
   * The replica count: {@code deploy.replicas} or {@code scale} (which must then agree), one for
   * {@code deploy.mode: global} (one per machine, and the topology is one machine).
   */
  private Optional<Word> replicas(Map<String, NodeTuple> f, String owner) {
    Optional<Word> deploy = Optional.empty();
    Optional<Word> global = Optional.empty();
    if (f.containsKey("deploy")) {
      String what = "`deploy` of " + owner;
      Map<String, NodeTuple> d = nodes.map(f.get("deploy").getValueNode(), what).orElse(Map.of());
      Fields.DEPLOY.check(nodes, d, "the `deploy` of " + owner);
      if (d.containsKey("mode")) {
        Optional<Word> mode = nodes.scalar(d.get("mode").getValueNode(), "`deploy.mode` of " + owner);
        mode.filter(m -> !m.text().equals("replicated") && !m.text().equals("global"))
            .ifPresent(m -> nodes.diags().add(Diagnostic.of(Code.NETC105, m.span(),
                "unknown `deploy.mode` `" + m.text() + "`").withHint("the modes are `replicated` and `global`")));
        global = mode.filter(m -> m.text().equals("global"));
      }
      if (d.containsKey("replicas")) {
        deploy = nodes.scalar(d.get("replicas").getValueNode(), "`deploy.replicas` of " + owner);
      }
    }
    Optional<Word> scale = f.containsKey("scale")
        ? nodes.scalar(f.get("scale").getValueNode(), "`scale` of " + owner) : Optional.empty();
    if (deploy.isPresent() && scale.isPresent() && !deploy.get().text().equals(scale.get().text())) {
      nodes.diags().add(Diagnostic.of(Code.NETC033, scale.get().span(), owner + " has `scale: "
              + scale.get().text() + "` but `deploy.replicas: " + deploy.get().text() + "`")
          .withRelated(deploy.get().span(), "`deploy.replicas` is set here")
          .withHint("keep one of them"));
    }
    Optional<Word> count = deploy.or(() -> scale);
    if (global.isPresent() && count.isPresent()) {
      // one container a machine, and the topology is one machine: the count is not what runs
      String field = deploy.isPresent() ? "deploy.replicas" : "scale";
      nodes.diags().add(Diagnostic.of(Code.NETC032, count.get().span(), owner + " runs in `deploy.mode: global`, one"
              + " container on each machine, and netc's topology is one machine: its `" + field + ": "
              + count.get().text() + "` is ignored")
          .withRelated(global.get().span(), "`deploy.mode: global` is set here")
          .withHint("remove `" + field + "`, or use `mode: replicated` for that many containers"));
      return Optional.empty();
    }
    return count;
  }

  /** The replica count of a valid word; the resolver reports an invalid one. */
  private static int count(Word w) {
    return w.text().matches("[0-9]{1,6}") ? Integer.parseInt(w.text()) : 1;
  }

  /** Whether an attachment's settings give it alias {@code name}. */
  private static boolean hasAlias(AttachReader.Attach a, String name) {
    return a.settings().stream().anyMatch(x -> x.keyword().text().equals("alias")
        && x.values().stream().anyMatch(v -> v.text().equals(name)));
  }

  /**
   * The names a service resolves by besides its endpoints' own: its service name on every replica
   * (Compose balances the name over them), its {@code container_name} and {@code hostname},
   * and a service-level {@code mac_address} on its first network.
   */
  private void names(ComposeService s, Map<String, NodeTuple> f, List<AttachReader.Attach> attaches,
      int replicas, String owner) {
    if (replicas > 1) {
      // (not where `aliases` names it already: an export of netc's writes it there)
      attaches.stream().filter(a -> !hasAlias(a, s.name.text())).forEach(a -> a.settings().add(
          new Setting(new Word("alias", s.name.span()), List.of(s.name), s.name.span())));
    }
    NodeTuple cn = f.get("container_name");
    Optional<Word> container = cn == null ? Optional.empty()
        : nodes.scalar(cn.getValueNode(), "`container_name` of " + owner);
    if (container.isPresent() && replicas > 1) {
      nodes.diags().add(Diagnostic.of(Code.NETC033, container.get().span(), owner + " has "
              + replicas + " replicas but one `container_name`, which only one container can have")
          .withHint("remove `container_name`; the replicas resolve by the service's name"));
    } else if (container.isPresent() && !container.get().text().equals(s.name.text())) {
      Word c = container.get();
      attaches.stream().filter(a -> !hasAlias(a, c.text())).forEach(a -> a.settings().add(
          new Setting(new Word("alias", nodes.key(cn).span()), List.of(c), nodes.span(cn))));
    }
    // the hostname: one of the container's DNS names on its networks, as Docker (Engine 25 and
    // later) gives it, and in its own hosts file; one that is no DNS label (`api.example.com`)
    // cannot be a netc name, and is passed over as before
    NodeTuple hn = f.get("hostname");
    Optional<Word> hostname = hn == null ? Optional.empty() : nodes.scalar(hn.getValueNode(), "`hostname` of " + owner)
        .filter(h -> dev.netc.compiler.ir.DnsLabel.is(h.text()));
    if (hostname.isPresent() && !hostname.get().text().equals(s.name.text())
        && !container.map(Word::text).equals(Optional.of(hostname.get().text()))) {
      Word h = hostname.get();
      attaches.stream().filter(a -> !hasAlias(a, h.text())).forEach(a -> a.settings().add(
          new Setting(new Word("alias", nodes.key(hn).span()), List.of(h), nodes.span(hn))));
    }
    NodeTuple mac = f.get("mac_address");
    if (mac != null && !attaches.isEmpty()) {
      nodes.scalar(mac.getValueNode(), "`mac_address` of " + owner).ifPresent(w -> attaches.get(0)
          .settings().add(new Setting(new Word("mac", nodes.key(mac).span()), List.of(w), nodes.span(mac))));
    }
  }
}
