package dev.netc.compiler.front;

import java.util.Locale;
import java.util.Set;

/**
 * The settings of a Compose service or a Kubernetes container that let it change its own network
 * past what netc plans (its interfaces, routes and firewall), which netc neither applies nor
 * models: both front ends warn about them (NETC032, NETC023), and let the others pass quietly.
 */
public final class NetworkPrivileges {
  private NetworkPrivileges() {}

  /** The capabilities that let a container change its own network, as the runtimes spell them. */
  private static final Set<String> CAPABILITIES = Set.of("NET_ADMIN", "CAP_NET_ADMIN", "ALL");

  /** Whether capability {@code name} (any case) lets a container change its own network. */
  public static boolean capability(String name) {
    return CAPABILITIES.contains(name.toUpperCase(Locale.ROOT));
  }

  /**
   * Whether sysctl {@code key} decides how a container's interfaces route and answer (forwarding,
   * IPv6 switched off, reverse path filtering, ...): {@code net.ipv4.ip_forward}, {@code
   * net.ipv4.conf.*}, {@code net.ipv6.conf.*}; not {@code net.core.somaxconn} and the like.
   */
  public static boolean sysctl(String key) {
    return key.equals("net.ipv4.ip_forward") || key.startsWith("net.ipv4.conf.") || key.startsWith("net.ipv6.conf.");
  }
}
