package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import dev.netc.compiler.CompileResult;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The models of one family ({@link Reachability#inFamily}) split the model: for every golden
 * case that compiles, those of several hosts included, a cell is admitted exactly when the model
 * of IPv4 or that of IPv6 admits it, on every port {@link KernelSimulationTest#ports} probes. So
 * {@code netc verify}, comparing each family's probes with its family's model, judges every cell
 * the whole model admits. (That each family's model is what the kernel does in that family is
 * {@link KernelSimulationTest}'s.)
 */
class OneFamilyModelTest {
  @TestFactory
  Stream<DynamicTest> familiesSplitTheModel() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (GoldenTest.Case c : GoldenTest.cases()) {
      tests.add(DynamicTest.dynamicTest(c.name(), () -> check(c)));
    }
    assertFalse(tests.isEmpty());
    return tests.stream();
  }

  private static void check(GoldenTest.Case c) {
    CompileResult r = TestTopologies.compile(c.inputDir(), c.rootFile());
    if (r.topology().isEmpty()) {
      return; // errors: no model
    }
    Reachability model = new Reachability(r.topology().get());
    Reachability v4 = model.inFamily(IpAddress.Family.V4);
    Reachability v6 = model.inFamily(IpAddress.Family.V6);
    List<String> diffs = new ArrayList<>();
    for (PortSpec port : KernelSimulationTest.ports(model)) {
      for (Node a : model.nodes()) {
        for (Node b : model.nodes()) {
          boolean whole = model.allowed(a, b, port);
          boolean four = v4.allowed(v4.node(a.name()).get(), v4.node(b.name()).get(), port);
          boolean six = v6.allowed(v6.node(a.name()).get(), v6.node(b.name()).get(), port);
          if (whole != (four || six)) {
            diffs.add(a.name() + " -> " + b.name() + " " + port + ": model " + (whole ? "admits" : "denies")
                + ", IPv4 " + (four ? "admits" : "denies") + ", IPv6 " + (six ? "admits" : "denies")
                + " (" + model.path(a, b, port).orElse("no path") + ")");
          }
        }
      }
    }
    if (!diffs.isEmpty()) {
      fail(c.name() + ": " + diffs.size() + " cells differ:\n  " + String.join("\n  ", diffs.subList(0, Math.min(30, diffs.size()))));
    }
  }
}
