package dev.netc.compiler.front.kubernetes;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The catalogue of Kubernetes kinds: those netc reads (with the API groups they belong to, so
 * that a Knative {@code Service} is not taken for a core one), those that do not concern the
 * network and are passed over quietly, and, for every other kind, why netc cannot model it: a
 * kind netc does not know may route or filter traffic, so it is never dropped silently.
 */
final class Kinds {
  /** Supported kinds and the API groups ({@code ""} is the core group) they are read from. */
  static final Map<String, Set<String>> READ = Map.of(
      "Namespace", Set.of(""),
      "Pod", Set.of(""),
      "ReplicationController", Set.of(""),
      "Service", Set.of(""),
      "Deployment", Set.of("apps", "extensions"),
      "ReplicaSet", Set.of("apps", "extensions"),
      "StatefulSet", Set.of("apps"),
      "DaemonSet", Set.of("apps", "extensions"),
      "NetworkPolicy", Set.of("networking.k8s.io", "extensions"));

  /** Kinds that make pods: the workloads. */
  static final Set<String> WORKLOADS =
      Set.of("Pod", "ReplicationController", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet");

  private static final Set<String> QUIET = Set.of(
      "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "ClusterRole",
      "ClusterRoleBinding", "PersistentVolume", "PersistentVolumeClaim", "StorageClass",
      "LimitRange", "ResourceQuota", "PodDisruptionBudget", "HorizontalPodAutoscaler",
      "VerticalPodAutoscaler", "PriorityClass", "CustomResourceDefinition", "Lease", "Event",
      "ControllerRevision", "PodTemplate", "CSIDriver", "CSINode", "VolumeAttachment",
      "VolumeSnapshot", "VolumeSnapshotClass", "RuntimeClass", "CertificateSigningRequest",
      "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "PodSecurityPolicy");

  private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
      Map.entry("Ingress", "routes HTTP from outside the cluster through an ingress controller"),
      Map.entry("IngressClass", "configures ingress controllers"),
      Map.entry("Gateway", "routes traffic from outside the cluster (Gateway API)"),
      Map.entry("GatewayClass", "configures Gateway API controllers"),
      Map.entry("HTTPRoute", "routes HTTP (Gateway API)"),
      Map.entry("GRPCRoute", "routes gRPC (Gateway API)"),
      Map.entry("TCPRoute", "routes TCP (Gateway API)"),
      Map.entry("TLSRoute", "routes TLS (Gateway API)"),
      Map.entry("UDPRoute", "routes UDP (Gateway API)"),
      Map.entry("Endpoints", "lists a Service's endpoints by hand; netc derives them from selectors"),
      Map.entry("EndpointSlice", "lists a Service's endpoints by hand; netc derives them from selectors"),
      Map.entry("Job", "runs pods to completion; netc models long-running pods only"),
      Map.entry("CronJob", "runs pods to completion; netc models long-running pods only"),
      Map.entry("Node", "describes a machine; a topology read from Kubernetes YAML runs on one host"),
      Map.entry("AdminNetworkPolicy", "filters traffic cluster-wide, before NetworkPolicies"),
      Map.entry("BaselineAdminNetworkPolicy", "filters traffic cluster-wide, after NetworkPolicies"),
      Map.entry("CiliumNetworkPolicy", "filters traffic (Cilium)"),
      Map.entry("CiliumClusterwideNetworkPolicy", "filters traffic (Cilium)"),
      Map.entry("GlobalNetworkPolicy", "filters traffic (Calico)"),
      Map.entry("NetworkAttachmentDefinition", "attaches extra networks to pods (Multus)"));

  private Kinds() {}

  static String group(String apiVersion) {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** Whether netc reads this kind of this API version. */
  static boolean read(String kind, String apiVersion) {
    return READ.getOrDefault(kind, Set.of()).contains(group(apiVersion));
  }

  /** Whether the kind is a list of objects ({@code kubectl get -o yaml} prints {@code List}). */
  static boolean list(String kind) {
    return kind.equals("List") || kind.endsWith("List");
  }

  static boolean quiet(String kind) {
    return QUIET.contains(kind);
  }

  /** What the kind does that netc does not model, when it is a kind netc knows of. */
  static Optional<String> unsupported(String kind) {
    return Optional.ofNullable(UNSUPPORTED.get(kind));
  }

  /** The supported kinds, for hints. */
  static List<String> supported() {
    return READ.keySet().stream().sorted().toList();
  }
}
