package dev.netc.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Records every command and answers from a function (tests), or passes each on to another
 * executor and records it (to count processes, or to inject a failure).
 */
public final class RecordingExecutor implements CommandExecutor {
  /** One recorded command. */
  public record Call(List<String> argv, String stdin) {
    public Call {
      argv = List.copyOf(argv);
    }

    public String line() {
      return String.join(" ", argv);
    }
  }

  private final BiFunction<List<String>, String, Result> answer;
  private final boolean kernel;
  private final List<Call> calls = new ArrayList<>();

  public RecordingExecutor(BiFunction<List<String>, String, Result> answer) {
    this(answer, false);
  }

  private RecordingExecutor(BiFunction<List<String>, String, Result> answer, boolean kernel) {
    this.answer = answer;
    this.kernel = kernel;
  }

  /** Passes every command on to {@code next}. */
  public static RecordingExecutor around(CommandExecutor next) {
    return new RecordingExecutor(next::run, next.reachesKernel());
  }

  @Override
  public boolean reachesKernel() {
    return kernel;
  }

  @Override
  public synchronized Result run(List<String> argv, String stdin) {
    calls.add(new Call(argv, stdin));
    return answer.apply(List.copyOf(argv), stdin);
  }

  /** Recorded like {@link #run}, with no input; the answer's exit status is returned. */
  @Override
  public int runAttached(List<String> argv) {
    return run(argv, "").exit();
  }

  @Override
  public synchronized int processes() {
    return calls.size();
  }

  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }
}
