package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Something with a network identity: a container, or a pod of containers sharing one namespace.
 * Replicas are expanded: {@code api} with {@code replicas 2} is {@code api-1} and {@code api-2}.
 *
 * @param name unique in the topology; {@code namespace/name} inside a namespace
 * @param localName the name within its namespace, as it resolves in DNS
 * @param replicaOf the declared name when this endpoint is one of several replicas
 * @param members the containers of a pod (empty for a container)
 * @param resolvesByName whether {@code localName} (and {@code replicaOf}) resolve to the
 *     endpoint; false only for a Kubernetes pod whose name a service of its namespace has, as
 *     cluster DNS resolves the name to the Service (in the pod's own hosts file alone, its name
 *     is still its own, as kubelet writes the pod's hostname there)
 */
public record Endpoint(
    String name,
    String localName,
    String namespace,
    Kind kind,
    String host,
    Map<String, String> labels,
    NetMode mode,
    List<Attachment> attachments,
    List<Publish> publishes,
    List<PortSpec> exposes,
    List<Member> members,
    Optional<String> replicaOf,
    Span span,
    boolean resolvesByName) {

  /** A single container or a pod. */
  public enum Kind {
    CONTAINER,
    POD
  }

  /** One container of a pod and the ports it exposes. */
  public record Member(String name, List<PortSpec> exposes, Span span) {
    public Member {
      exposes = List.copyOf(exposes);
    }
  }

  public Endpoint {
    labels = Map.copyOf(labels);
    attachments = List.copyOf(attachments);
    publishes = List.copyOf(publishes);
    exposes = List.copyOf(exposes);
    members = List.copyOf(members);
  }
}
