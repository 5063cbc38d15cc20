package dev.netc.runner;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the kernel tests that apply into a sandbox share (root): a fresh sandbox name {@link #s},
 * a runner whose records live in a temporary folder, and the sandbox's removal after each test,
 * also when it fails. Skipped, with the reason printed, without root, {@code ip} or {@code nft}.
 */
abstract class SandboxTest {
  @TempDir Path stateDir;
  String s;
  Runner runner;

  @BeforeEach
  void createSandboxName() {
    Kernel.assumeKernel();
    s = Kernel.sandboxName();
    runner = new Runner(Kernel.EXEC, Runner.ETC_NETNS, stateDir, Duration.ofSeconds(5));
  }

  @AfterEach
  void removeSandboxAfterwards() {
    if (s != null) {
      Kernel.removeSandbox(s, stateDir);
    }
  }
}
