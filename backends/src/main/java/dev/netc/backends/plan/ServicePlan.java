package dev.netc.backends.plan;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A service as realised on one host: its virtual addresses, its ports, and for each family the
 * endpoints connections are spread over, each with its share of the values of {@code numgen
 * random mod modulus}.
 *
 * @param service the service's full name ({@code ns/name} in a namespace)
 * @param addresses its virtual addresses (at most one per family)
 * @param balance per family, the endpoints it forwards to; a family without any is absent
 */
public record ServicePlan(String service, List<IpAddress> addresses, List<Port> ports,
    Map<IpAddress.Family, Balance> balance, Span span) {
  public ServicePlan {
    addresses = List.copyOf(addresses);
    ports = List.copyOf(ports);
    balance = Map.copyOf(balance);
  }

  /** One service port: connections to {@code port} (or to {@code nodePort} on a host address) go to {@code targetPort}. */
  public record Port(int port, int targetPort, Protocol protocol, OptionalInt nodePort) {}

  /**
   * How connections of one family are spread: endpoint {@code i} gets the values {@code
   * targets.get(i).first()} to {@code last()} of {@code numgen random mod modulus}.
   */
  public record Balance(int modulus, List<Target> targets) {
    public Balance {
      targets = List.copyOf(targets);
      int next = 0;
      for (Target t : targets) {
        if (t.first() != next || t.last() < t.first()) {
          throw new IllegalArgumentException("targets must cover 0.." + (modulus - 1) + " in order");
        }
        next = t.last() + 1;
      }
      if (next != modulus) {
        throw new IllegalArgumentException("targets must cover 0.." + (modulus - 1));
      }
    }
  }

  /** An endpoint behind the service, at {@code address}, and its range of {@code numgen} values. */
  public record Target(String endpoint, IpAddress address, int first, int last) {
    public int share() {
      return last - first + 1;
    }
  }

  public Optional<IpAddress> address(IpAddress.Family f) {
    return addresses.stream().filter(a -> a.family() == f).findFirst();
  }
}
