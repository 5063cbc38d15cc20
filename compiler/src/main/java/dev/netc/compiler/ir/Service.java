package dev.netc.compiler.ir;

import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A virtual address and name that balances connections over the endpoints its selector picks
 * (within its namespace), optionally weighted by backend groups.
 *
 * @param addresses virtual addresses, at most one per family: those given, and after address
 *     management those netc chose (10.96.0.0/12, fd00:10:96::/112)
 * @param families the families it leaves netc to choose an address of ({@code address ipv6}),
 *     in the order written (the first is its primary family, as in Kubernetes' {@code
 *     ipFamilies}); when empty and it gives no address, netc chooses one of each family the
 *     endpoints it balances to have where a host reaches them ({@link #balancedBy})
 * @param assigned the addresses netc chose (a subset of {@code addresses})
 * @param addressSpans where each address the topology gives is written
 * @param familySpans where each family of {@code families} is asked for ({@code ipv6} of {@code
 *     address ipv6}; Kubernetes' {@code ipFamilies} entry or {@code ipFamilyPolicy})
 */
public record Service(
    String name,
    String namespace,
    Selector selector,
    List<IpAddress> addresses,
    List<IpAddress.Family> families,
    List<Port> ports,
    List<Backend> backends,
    Span span,
    List<IpAddress> assigned,
    Map<IpAddress, Span> addressSpans,
    Map<IpAddress.Family, Span> familySpans) {

  public Service {
    addresses = List.copyOf(addresses);
    families = List.copyOf(families);
    assigned = List.copyOf(assigned);
    ports = List.copyOf(ports);
    backends = List.copyOf(backends);
    addressSpans = Map.copyOf(addressSpans);
    familySpans = Map.copyOf(familySpans);
  }

  /** A service as declared, before netc chose any address for it. */
  public Service(String name, String namespace, Selector selector, List<IpAddress> addresses,
      List<IpAddress.Family> families, List<Port> ports, List<Backend> backends, Span span,
      Map<IpAddress, Span> addressSpans, Map<IpAddress.Family, Span> familySpans) {
    this(name, namespace, selector, addresses, families, ports, backends, span, List.of(), addressSpans,
        familySpans);
  }

  /** The addresses the topology gives, not those netc chose. */
  public List<IpAddress> given() {
    return addresses.stream().filter(a -> !assigned.contains(a)).toList();
  }

  /** Where the topology gives address {@code a}: the service's declaration if it does not. */
  public Span addressSpan(IpAddress a) {
    return addressSpans.getOrDefault(a, span);
  }

  /** Where the topology asks for an address of family {@code f}: the service's declaration if it does not. */
  public Span familySpan(IpAddress.Family f) {
    return familySpans.getOrDefault(f, span);
  }

  /** A service port forwarded to a target port, optionally opened on every host as a node port. */
  public record Port(int port, int targetPort, Protocol protocol, OptionalInt nodePort, Span span) {}

  /** A group of the selected endpoints and its relative weight. */
  public record Backend(Selector selector, int weight, Span span) {}

  public Optional<Backend> backendFor(java.util.Map<String, String> labels) {
    return backends.stream().filter(b -> b.selector().matches(labels)).findFirst();
  }

  /**
   * Whether the service sends connections to an endpoint of its namespace with these labels: it
   * selects it and, when it has backends, the first backend it matches has a weight above 0 (an
   * endpoint that matches none, or one of weight 0, gets none of its connections).
   */
  public boolean balancesTo(java.util.Map<String, String> labels) {
    return selector.matches(labels) && (backends.isEmpty() || backendFor(labels).map(b -> b.weight() > 0).orElse(false));
  }

  /**
   * The attachments by which a host balances this service's connections to endpoint {@code e},
   * those with an address on a bridge or overlay network (the host DNATs to them over its bridges
   * and does not reach its macvlan members), in attachment order; none unless {@code e} is of the
   * service's namespace, in mode bridge, and {@link #balancesTo balanced to}. The families of
   * their addresses are those the service's connections reach {@code e} in.
   */
  public List<Attachment> balancedBy(Endpoint e, Map<String, Network> networks) {
    if (e.mode() != NetMode.BRIDGE || !e.namespace().equals(namespace) || !balancesTo(e.labels())) {
      return List.of();
    }
    return e.attachments().stream().filter(a -> !a.addresses().isEmpty()).filter(a -> {
      Network n = networks.get(a.network());
      return n != null && n.driver() != Driver.MACVLAN;
    }).toList();
  }
}
