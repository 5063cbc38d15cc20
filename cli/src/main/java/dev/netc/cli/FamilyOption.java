package dev.netc.cli;

import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.model.Reachability;
import picocli.CommandLine.Option;

/**
 * {@code --family ipv4|ipv6} of {@code matrix} and {@code explain}: the model of one address
 * family alone ({@link Reachability#inFamily}), which {@code netc verify} compares each family's
 * connections with; without it, the model of both (a connection is admitted when some way, in
 * some family, admits it). Of {@code probe}: the connections of that family alone.
 */
final class FamilyOption {
  /** The families as users write them. */
  enum Family {
    ipv4,
    ipv6
  }

  @Option(names = "--family", paramLabel = "FAMILY",
      description = "Connections of one address family alone: ${COMPLETION-CANDIDATES}, as verify compares each."
          + " Default: either family.")
  Family family;

  /** The family asked for, if one was. */
  java.util.Optional<IpAddress.Family> chosen() {
    return family == null ? java.util.Optional.empty()
        : java.util.Optional.of(family == Family.ipv4 ? IpAddress.Family.V4 : IpAddress.Family.V6);
  }

  /** The family asked for as the matrix's text names it ({@code IPv4}), empty when none was. */
  String label() {
    return chosen().map(IpAddress.Family::label).orElse("");
  }

  /** {@code model}, or its model of the family asked for. */
  Reachability apply(Reachability model) {
    return chosen().map(model::inFamily).orElse(model);
  }
}
