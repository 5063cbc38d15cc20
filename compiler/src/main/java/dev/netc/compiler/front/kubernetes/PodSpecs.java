package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.front.NetworkPrivileges;
import dev.netc.compiler.ir.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads what concerns the network in a pod spec: {@code hostNetwork}, and the name and {@code
 * ports} of each container and native sidecar (an init container with {@code restartPolicy:
 * Always}), which become the members of the pod and what they {@code expose}, and the named
 * ports services and policies refer to. Images, volumes, resources, probes and the
 * rest are not the network's business and are passed over quietly; {@code hostPort} and
 * {@code hostIP} are warned about (NETC023), and so are the settings that let a container change
 * its own network (privileged, {@code NET_ADMIN}, the sysctls of its interfaces).
 */
final class PodSpecs {
  /** The network part of a pod spec. */
  record Shape(Optional<At> hostNetwork, List<Decl.Container> members,
      List<Cluster.NamedPort> namedPorts) {}

  private final Fields f;

  PodSpecs(Fields f) {
    this.f = f;
  }

  Optional<Shape> read(At spec) {
    Optional<Map<String, At>> fields = f.map(spec);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Optional<At> hostNetwork = Fields.get(fields.get(), "hostNetwork").filter(f::bool);
    sysctls(fields.get());
    List<Decl.Container> members = new ArrayList<>();
    List<Cluster.NamedPort> named = new ArrayList<>();
    Optional<At> containers = Fields.get(fields.get(), "containers");
    if (containers.isEmpty()) {
      f.missing(spec, "containers");
      return Optional.empty();
    }
    List<At> all = new ArrayList<>(f.list(containers.get()));
    List<At> init = Fields.get(fields.get(), "initContainers").map(f::list).orElse(List.of());
    init.stream().filter(this::sidecar).forEach(all::add);
    // an init container that has finished is no member, but what it did to the pod's network
    // stays (istio-init rewrites its firewall): its privileges are told too
    init.stream().filter(c -> !sidecar(c)).forEach(c -> mapping(c).ifPresent(m ->
        Fields.get(m, "name").flatMap(f::scalar).ifPresent(n -> privileges(m, n))));
    boolean ok = true;
    for (At c : all) {
      Optional<Decl.Container> m = container(c, named);
      ok &= m.isPresent();
      m.ifPresent(members::add);
    }
    return ok ? Optional.of(new Shape(hostNetwork, members, named)) : Optional.empty();
  }

  /**
   * Whether an init container runs beside the others for the pod's life, and so serves its ports:
   * a native sidecar, {@code restartPolicy: Always}. Other init containers have finished before
   * the pod serves anything.
   */
  private boolean sidecar(At c) {
    return f.map(c).flatMap(m -> Fields.get(m, "restartPolicy")).flatMap(f::scalar)
        .map(w -> w.text().equals("Always")).orElse(false);
  }

  private Optional<Decl.Container> container(At c, List<Cluster.NamedPort> named) {
    Optional<Map<String, At>> fields = f.map(c);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Optional<Word> name = f.required(fields.get(), "name", c);
    name.ifPresent(n -> privileges(fields.get(), n));
    List<Word> exposes = new ArrayList<>();
    boolean ok = name.isPresent();
    Optional<At> portsAt = Fields.get(fields.get(), "ports");
    for (At p : portsAt.map(f::list).orElse(List.of())) {
      ok &= port(p, exposes, named);
    }
    if (!ok) {
      return Optional.empty();
    }
    List<Setting> expose = new ArrayList<>();
    if (!exposes.isEmpty()) {
      Word keyword = new Word("expose", portsAt.get().where());
      expose.add(new Setting(keyword, exposes, portsAt.get().where()));
    }
    return Optional.of(new Decl.Container(false, name.get(), List.of(), List.of(), List.of(),
        List.of(), expose, List.of(), f.yaml().span(c.node())));
  }

  private static final String UNFORESEEN = "`netc matrix` and `verify` do not foresee what the container does with"
      + " it; drop it if the container does not need it";

  /**
   * The settings of a container that let it change its own network past what netc plans, which
   * netc neither applies nor models (NETC023): {@code securityContext.privileged: true} and
   * {@code securityContext.capabilities.add} of {@code NET_ADMIN} (or {@code ALL}). Other
   * capabilities stay quiet; values of another shape are left alone (the API server refuses them).
   */
  private void privileges(Map<String, At> container, Word name) {
    Optional<Map<String, At>> sc = Fields.get(container, "securityContext").flatMap(this::mapping);
    if (sc.isEmpty()) {
      return;
    }
    // (a boolean as Kubernetes reads YAML: `yes` and `on` are true too)
    Fields.get(sc.get(), "privileged").filter(at -> at.node() instanceof ScalarNode && f.bool(at))
        .ifPresent(at -> f.unsupported(at, "netc does not model `privileged: true` of container `" + name.text()
            + "` of " + f.owner() + ": the container can change its own interfaces, routes and firewall", UNFORESEEN));
    Optional<At> add = Fields.get(sc.get(), "capabilities").flatMap(this::mapping).flatMap(m -> Fields.get(m, "add"))
        .filter(at -> at.node() instanceof SequenceNode);
    for (At cap : add.map(f::list).orElse(List.of())) {
      if (cap.node() instanceof ScalarNode x && NetworkPrivileges.capability(x.getValue())) {
        f.unsupported(cap, "netc does not model capability `" + x.getValue() + "` of container `" + name.text()
            + "` of " + f.owner() + ": the container can change its own interfaces, routes and firewall", UNFORESEEN);
      }
    }
  }

  /**
   * The pod's {@code securityContext.sysctls} that decide how its interfaces route and answer
   * ({@link NetworkPrivileges#sysctl}), which netc neither applies nor models (NETC023); others
   * ({@code net.ipv4.tcp_keepalive_time}) stay quiet.
   */
  private void sysctls(Map<String, At> spec) {
    Optional<At> sysctls = Fields.get(spec, "securityContext").flatMap(this::mapping)
        .flatMap(m -> Fields.get(m, "sysctls")).filter(at -> at.node() instanceof SequenceNode);
    for (At item : sysctls.map(f::list).orElse(List.of())) {
      Optional<At> name = mapping(item).flatMap(m -> Fields.get(m, "name"))
          .filter(at -> at.node() instanceof ScalarNode);
      if (name.isEmpty()) {
        continue;
      }
      String key = ((ScalarNode) name.get().node()).getValue();
      if (NetworkPrivileges.sysctl(key)) {
        // at the value, the sysctl's name
        At at = new At(name.get().node(), name.get().path(), f.yaml().span(name.get().node()));
        f.unsupported(at, "netc does not model sysctl `" + key + "` of " + f.owner() + ": it changes how the pod's"
            + " interfaces route and answer", "`netc matrix` and `verify` do not foresee what the pod does with it;"
            + " drop it if the pod does not need it");
      }
    }
  }

  /** A mapping's entries, or nothing (without a word) when {@code at} is of another shape. */
  private Optional<Map<String, At>> mapping(At at) {
    return at.node() instanceof MappingNode ? f.map(at) : Optional.empty();
  }

  private boolean port(At p, List<Word> exposes, List<Cluster.NamedPort> named) {
    Optional<Map<String, At>> fields = f.map(p);
    if (fields.isEmpty()) {
      return false;
    }
    for (String host : List.of("hostPort", "hostIP")) {
      Fields.get(fields.get(), host).ifPresent(at -> f.unsupported(at, "netc does not model `"
              + host + "`: the port is not opened on the host, only in the pod network",
          "expose the pod through a Service of type NodePort instead, which netc models"));
    }
    f.unknownFields(fields.get(), List.of("containerPort", "protocol", "name"),
        List.of("hostPort", "hostIP"));
    Optional<Word> number = f.required(fields.get(), "containerPort", p);
    Optional<Protocol> protocol = Ports.protocol(f, fields.get());
    Optional<Word> name = Fields.get(fields.get(), "name").flatMap(f::scalar);
    if (number.isEmpty() || protocol.isEmpty()) {
      return false;
    }
    exposes.add(Ports.word(number.get(), protocol.get()));
    if (name.isPresent() && Ports.isNumber(number.get()) && number.get().text().length() <= 5) {
      named.add(new Cluster.NamedPort(name.get().text(), Integer.parseInt(number.get().text()),
          protocol.get()));
    }
    return true;
  }
}
