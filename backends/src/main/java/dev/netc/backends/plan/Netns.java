package dev.netc.backends.plan;

import java.util.Optional;

/**
 * A network namespace of the desired state: the host's own (the sandbox {@code S}, or the real
 * host namespace {@code ""}), which the plan uses but does not create, or an endpoint's, which
 * it creates.
 *
 * @param endpoint the endpoint that runs in it (empty for the host's own)
 * @param mark the ownership mark carried by its loopback's alias (empty for the host's own)
 */
public record Netns(String name, Role role, Optional<String> endpoint, Optional<String> mark)
    implements KernelObject {
  /** Whose namespace it is. */
  public enum Role {
    /** The host's own: the sandbox, or the real host namespace; never created by the plan. */
    HOST,
    /** A {@code mode bridge} or {@code mode none} endpoint's, created by the plan. */
    ENDPOINT
  }

  public Netns {
    KernelNames.checkNetns(name);
    if (role == Role.ENDPOINT && (name.isEmpty() || endpoint.isEmpty() || mark.isEmpty())) {
      throw new IllegalArgumentException("an endpoint namespace needs a name, endpoint and mark");
    }
  }

  /** Whether the plan creates it (endpoint namespaces), rather than finds it. */
  public boolean created() {
    return role == Role.ENDPOINT;
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.NAMESPACE, "", name.isEmpty() ? "(host)" : name);
  }
}
