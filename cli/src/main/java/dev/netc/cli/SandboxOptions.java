package dev.netc.cli;

import dev.netc.runner.Runner;
import dev.netc.runner.RunnerException;
import dev.netc.runner.StalePlanException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * The options of the commands that act on a sandbox (which sandbox, and which host it plays),
 * and what those commands share: loading the targets, then running the command's own part,
 * with a failure of the runner reported as one line ({@link #onTargets}, {@link #inSandbox}).
 */
final class SandboxOptions {
  @Option(names = "--sandbox", paramLabel = "S", description = "The sandbox: namespace S plays the host,"
      + " endpoints run in S-ENDPOINT. Without it: host mode, the real host namespace, endpoints in"
      + " netc-TOPOLOGY-ENDPOINT.")
  String sandbox;

  @Option(names = "--host", paramLabel = "H", description = "Only host H of the topology (default: every"
      + " host; a sandbox plays each host of several in a namespace of its own, S-host_H; without"
      + " --sandbox this machine is host H, required when the topology has several).")
  String host;

  /**
   * For the commands that run only in a sandbox (probe, verify, exec): they need its outside
   * namespace and its endpoint namespaces, which host mode does not have.
   */
  private void requireSandbox(String command) {
    if (sandbox == null) {
      throw new Netc.UserError("`--sandbox S` is required: `netc " + command + "` runs only in a sandbox"
          + (command.equals("exec") ? " (in host mode an endpoint's namespace is netc-TOPOLOGY-ENDPOINT: `ip netns exec` it)"
              : " (host mode has no outside namespace to probe from)"));
    }
  }

  /** The part of a command that is its own: what it does with its targets, and its exit status. */
  @FunctionalInterface
  interface Action<T> {
    /** Runs the command on {@code targets}; may throw {@link RunnerException}. */
    int run(T targets);
  }

  /**
   * Loads the targets of {@code file} (every host of the topology, or {@code --host}) and runs
   * {@code action} on them; exit status 1 when the topology has errors (printed already). A
   * failure of the runner is a one-line error: {@code failed} (say {@code "destroy failed: "},
   * or empty) and the runner's message ({@link #reported}).
   */
  int onTargets(Netc.Context ctx, String file, boolean recursive, String failed,
      Action<List<Runner.Target>> action) {
    return onTargets(ctx, file, recursive, false, failed, action);
  }

  /**
   * As above, for a command asked for {@code --format json} when {@code json}: the diagnostics
   * that stop it are printed on stdout as JSON as well ({@link Stopped}).
   */
  int onTargets(Netc.Context ctx, String file, boolean recursive, boolean json, String failed,
      Action<List<Runner.Target>> action) {
    return onTargets(ctx, file, recursive, json, false, failed, action);
  }

  /** As above; with {@code locked}, a lock file missing or out of date stops the command (NETC231). */
  int onTargets(Netc.Context ctx, String file, boolean recursive, boolean json, boolean locked, String failed,
      Action<List<Runner.Target>> action) {
    Optional<List<Runner.Target>> t = SandboxTarget.all(ctx, file, recursive, sandbox, host, json, locked);
    return t.isEmpty() ? 1 : reported(failed, () -> action.run(t.get()));
  }

  /** {@code --locked}: the lock file must be there and up to date (plan and apply in CI). */
  static final class Locked {
    @Option(names = "--locked", description = "Fail when the lock file is missing or would change (as lint --locked):"
        + " the addresses applied are those committed.")
    boolean on;
  }

  /**
   * As {@link #onTargets}, for the commands that run only in a sandbox ({@link #requireSandbox}),
   * with the compiled topology: probe, verify, exec (every host of the sandbox, or {@code
   * --host}). A failure of the runner is {@code COMMAND failed: MESSAGE}.
   */
  int inSandbox(Netc.Context ctx, String command, String file, boolean recursive,
      Action<SandboxTarget.Loaded> action) {
    return inSandbox(ctx, command, file, recursive, false, action);
  }

  /** As above, with the diagnostics that stop the command on stdout as JSON as well when {@code json}. */
  int inSandbox(Netc.Context ctx, String command, String file, boolean recursive, boolean json,
      Action<SandboxTarget.Loaded> action) {
    requireSandbox(command);
    Optional<SandboxTarget.Loaded> loaded = SandboxTarget.load(ctx, file, recursive, sandbox, host, json);
    return loaded.isEmpty() ? 1 : reported(command + " failed: ", () -> action.run(loaded.get()));
  }

  /**
   * What {@code step} returns; a {@link RunnerException} it throws becomes a {@link
   * Netc.UserError} (one line on stderr, exit status 1): {@code failed} and its message, or for a
   * {@link StalePlanException} (a saved plan applied after the live state moved) what to do.
   */
  static <T> T reported(String failed, Supplier<T> step) {
    try {
      return step.get();
    } catch (StalePlanException e) {
      throw new Netc.UserError("saved plan is stale: " + e.getMessage() + "; run netc plan again");
    } catch (Runner.Stopped e) {
      throw new Netc.UserError(failed + e.getMessage(), Interrupts.status());
    } catch (RunnerException e) {
      throw new Netc.UserError(failed + e.getMessage());
    }
  }

  /** How long apply and destroy wait for another one on the same sandbox. */
  static final class Lock {
    @Option(names = "--lock-timeout", paramLabel = "SECONDS", defaultValue = "60",
        description = "How long to wait for another apply or destroy of the sandbox or host (default: ${DEFAULT-VALUE}).")
    int seconds;

    Duration timeout() {
      if (seconds < 0 || seconds > 86_400) {
        throw new Netc.UserError("`--lock-timeout` is in seconds, 0 to 86400, got " + seconds);
      }
      return Duration.ofSeconds(seconds);
    }
  }
}
