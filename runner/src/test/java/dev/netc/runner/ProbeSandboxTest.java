package dev.netc.runner;

import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.SetnsNamespaces;
import dev.netc.runner.probe.Verification;
import dev.netc.runner.probe.Verifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kernel tests that probe a sandbox share (root): a fresh sandbox name, a runner whose
 * records live in a temporary folder, the namespaces entered with {@code setns}, and their
 * removal after each test, also when it fails.
 */
abstract class ProbeSandboxTest {
  @TempDir Path stateDir;
  String s;
  Runner runner;
  SetnsNamespaces namespaces;

  @BeforeEach
  void setUpSandbox() {
    Kernel.assumeKernel();
    s = Kernel.sandboxName();
    runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
    namespaces = new SetnsNamespaces();
  }

  @AfterEach
  void removeSandbox() {
    if (namespaces != null) {
      namespaces.close();
    }
    if (s != null) {
      Kernel.removeSandbox(s, stateDir);
    }
  }

  /** {@code netc verify} of the topology, applied in this test's sandbox, on these ports. */
  Verification verify(Topology t, List<PortSpec> ports) {
    return new Verifier(runner, namespaces, Prober.Options.DEFAULT).verify(Kernel.target(t, s), new Reachability(t),
        ports, Prober.Progress.NONE);
  }
}
