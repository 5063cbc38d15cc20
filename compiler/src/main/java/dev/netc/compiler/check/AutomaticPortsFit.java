package dev.netc.compiler.check;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.AutomaticPorts;
import java.util.HashSet;
import java.util.Set;

/**
 * Every {@code publish} line that leaves its host port to netc gets one: a block of free ports
 * from 49152 to 65535, as wide as its container range, on its host and in its protocol
 * ({@link AutomaticPorts}). A line that finds none is reported, once for all replicas of it.
 */
final class AutomaticPortsFit implements Check {
  @Override
  public Code code() {
    return Code.NETC227;
  }

  @Override
  public void check(Topology t, Diagnostics out) {
    AutomaticPorts automatic = AutomaticPorts.of(t);
    Set<Object> told = new HashSet<>();
    for (Endpoint e : t.endpoints()) {
      for (int i = 0; i < e.publishes().size(); i++) {
        Publish p = e.publishes().get(i);
        if (!automatic.unplaced(e, i) || !told.add(p.span())) {
          continue;
        }
        int wanted = p.containerPorts().size();
        out.add(Diagnostic.of(Code.NETC227, p.span(), "`" + e.replicaOf().orElse(e.name()) + "` publishes "
                + p.containerPorts() + "/" + p.protocol().label() + " on host ports netc chooses, but host `" + e.host()
                + "` has no " + (wanted == 1 ? "free port" : "block of " + wanted + " free ports") + " left in "
                + AutomaticPorts.FIRST + "-65535 for " + p.protocol().label())
            .withHint(e.replicaOf().isPresent()
                // host ports given in the line would be the same for every replica (NETC220)
                ? "publish a narrower range, or run fewer replicas: each replica takes a block of its own"
                : "give this line its host ports (`publish HOST_PORTS -> " + p.containerPorts() + "/"
                    + p.protocol().label() + "`), or publish a narrower range"));
      }
    }
  }
}
