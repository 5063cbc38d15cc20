package dev.netc.runner;

import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.SetnsNamespaces;
import dev.netc.runner.probe.Verification;
import dev.netc.runner.probe.Verifier;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A {@link SandboxTest} that also probes: the namespaces entered with {@code setns}, closed after
 * each test before the sandbox is removed.
 */
abstract class ProbeSandboxTest extends SandboxTest {
  SetnsNamespaces namespaces;

  @BeforeEach
  void enterNamespaces() {
    namespaces = new SetnsNamespaces();
  }

  @AfterEach
  void closeNamespaces() {
    if (namespaces != null) {
      namespaces.close();
    }
  }

  /** {@code netc verify} of the topology, applied in this test's sandbox, on these ports. */
  Verification verify(Topology t, List<PortSpec> ports) {
    return new Verifier(runner, namespaces, Prober.Options.DEFAULT).verify(Kernel.target(t, s), new Reachability(t),
        ports, Prober.Progress.NONE);
  }
}
