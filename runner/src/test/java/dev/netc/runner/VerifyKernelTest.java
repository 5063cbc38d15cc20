package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.probe.Prober;
import dev.netc.runner.probe.SetnsNamespaces;
import dev.netc.runner.probe.Verification;
import dev.netc.runner.probe.Verifier;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every single-host example applied in a sandbox: the probed matrix is the model's. */
@Timeout(180)
class VerifyKernelTest {
  @TempDir Path stateDir;
  String s;
  Runner runner;

  @BeforeEach
  void setUp() {
    Kernel.assumeKernel();
    s = Kernel.sandboxName();
    runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
  }

  @AfterEach
  void tearDown() {
    if (s != null) {
      Kernel.removeSandbox(s, stateDir);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"examples/webshop.netc", "examples/compose-app.netc", "examples/dual-stack.netc",
      "examples/host-and-none.netc", "examples/k8s-namespace.netc", "examples/k8s/shop.yaml",
      "examples/compose/webapp.yaml"})
  void appliedExampleVerifies(String example) {
    Topology t = Kernel.compile(example);
    Runner.Target target = Kernel.target(t, s);
    runner.apply(target);
    Reachability model = new Reachability(t);
    try (SetnsNamespaces ns = new SetnsNamespaces()) {
      Verification v = new Verifier(runner, ns, Prober.Options.DEFAULT).verify(target, model, model.defaultPorts(),
          Prober.Progress.NONE);
      System.out.println(example + ": " + v.summary());
      assertTrue(v.equal(), v::text);
      assertEquals(v.probe().cells().size(), v.compared() + v.skippedCells());
    }
  }
}
