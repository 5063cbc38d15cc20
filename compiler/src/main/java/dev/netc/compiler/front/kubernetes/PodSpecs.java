package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.ir.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what concerns the network in a pod spec: {@code hostNetwork}, and the name and {@code
 * ports} of each container and native sidecar (an init container with {@code restartPolicy:
 * Always}), which become the members of the pod and what they {@code expose}, and the named
 * ports services and policies refer to. Images, volumes, resources, probes and the
 * rest are not the network's business and are passed over quietly; {@code hostPort} and
 * {@code hostIP} are warned about (NETC023).
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
    List<Decl.Container> members = new ArrayList<>();
    List<Cluster.NamedPort> named = new ArrayList<>();
    Optional<At> containers = Fields.get(fields.get(), "containers");
    if (containers.isEmpty()) {
      f.missing(spec, "containers");
      return Optional.empty();
    }
    List<At> all = new ArrayList<>(f.list(containers.get()));
    Fields.get(fields.get(), "initContainers").map(f::list).orElse(List.of()).stream()
        .filter(this::sidecar).forEach(all::add);
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
