package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Topology;
import java.util.List;
import java.util.Set;

/** The registry of every check, in the order they run. */
public final class Checks {
  public static final List<Check> ALL = List.of(
      new NoOverlappingSubnets(),
      new StaticAddressesFitTheirSubnet(),
      new AddressesAreUnique(),
      new MacAddressesAreUnique(),
      new PassthruTakesItsParentWhole(),
      new AddressesAreNotReserved(),
      new GatewaysAndPoolsFitTheirSubnet(),
      new PoolsAreLargeEnough(),
      new SubnetsAvoidUnderlays(),
      new UnderlaysAreUnique(),
      new PublishedPortsDoNotCollide(),
      new AutomaticPortsFit(),
      new NodePortsDoNotCollide(),
      new ServiceAddressesAreFree(),
      new PublishNeedsOwnNetwork(),
      new PublishOnIpv6LoopbackIsNotForwarded(),
      new PodMembersUseDistinctPorts(),
      new PortsAreServed(),
      new EndpointsHaveTheirOwnStack(),
      new PublishedRangesAreNarrow(),
      new DataStoresAreNotPublishedOnEveryAddress(),
      new PoliciesIsolateEveryEndpoint(),
      new EndpointsAvoidTheDefaultNetwork(),
      new OverlaysAcrossHostsAreEncrypted(),
      new MacvlanParentsAcceptSeveralMacs());

  /** Checks of what the network admits, run on the reachability model. */
  public static final List<ModelCheck> MODEL = List.of(
      new PoliciesSelectSomething(),
      new ServicesLeadSomewhere(),
      new PeersMatchSomething(),
      new AllowRulesHaveAPath(),
      new AllowRulesAreTwoSided(),
      new AllowRulesOutliveDenies(),
      new AllowRulesAreNeeded(),
      new NoIslands(),
      new DenyRulesHoldAcrossHosts(),
      new MacvlanMembersAreCutOffFromTheirHost(),
      new ServiceClientsRunBesideItsEndpoints(),
      new ServiceFamiliesHaveEndpoints());

  private Checks() {}

  /** Runs every model check whose code is not disabled. */
  public static void runModel(dev.netc.compiler.model.Reachability model, Diagnostics out,
      Set<Code> disabled) {
    for (ModelCheck c : MODEL) {
      if (!disabled.contains(c.code())) {
        c.check(model, out);
      }
    }
  }

  /**
   * Runs every check whose code is not disabled; when the topology is not {@code whole} (a front
   * end left out objects with errors), not those that {@linkplain Check#needsEveryObject need every
   * object}.
   */
  public static void run(Topology topology, Diagnostics out, Set<Code> disabled, boolean whole) {
    for (Check c : ALL) {
      if (!disabled.contains(c.code()) && (whole || !c.needsEveryObject())) {
        c.check(topology, out);
      }
    }
  }
}
