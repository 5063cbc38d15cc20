package dev.netc.cli;

import dev.netc.runner.Runner;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT (Ctrl-C) and SIGTERM while apply or destroy changes the kernel. Without this the JVM
 * would end at once, leaving an apply half made. The first signal asks the runner to stop
 * ({@link Runner#stop}): an apply makes no further change and rolls back what it made (exit
 * status 128 and the signal's number: 130, 143), unless it is done already (read back whole: it
 * ends as applied, and netc says so); a destroy goes on to its end, since a half-removed topology is worse than a
 * removed one; either gives up waiting for the lock. A second signal ends the process at once,
 * with the state as it is then. The handlers before are put back when the command ends.
 */
final class Interrupts implements AutoCloseable {
  /** The number of the first signal received (SIGINT until one is). */
  private static volatile int first = 2;

  private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
  private final AtomicInteger received = new AtomicInteger();
  private final PrintWriter err;

  private Interrupts(Runner runner, PrintWriter err, String first, String done) {
    this.err = err;
    for (String name : List.of("INT", "TERM")) {
      Signal signal;
      try {
        signal = new Signal(name);
      } catch (IllegalArgumentException e) {
        continue; // not a signal of this platform
      }
      SignalHandler handler = s -> {
        if (received.getAndIncrement() == 0) {
          // (the runner says first whether it will stop: an apply read back whole is done)
          boolean stops = runner.stop();
          if (stops) {
            Interrupts.first = s.getNumber();
          }
          err.println("netc: " + (stops ? first : done) + " (" + "SIG" + s.getName() + " again to quit at once)");
          err.flush();
        } else {
          err.println("netc: quit at once; the state is as it was left (run apply or destroy again)");
          err.flush();
          Runtime.getRuntime().halt(128 + s.getNumber());
        }
      };
      try {
        previous.put(signal, Signal.handle(signal, handler));
      } catch (IllegalArgumentException e) {
        // the JVM keeps this signal (-Xrs, or a debugger): its default stays
      }
    }
  }

  /** While an apply runs: the first signal rolls it back. */
  static Interrupts apply(Runner runner, PrintWriter err) {
    return new Interrupts(runner, err, "interrupted: no further change; rolling back what this apply made",
        "interrupted, but the apply is done (every change made and read back): it ends as applied");
  }

  /** While a destroy runs: the first signal lets it end. */
  static Interrupts destroy(Runner runner, PrintWriter err) {
    String goesOn = "interrupted: the destroy goes on to its end, so that nothing is left half removed";
    return new Interrupts(runner, err, goesOn, goesOn);
  }

  /**
   * While {@code netc exec} runs a command on the terminal: SIGINT (Ctrl-C) reaches the command
   * itself, which decides what it means (an interactive shell goes on), so netc lets it pass and
   * waits for the command's exit status, as {@code sudo} and {@code docker exec} do. A handler
   * that does nothing, not SIG_IGN: an ignored signal stays ignored in the command netc starts,
   * a handled one is the default there again. SIGQUIT is the JVM's own (a thread dump). SIGTERM
   * and SIGHUP still end netc, and the command with it ({@code runAttached}).
   */
  static Restore forAttachedCommand() {
    Map<Signal, SignalHandler> before = new LinkedHashMap<>();
    try {
      Signal signal = new Signal("INT");
      before.put(signal, Signal.handle(signal, s -> { }));
    } catch (IllegalArgumentException e) {
      // the JVM keeps it (-Xrs): its default stays
    }
    return () -> before.forEach(Signal::handle);
  }

  /** Puts the handlers back. */
  interface Restore extends AutoCloseable {
    @Override
    void close();
  }

  /** The exit status of a run that a signal stopped: 128 and its number, as shells report it (130, 143). */
  static int status() {
    return 128 + first;
  }

  /**
   * Set by {@link Main}, whose process ends with the command: the handlers are not put back when
   * apply or destroy ends, so that a signal in the moment between its end and the process's
   * (its report printed, {@code System.exit}) cannot end the process with 130 or 143, and no
   * report, after an apply that is done; it is told, and the command's result stands.
   */
  static volatile boolean heldToTheEnd;

  @Override
  public void close() {
    if (!heldToTheEnd) {
      previous.forEach(Signal::handle);
      return;
    }
    AtomicInteger late = new AtomicInteger();
    for (Signal signal : previous.keySet()) {
      Signal.handle(signal, s -> {
        // (a second signal, or one after a signal during the command, quits at once as promised)
        if (late.getAndIncrement() == 0 && received.get() == 0) {
          err.println("netc: interrupted as the command ended: its result stands (SIG" + s.getName()
              + " again to quit at once)");
          err.flush();
        } else {
          Runtime.getRuntime().halt(128 + s.getNumber());
        }
      });
    }
  }
}
