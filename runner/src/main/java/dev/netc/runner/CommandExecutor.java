package dev.netc.runner;

import java.util.List;

/**
 * Runs an external command: an argument vector, never a shell line. Every name in {@code argv}
 * that reaches the kernel has been validated by {@code KernelNames} (through the desired state's
 * records or {@link Sandbox}).
 */
public interface CommandExecutor {
  /** What a command did: its exit status (-1 on a timeout) and its output. */
  record Result(int exit, String out, String err) {
    public boolean ok() {
      return exit == 0;
    }

    /**
     * The first line of stderr (or stdout), for a one-line error; a tool that {@code ip netns
     * exec} could not find ({@code exec of "nft" failed: No such file or directory}) told as
     * {@link #notFound} tells it.
     */
    public String firstError() {
      String text = err.isBlank() ? out : err;
      String first = text.strip().lines().findFirst().orElse("exit status " + exit);
      java.util.regex.Matcher m = MissingTools.EXEC_FAILED.matcher(first);
      return m.matches() ? notFound(m.group(1)) : first;
    }
  }

  /**
   * The one-line error for {@code tool} not found on the PATH, with the package that has it
   * when netc knows it ({@code cannot run `nft`: not found on the PATH; it comes with nftables
   * (apt-get install nftables)}).
   */
  static String notFound(String tool) {
    return MissingTools.notFound(tool);
  }

  /** Runs {@code argv} with {@code stdin} (may be empty) as its standard input. */
  Result run(List<String> argv, String stdin);

  /**
   * Runs {@code argv} with the standard input, output and error of this process (a command a
   * user runs through netc, such as {@code netc exec}), without a timeout; returns its exit status.
   */
  int runAttached(List<String> argv);

  /** How many processes this executor has started (for reports and tests). */
  int processes();

  /**
   * Whether the commands reach the real kernel of this machine, so that netc may also read it
   * without a process (netlink): false for an executor that answers from a function.
   */
  default boolean reachesKernel() {
    return false;
  }

  /** Reports work done without a process ({@code what}, taking {@code nanos}): traced by {@code apply -v}. */
  default void note(String what, long nanos) {}
}
