package dev.netc.cli;

import dev.netc.runner.Runner;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options of the commands that act on a sandbox: which sandbox, and which host it plays. */
final class SandboxOptions {
  @Option(names = "--sandbox", paramLabel = "S", description = "The sandbox (required for now).")
  String sandbox;

  @Option(names = "--host", paramLabel = "H", description = "The host of the topology the sandbox plays.")
  String host;

  /** The compiled topology and its plan for the sandbox, or empty after reporting why not. */
  Optional<Runner.Target> target(Netc.Context ctx, String file) {
    return SandboxTarget.of(ctx, file, sandbox, host);
  }

  /** The same, with the compiled topology (for the model). */
  Optional<SandboxTarget.Loaded> load(Netc.Context ctx, String file) {
    return SandboxTarget.load(ctx, file, sandbox, host);
  }

  /** How long apply and destroy wait for another one on the same sandbox. */
  static final class Lock {
    @Option(names = "--lock-timeout", paramLabel = "SECONDS", defaultValue = "60",
        description = "How long to wait for another apply or destroy of the sandbox (default: ${DEFAULT-VALUE}).")
    int seconds;

    Duration timeout() {
      return Duration.ofSeconds(seconds);
    }
  }
}
