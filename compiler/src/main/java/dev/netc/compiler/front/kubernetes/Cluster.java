package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Label;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Selector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the Kubernetes front end has learnt of the cluster so far: its namespaces, in the order
 * they are first named, and its pods, in document order. Services and policies are read against
 * it, to resolve named ports; it then becomes the declarations.
 */
final class Cluster {
  /** The label every namespace carries, as in Kubernetes 1.21 and later. */
  static final String NAME_LABEL = "kubernetes.io/metadata.name";

  /** A namespace: its labels as written and the declarations that belong to it. */
  static final class Namespace {
    final Word name;
    final List<Label> labels = new ArrayList<>();
    final List<Decl> members = new ArrayList<>();

    Namespace(Word name) {
      this.name = name;
    }

    /** The labels selectors see, {@code kubernetes.io/metadata.name} included. */
    Map<String, String> labelMap() {
      Map<String, String> out = new TreeMap<>();
      labels.forEach(l -> out.put(l.key().text(), l.value().text()));
      out.put(NAME_LABEL, name.text());
      return out;
    }
  }

  /** A named container port: {@code name} is {@code number} in {@code protocol}. */
  record NamedPort(String name, int number, Protocol protocol) {}

  /** One pod: where it is, its labels and named ports, and its declaration. */
  record Pod(String namespace, Map<String, String> labels, List<NamedPort> namedPorts,
      Decl.Container decl) {}

  private final Map<String, Namespace> namespaces = new LinkedHashMap<>();
  private final List<Pod> pods = new ArrayList<>();
  private final List<IpAddress> leftOutPodAddresses = new ArrayList<>();
  private boolean podsMayBeMissing;

  /**
   * Notes that an object was left out for an error: of kind {@code kind}, or of a kind that
   * cannot be told (a document that does not read, one without a kind).
   */
  void leftOut(Optional<String> kind) {
    podsMayBeMissing |= kind.map(k -> Kinds.WORKLOADS.contains(k) || k.equals("Namespace")).orElse(true);
  }

  /**
   * Whether an object left out for an error may have had pods, or namespace labels that
   * namespace selectors read: a workload, a Namespace, or an object whose kind cannot be told.
   * Then a selector that matches no pod, or a port name no pod has, may be its doing.
   */
  boolean podsMayBeMissing() {
    return podsMayBeMissing;
  }

  /**
   * Notes the pod network addresses of a Pod left out for an error ({@code status.podIP}): they
   * still count for the pod network's subnet ({@link PodNetwork}), which fixing the Pod must not
   * change, lest a finding about the subnet (a Service address inside it, NETC226) come and go.
   */
  void leftOutPodAddresses(List<IpAddress> addresses) {
    leftOutPodAddresses.addAll(addresses);
  }

  /** The addresses {@link #leftOutPodAddresses(List)} noted, in order. */
  List<IpAddress> leftOutPodAddresses() {
    return leftOutPodAddresses;
  }

  /** The namespace of that name, made on first use (named by {@code name}'s first occurrence). */
  Namespace namespace(Word name) {
    return namespaces.computeIfAbsent(name.text(), k -> new Namespace(name));
  }

  void add(Pod pod, Word namespace) {
    pods.add(pod);
    namespace(namespace).members.add(pod.decl());
  }

  List<Pod> pods() {
    return pods;
  }

  /** The pods of namespace {@code ns} whose labels match. */
  List<Pod> pods(String ns, Selector selector) {
    return pods.stream().filter(p -> p.namespace().equals(ns) && selector.matches(p.labels())).toList();
  }

  /** The pods of the namespaces whose labels match {@code namespaces}, whose labels match. */
  List<Pod> pods(Selector namespaceSelector, Selector selector) {
    return pods.stream().filter(p -> selector.matches(p.labels())
        && namespaceSelector.matches(labelsOf(p.namespace()))).toList();
  }

  private Map<String, String> labelsOf(String ns) {
    Namespace n = namespaces.get(ns);
    return n == null ? Map.of(NAME_LABEL, ns) : n.labelMap();
  }

  /**
   * One namespace declaration per namespace, each with its labels and members. A pod's name is
   * not a cluster DNS name, and a Service's is: a pod named as a Service of its namespace (a bare
   * {@code Pod} {@code web} beside a Service {@code web}) leaves its name to the Service.
   */
  List<Decl> declarations() {
    List<Decl> out = new ArrayList<>();
    for (Namespace n : namespaces.values()) {
      java.util.Set<String> services = new java.util.HashSet<>();
      n.members.stream().filter(d -> d instanceof Decl.Service)
          .forEach(d -> services.add(((Decl.Service) d).name().text()));
      List<Decl> members = n.members.stream()
          .map(d -> d instanceof Decl.Container c && services.contains(c.name().text()) ? c.withoutName() : d)
          .toList();
      out.add(new Decl.Namespace(n.name, n.labels, members, n.name.span()));
    }
    return out;
  }
}
