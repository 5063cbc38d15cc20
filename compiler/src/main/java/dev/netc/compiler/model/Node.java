package dev.netc.compiler.model;

import dev.netc.compiler.ir.Endpoint;
import java.util.Optional;

/**
 * A party in the reachability model: an endpoint, the host it runs on ({@code @host}), or a
 * client outside every host ({@code @outside}).
 *
 * @param name the endpoint's name, {@code @host} (or {@code @host/NAME} when there are several
 *     hosts) or {@code @outside}
 * @param host the host the node is on (empty for {@code @outside})
 */
public record Node(String name, Kind kind, Optional<Endpoint> endpoint, Optional<String> host) {
  public static final String OUTSIDE = "@outside";
  public static final String HOST = "@host";

  /** What a node stands for. */
  public enum Kind {
    ENDPOINT,
    HOST,
    OUTSIDE
  }

  static Node of(Endpoint e) {
    return new Node(e.name(), Kind.ENDPOINT, Optional.of(e), Optional.of(e.host()));
  }

  public boolean isEndpoint() {
    return kind == Kind.ENDPOINT;
  }
}
