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

    /**
     * {@link #firstError()} of a batch run with {@code stdin} ({@code ip -batch -}, {@code
     * bridge -batch -}), with the line it stopped at when it names one ({@code Command failed
     * -:N}): {@code Error: Unknown device type. (line 2: `link add link eth0 name eth0.10 type
     * vlan id 10`)}, since the kernel's words alone do not say which object it refused.
     */
    public String firstError(String stdin) {
      java.util.regex.Matcher m = BATCH_LINE.matcher(err);
      List<String> lines = stdin.lines().toList();
      if (!m.find() || Integer.parseInt(m.group(1)) > lines.size()) {
        return firstError();
      }
      int n = Integer.parseInt(m.group(1));
      return firstError() + " (line " + n + ": `" + lines.get(n - 1).strip() + "`)";
    }

    /** How {@code ip} and {@code bridge} name the line of standard input a batch stopped at. */
    private static final java.util.regex.Pattern BATCH_LINE = java.util.regex.Pattern.compile("Command failed -:(\\d{1,9})");
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
