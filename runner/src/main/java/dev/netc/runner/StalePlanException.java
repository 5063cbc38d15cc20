package dev.netc.runner;

/** A saved plan whose live state moved since it was made: applying it would not do what it says. */
public final class StalePlanException extends RunnerException {
  public StalePlanException(String message) {
    super(message);
  }
}
