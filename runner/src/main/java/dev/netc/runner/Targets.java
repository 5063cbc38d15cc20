package dev.netc.runner;

import dev.netc.backends.KernelPlans;
import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.HostState;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;

/** Builds a runner's {@link Runner.Target} from a topology's plan. */
public final class Targets {
  private Targets() {}

  /** The target for host {@code h} of {@code state}, with the nftables file the model gives. */
  public static Runner.Target of(Topology t, DesiredState state, HostState h) {
    return new Runner.Target(state, h, KernelPlans.nft(state, h, new Reachability(t)));
  }
}
