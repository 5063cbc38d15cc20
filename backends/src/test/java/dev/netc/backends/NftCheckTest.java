package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.netc.backends.plan.DesiredState;
import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.Planner;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.model.Reachability;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code nft -c -f -} (check only: the kernel validates the whole transaction and nothing is
 * changed) accepts every generated table: of every golden case and example without errors, and
 * of a topology of 1,000 endpoints. Skipped, with the reason printed, when {@code nft} is not
 * installed ({@code scripts/test} installs it) or cannot talk to the kernel (not root).
 */
class NftCheckTest {
  private static Optional<String> unavailable;

  /** Why nft cannot check here, or empty when it can. */
  private static synchronized Optional<String> unavailable() {
    if (unavailable == null) {
      String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
      boolean found = Stream.of(path.split(":")).anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "nft")));
      if (!found) {
        unavailable = Optional.of("nft is not installed (apt-get install -y nftables; scripts/test does)");
      } else {
        Result r = check("table inet netc_probe_check {}\n");
        unavailable = r.status() == 0 ? Optional.empty()
            : Optional.of("nft -c cannot talk to the kernel here (root needed): " + r.output().strip());
      }
      unavailable.ifPresent(reason -> System.out.println("NftCheckTest skipped: " + reason));
    }
    return unavailable;
  }

  private record Result(int status, String output) {}

  private static Result check(String text) {
    try {
      Process p = new ProcessBuilder(List.of(nft(), "-c", "-f", "-")).redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(text.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  private static String nft() {
    for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, "nft"))) {
        return Path.of(d, "nft").toString();
      }
    }
    return "nft";
  }

  @TestFactory
  Stream<DynamicTest> nftAcceptsEveryTable() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    int leftOut = 0;
    for (GoldenTest.Case c : GoldenTest.cases()) {
      // a case with errors, or whose plan has errors, has no table: left out, not skipped
      CompileResult compiled = TestTopologies.compile(c.inputDir(), c.rootFile());
      Path marker = c.inputDir().resolve("sandbox");
      if (compiled.topology().isEmpty() || Planner.plan(compiled.topology().get(),
          Files.exists(marker) ? Files.readString(marker).strip() : "").state().isEmpty()) {
        leftOut++;
        continue;
      }
      tests.add(DynamicTest.dynamicTest(c.name(), () -> {
        CompileResult r = TestTopologies.compile(c.inputDir(), c.rootFile());
        Path sandboxFile = c.inputDir().resolve("sandbox");
        String sandbox = Files.exists(sandboxFile) ? Files.readString(sandboxFile).strip() : "";
        checkAll(r.topology().get(), sandbox);
      }));
    }
    System.out.println("NftCheckTest: " + leftOut + " golden cases left out: errors, no plan");
    tests.add(DynamicTest.dynamicTest("1,000 endpoints", () ->
        checkAll(TestTopologies.source(ScaleTopologies.source(500, 20)), "")));
    return tests.stream();
  }

  private static void checkAll(Topology t, String sandbox) {
    Optional<String> why = unavailable();
    Assumptions.assumeTrue(why.isEmpty(), () -> why.get());
    Planner.Result plan = Planner.plan(t, sandbox);
    Assumptions.assumeTrue(plan.state().isPresent(), "the plan has errors");
    DesiredState s = plan.state().get();
    Reachability model = new Reachability(t);
    for (HostState h : s.hosts()) {
      Optional<String> text = KernelPlans.nft(s, h, model);
      if (text.isPresent()) {
        Result r = check(text.get());
        assertEquals(0, r.status(), "nft -c rejects the table of host `" + h.host() + "`:\n" + r.output());
      }
    }
  }
}
