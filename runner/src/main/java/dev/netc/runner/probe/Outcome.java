package dev.netc.runner.probe;

import java.util.Optional;

/**
 * What became of one {@link Attempt}.
 *
 * @param namespace the namespace whose probe listener answered ({@link Status#ANSWERED} only)
 * @param port the port that listener listens on: after a DNAT, not the one connected to
 * @param note a short reason for {@link Status#ERROR}
 */
public record Outcome(Status status, Optional<String> namespace, int port, String note) {
  /** How an attempt ended. */
  public enum Status {
    /** A listener of this probe answered: the network delivered the connection. */
    ANSWERED("answered"),
    /** Refused: a TCP reset, or ICMP port unreachable for UDP (nothing listens there, or a reject rule). */
    REFUSED("refused"),
    /** No answer within the timeout: dropped on the way. */
    TIMEOUT("timed out"),
    /** No route, or ICMP host or network unreachable. */
    UNREACHABLE("unreachable"),
    /** Connected, but what answered is not a listener of this probe. */
    FOREIGN("answered by a process that is not the probe's"),
    /** Any other socket error. */
    ERROR("failed");

    private final String text;

    Status(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  static Outcome answered(String namespace, int port) {
    return new Outcome(Status.ANSWERED, Optional.of(namespace), port, "");
  }

  static Outcome of(Status s) {
    return new Outcome(s, Optional.empty(), 0, "");
  }

  static Outcome error(String note) {
    return new Outcome(Status.ERROR, Optional.empty(), 0, note);
  }

  /** {@code answered by demo-api-1 on 3000}, {@code timed out}, ... */
  public String text() {
    return switch (status) {
      case ANSWERED -> "answered by " + namespace.get() + " on " + port;
      case ERROR -> "failed: " + note;
      default -> status.text();
    };
  }
}
