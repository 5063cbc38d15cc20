package dev.netc.cli;

import dev.netc.runner.Runner;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options of the commands that act on a sandbox: which sandbox, and which host it plays. */
final class SandboxOptions {
  @Option(names = "--sandbox", paramLabel = "S", description = "The sandbox (required for now).")
  String sandbox;

  @Option(names = "--host", paramLabel = "H", description = "Only host H of the topology (default: every"
      + " host; a topology of several hosts plays each in a namespace of its own, S-host_H).")
  String host;

  /** The compiled topology and its plan for one host of the sandbox, or empty after reporting why not. */
  Optional<Runner.Target> target(Netc.Context ctx, String file) {
    return target(ctx, file, false);
  }

  /** As above, for the topology {@code file} names ({@link Inputs}), a folder with or without its subfolders. */
  Optional<Runner.Target> target(Netc.Context ctx, String file, boolean recursive) {
    return SandboxTarget.of(ctx, file, recursive, sandbox, host);
  }

  /** The same, with the compiled topology (for the model). */
  Optional<SandboxTarget.Loaded> load(Netc.Context ctx, String file) {
    return load(ctx, file, false);
  }

  /** As above, for the topology {@code file} names ({@link Inputs}). */
  Optional<SandboxTarget.Loaded> load(Netc.Context ctx, String file, boolean recursive) {
    return SandboxTarget.load(ctx, file, recursive, sandbox, host);
  }

  /**
   * The hosts the command acts on: {@code --host H}, or every host of the topology; empty after
   * reporting why not.
   */
  Optional<List<Runner.Target>> targets(Netc.Context ctx, String file, boolean recursive) {
    return SandboxTarget.all(ctx, file, recursive, sandbox, host);
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
