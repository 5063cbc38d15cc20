package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Label;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Turns Pods and the controllers that make pods into pod declarations. A Pod is one pod; the
 * replicas of a Deployment, ReplicaSet or ReplicationController are {@code NAME-1} to {@code
 * NAME-N} (stable names in place of Kubernetes' random suffixes), those of a StatefulSet {@code
 * NAME-0} to {@code NAME-(N-1)}, as Kubernetes names them; a DaemonSet runs one pod per host, and
 * a topology read from Kubernetes YAML has the one host {@code local}, so its pod is {@code
 * NAME-local}. Every pod carries its template's labels and sits on the pod network.
 */
final class Workloads {
  static final int MAX_REPLICAS = 10000;

  /** The pods of the Pod or workload {@code o}; after an error it reports, the caller leaves them out. */
  List<Cluster.Pod> read(KubeObject o) {
    Fields f = o.f();
    if (o.kind().text().equals("Pod")) {
      Map<String, At> metadata = Fields.get(o.fields(), "metadata").flatMap(f::map).orElse(Map.of());
      if (finished(o)) {
        return List.of();
      }
      Optional<At> spec = Fields.get(o.fields(), "spec");
      if (spec.isEmpty()) {
        f.missing(o.root(), "spec");
        return List.of();
      }
      List<Word> ips = addresses(o);
      return pods(o, List.of(o.name()), metadata, spec.get(), ips);
    }
    Optional<Map<String, At>> spec = Fields.get(o.fields(), "spec").flatMap(f::map);
    if (spec.isEmpty()) {
      if (Fields.get(o.fields(), "spec").isEmpty()) {
        f.missing(o.root(), "spec");
      }
      return List.of();
    }
    Optional<At> template = Fields.get(spec.get(), "template");
    if (template.isEmpty()) {
      f.missing(o.fields().get("spec"), "template");
      return List.of();
    }
    Optional<Map<String, At>> t = f.map(template.get());
    if (t.isEmpty()) {
      return List.of();
    }
    Map<String, At> metadata = Fields.get(t.get(), "metadata").flatMap(f::map).orElse(Map.of());
    Optional<At> podSpec = Fields.get(t.get(), "spec");
    if (podSpec.isEmpty()) {
      f.missing(template.get(), "spec");
      return List.of();
    }
    List<Word> names = replicaNames(o, spec.get());
    return pods(o, names, metadata, podSpec.get(), List.of());
  }

  private List<Word> replicaNames(KubeObject o, Map<String, At> spec) {
    String kind = o.kind().text();
    String base = o.name().text();
    if (kind.equals("DaemonSet")) {
      return List.of(new Word(base + "-" + Host.IMPLICIT, o.name().span()));
    }
    Optional<At> replicasAt = Fields.get(spec, "replicas");
    OptionalInt replicas = replicasAt.isPresent()
        ? o.f().integer(replicasAt.get(), 0, MAX_REPLICAS, "a replica count") : OptionalInt.of(1);
    List<Word> out = new ArrayList<>();
    int first = kind.equals("StatefulSet") ? 0 : 1;
    for (int i = 0; i < replicas.orElse(0); i++) {
      out.add(new Word(base + "-" + (first + i), o.name().span()));
    }
    return out;
  }

  /** The pods {@code names} of one template (read once, so its errors are reported once). */
  private List<Cluster.Pod> pods(KubeObject o, List<Word> names, Map<String, At> metadata, At spec, List<Word> ips) {
    Fields f = o.f();
    List<Label> labels = Fields.get(metadata, "labels").map(l -> new Selectors(f).labels(l))
        .orElse(List.of());
    Fields.get(metadata, "annotations").flatMap(f::map)
        .flatMap(a -> Fields.get(a, "k8s.v1.cni.cncf.io/networks"))
        .ifPresent(a -> f.unsupported(a, "netc does not model the extra networks Multus attaches"
            + " to " + o.describe(), "the pod is placed on the pod network only"));
    Optional<PodSpecs.Shape> shape = new PodSpecs(f).read(spec);
    if (shape.isEmpty()) {
      return List.of();
    }
    List<Cluster.Pod> out = new ArrayList<>();
    Map<String, String> labelMap = new TreeMap<>();
    labels.forEach(l -> labelMap.put(l.key().text(), l.value().text()));
    for (Word name : names) {
      List<Setting> settings = new ArrayList<>();
      List<Decl.Attach> attaches = new ArrayList<>();
      if (shape.get().hostNetwork().isPresent()) {
        At hn = shape.get().hostNetwork().get();
        Word value = f.scalar(hn).orElseThrow();
        settings.add(new Setting(new Word("mode", hn.where()), List.of(new Word("host", value.span())),
            hn.where()));
      } else {
        List<Setting> ip = ips.isEmpty() ? List.of()
            : List.of(new Setting(new Word("ip", ips.get(0).span()), ips, ips.get(0).span()));
        attaches.add(new Decl.Attach(new Word(PodNetwork.NAME, name.span()), ip, name.span()));
      }
      Decl.Container decl = new Decl.Container(true, name, labels, settings, attaches, List.of(),
          List.of(), shape.get().members(), o.name().span());
      out.add(new Cluster.Pod(o.namespace().text(), labelMap, shape.get().namedPorts(), decl));
    }
    return out;
  }

  /** A Pod that has run to completion has no network any more: it is left out (NETC024). */
  private static boolean finished(KubeObject o) {
    Fields f = o.f();
    Optional<Word> phase = Fields.get(o.fields(), "status").flatMap(f::map)
        .flatMap(s -> Fields.get(s, "phase")).flatMap(f::scalar);
    if (phase.isPresent() && (phase.get().text().equals("Succeeded") || phase.get().text().equals("Failed"))) {
      f.diags().add(Diagnostic.of(Code.NETC024, phase.get().span(), o.describe() + " has finished (phase `"
              + phase.get().text() + "`), so it has no network and is left out")
          .withHint("its address may already belong to another pod; remove it from the input"));
      return true;
    }
    return false;
  }

  /**
   * The addresses a Pod left out for an error (of top-level fields {@code fields}) has on the pod
   * network, as it would once fixed: every address in {@code status.podIPs}, else in {@code
   * status.podIP}, whatever their shape (an error there may be what leaves the Pod out); none
   * when it has finished or runs in the host's network, nor when whether it does is not known (a
   * {@code hostNetwork} that is neither true nor false, a {@code spec} that is no mapping): its
   * address may be its host's, which says nothing of the pod network. Nothing is reported.
   */
  static List<IpAddress> addressesOfLeftOut(Fields f, Map<String, At> fields) {
    Fields quiet = new Fields(f.yaml(), new Diagnostics(), "");
    Optional<Map<String, At>> status = Fields.get(fields, "status").flatMap(quiet::map);
    boolean finished = status.flatMap(s -> Fields.get(s, "phase")).flatMap(quiet::scalar)
        .map(w -> w.text().equals("Succeeded") || w.text().equals("Failed")).orElse(false);
    // on the pod network only when known not to be in the host's: `hostNetwork` absent or false
    Optional<At> specAt = Fields.get(fields, "spec");
    Optional<Map<String, At>> spec = specAt.flatMap(quiet::map);
    Optional<At> hostNetwork = spec.flatMap(s -> Fields.get(s, "hostNetwork"));
    int errors = quiet.diags().errorCount();
    boolean host = hostNetwork.map(quiet::bool).orElse(false);
    boolean unknown = (specAt.isPresent() && spec.isEmpty()) || quiet.diags().errorCount() != errors;
    if (status.isEmpty() || finished || host || unknown) {
      return List.of();
    }
    List<IpAddress> out = new ArrayList<>();
    Fields.get(status.get(), "podIPs").ifPresent(at -> addresses(quiet, at, out));
    if (out.isEmpty()) {
      Fields.get(status.get(), "podIP").ifPresent(at -> addresses(quiet, at, out));
    }
    return out;
  }

  /** Every IP address among the scalars of {@code at}, at any depth. */
  private static void addresses(Fields quiet, At at, List<IpAddress> out) {
    if (at.node() instanceof MappingNode) {
      quiet.map(at).orElseThrow().values().forEach(v -> addresses(quiet, v, out));
    } else if (at.node() instanceof SequenceNode) {
      quiet.list(at).forEach(v -> addresses(quiet, v, out));
    } else {
      quiet.scalar(at).flatMap(w -> IpAddress.parse(w.text()).value()).ifPresent(out::add);
    }
  }

  /** {@code status.podIPs}, else {@code status.podIP}, as {@code kubectl get -o yaml} prints them. */
  private static List<Word> addresses(KubeObject o) {
    Fields f = o.f();
    Optional<Map<String, At>> status = Fields.get(o.fields(), "status").flatMap(f::map);
    if (status.isEmpty()) {
      return List.of();
    }
    List<Word> out = new ArrayList<>();
    Optional<At> podIPs = Fields.get(status.get(), "podIPs");
    for (At item : podIPs.map(f::list).orElse(List.of())) {
      f.map(item).flatMap(m -> f.required(m, "ip", item)).ifPresent(out::add);
    }
    if (out.isEmpty()) {
      Fields.get(status.get(), "podIP").flatMap(f::scalar).ifPresent(out::add);
    }
    return out;
  }
}
