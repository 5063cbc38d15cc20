package dev.netc.runner;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Passes every command on to another executor and reports each, with its wall time, as one
 * line ({@code 12 ms: ip netns exec S nft -f -}): what {@code apply -v} prints on stderr.
 */
public final class TracingExecutor implements CommandExecutor {
  private final CommandExecutor next;
  private final Consumer<String> out;

  public TracingExecutor(CommandExecutor next, Consumer<String> out) {
    this.next = next;
    this.out = out;
  }

  @Override
  public Result run(List<String> argv, String stdin) {
    long start = System.nanoTime();
    Result r = next.run(argv, stdin);
    out.accept(String.format(Locale.ROOT, "%d ms: %s%s", (System.nanoTime() - start) / 1_000_000,
        String.join(" ", argv), r.ok() ? "" : " (exit " + r.exit() + ")"));
    return r;
  }

  @Override
  public int runAttached(List<String> argv) {
    long start = System.nanoTime();
    int exit = next.runAttached(argv);
    out.accept(String.format(Locale.ROOT, "%d ms: %s%s", (System.nanoTime() - start) / 1_000_000,
        String.join(" ", argv), exit == 0 ? "" : " (exit " + exit + ")"));
    return exit;
  }

  @Override
  public int processes() {
    return next.processes();
  }

  @Override
  public boolean reachesKernel() {
    return next.reachesKernel();
  }

  @Override
  public void note(String what, long nanos) {
    out.accept(String.format(Locale.ROOT, "%d ms: %s", nanos / 1_000_000, what));
    next.note(what, nanos);
  }
}
