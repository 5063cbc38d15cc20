package dev.netc.cli;

import dev.netc.runner.Runner;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The options of the commands that act on a sandbox: which sandbox, and which host it plays. */
final class SandboxOptions {
  @Option(names = "--sandbox", paramLabel = "S", description = "The sandbox: namespace S plays the host,"
      + " endpoints run in S-ENDPOINT. Without it: host mode, the real host namespace, endpoints in"
      + " netc-TOPOLOGY-ENDPOINT.")
  String sandbox;

  @Option(names = "--host", paramLabel = "H", description = "Only host H of the topology (default: every"
      + " host; a sandbox plays each host of several in a namespace of its own, S-host_H; without"
      + " --sandbox this machine is host H, required when the topology has several).")
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

  /**
   * For the commands that run only in a sandbox (probe, verify, exec): they need its outside
   * namespace and its endpoint namespaces, which host mode does not have.
   */
  SandboxOptions requireSandbox(String command) {
    if (sandbox == null) {
      throw new Netc.UserError("`--sandbox S` is required: `netc " + command + "` runs only in a sandbox"
          + " (host mode has no outside namespace to probe from)");
    }
    return this;
  }

  /** How long apply and destroy wait for another one on the same sandbox. */
  static final class Lock {
    @Option(names = "--lock-timeout", paramLabel = "SECONDS", defaultValue = "60",
        description = "How long to wait for another apply or destroy of the sandbox or host (default: ${DEFAULT-VALUE}).")
    int seconds;

    Duration timeout() {
      return Duration.ofSeconds(seconds);
    }
  }
}
