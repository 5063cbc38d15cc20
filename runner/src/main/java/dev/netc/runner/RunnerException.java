package dev.netc.runner;

/** A failure the user should see as one line: a command that failed, a lock held too long. */
public class RunnerException extends RuntimeException {
  public RunnerException(String message) {
    super(message, null, false, false);
  }
}
