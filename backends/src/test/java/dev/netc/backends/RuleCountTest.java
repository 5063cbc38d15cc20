package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.backends.nftables.Ruleset;
import dev.netc.backends.nftables.RulesetBuilder;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import org.junit.jupiter.api.Test;

/**
 * The number of nftables rules grows with the kinds of rule the topology needs, never with its
 * endpoints or policies: 10 and 1,000 endpoints, 3 and 201 policies of the same shapes give the
 * same rules; only set and map elements grow.
 */
class RuleCountTest {
  private static Ruleset ruleset(int replicas, int policies) {
    Topology t = TestTopologies.source(ScaleTopologies.source(replicas, policies));
    Planner.Result plan = Planner.plan(t, "");
    assertTrue(plan.diagnostics().isEmpty(), plan.diagnostics().toString());
    return RulesetBuilder.build(plan.state().get().hosts().get(0), new Reachability(t)).orElseThrow();
  }

  @Test
  void rulesDoNotGrowWithEndpoints() {
    Ruleset small = ruleset(5, 1);
    Ruleset large = ruleset(500, 1);
    assertEquals(small.ruleCount(), large.ruleCount(), "10 and 1,000 endpoints");
    assertEquals(small.chains().stream().map(c -> c.rules().stream().map(r -> r.render()).toList()).toList(),
        large.chains().stream().map(c -> c.rules().stream().map(r -> r.render()).toList()).toList(),
        "the very same rules");
    assertTrue(large.elementCount() > small.elementCount(), "elements grow instead");
  }

  @Test
  void rulesDoNotGrowWithPolicies() {
    Ruleset few = ruleset(5, 1);
    Ruleset many = ruleset(5, 100);
    assertEquals(few.ruleCount(), many.ruleCount(), "3 and 201 policies");
    assertTrue(many.elementCount() > few.elementCount(), "elements grow instead");
  }
}
