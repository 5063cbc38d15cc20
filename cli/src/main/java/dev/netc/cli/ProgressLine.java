package dev.netc.cli;

import dev.netc.runner.probe.Prober;

/**
 * Progress of a long probe on stderr, rewritten in place ({@code probing: 1200 of 5000
 * connections}) at most ten times a second; only on a terminal, and cleared when done.
 */
final class ProgressLine implements Prober.Progress, AutoCloseable {
  private final Netc.Context ctx;
  private final String what;
  private long last;
  private boolean shown;

  ProgressLine(Netc.Context ctx, String what) {
    this.ctx = ctx;
    this.what = what;
  }

  @Override
  public synchronized void update(int done, int total) {
    if (!ctx.terminal().interactive()) {
      return;
    }
    long now = System.nanoTime();
    if (now - last < 100_000_000L && done < total) {
      return;
    }
    last = now;
    ctx.err().print("\r" + what + ": " + done + " of " + total + " connections");
    ctx.err().flush();
    shown = true;
  }

  @Override
  public synchronized void close() {
    if (shown) {
      ctx.err().print("\r\033[K");
      ctx.err().flush();
    }
  }
}
