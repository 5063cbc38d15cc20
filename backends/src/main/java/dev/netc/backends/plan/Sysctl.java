package dev.netc.backends.plan;

import java.util.regex.Pattern;

/**
 * A kernel setting of one network namespace, such as {@code net.ipv4.ip_forward = 1}.
 *
 * @param key dotted, as {@code sysctl} takes it; interface names in it hold no {@code .}
 * @param why one line for the comment beside it
 */
public record Sysctl(String namespace, String key, String value, String why) implements KernelObject {
  private static final Pattern KEY = Pattern.compile("net(\\.[a-z0-9_-]+)+");

  public Sysctl {
    KernelNames.checkNetns(namespace);
    if (!KEY.matcher(key).matches() || !value.matches("[0-9]+")) {
      throw new IllegalArgumentException("bad sysctl " + key + "=" + value);
    }
  }

  /** Routing between a host namespace's bridges and out of its uplink: set in every host namespace with a bridge. */
  public static final String IP_FORWARD = "net.ipv4.ip_forward";
  /** The same for IPv6: set in a host namespace with a bridge of an IPv6 subnet. */
  public static final String IPV6_FORWARDING = "net.ipv6.conf.all.forwarding";
  /** Bridged IPv4 traffic through the inet forward hook: set in every host namespace with a bridge. */
  public static final String BRIDGE_NF_CALL_IPTABLES = "net.bridge.bridge-nf-call-iptables";
  /** The same for IPv6. */
  public static final String BRIDGE_NF_CALL_IP6TABLES = "net.bridge.bridge-nf-call-ip6tables";

  /**
   * The keys of the namespace-wide sysctls netc sets in a host namespace (besides them, a
   * bridge's {@code route_localnet}): what a host namespace netc removes had of them is read
   * first, and given back when a rollback makes it again.
   */
  public static final java.util.List<String> HOST_KEYS =
      java.util.List.of(IP_FORWARD, IPV6_FORWARDING, BRIDGE_NF_CALL_IPTABLES, BRIDGE_NF_CALL_IP6TABLES);

  /** An interface's IPv6 setting that netc sets: the interface and the setting's name. */
  public record InterfaceSetting(String device, String setting) {}

  /**
   * The interface and setting of {@code net.ipv6.conf.DEV.disable_ipv6}, {@code accept_ra},
   * {@code accept_dad} or {@code addr_gen_mode}; empty for any other key.
   */
  public static java.util.Optional<InterfaceSetting> interfaceSetting(String key) {
    // by hand: called for every endpoint's setting several times a plan (a regular expression
    // cost a plan of 1,000 containers some milliseconds in a JVM that compiles with C1 only)
    int dot = key.lastIndexOf('.');
    if (!key.startsWith(IPV6_CONF) || dot <= IPV6_CONF.length() || !SETTINGS.contains(key.substring(dot + 1))) {
      return java.util.Optional.empty();
    }
    for (int i = IPV6_CONF.length(); i < dot; i++) {
      char c = key.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
        return java.util.Optional.empty();
      }
    }
    return java.util.Optional.of(new InterfaceSetting(key.substring(IPV6_CONF.length(), dot), key.substring(dot + 1)));
  }

  private static final String IPV6_CONF = "net.ipv6.conf.";
  private static final java.util.Set<String> SETTINGS = java.util.Set.of("disable_ipv6", "accept_ra", "accept_dad", "addr_gen_mode");

  /** The keys of every interface setting netc sets ({@link #interfaceSetting}) of interface {@code device}. */
  public static java.util.List<String> interfaceSettings(String device) {
    return SETTINGS.stream().sorted().map(x -> IPV6_CONF + device + "." + x).toList();
  }

  /**
   * The value the kernel gives this setting of a new interface, when netc knows it: IPv6 on
   * ({@code disable_ipv6} 0), router advertisements taken ({@code accept_ra} 1), duplicate
   * address detection ({@code accept_dad} 1) and the link-local address from the MAC address
   * ({@code addr_gen_mode} 0, EUI-64), as in the
   * {@code default} of a namespace netc makes. A sysctl that has it needs no command when its
   * interface is made.
   */
  public java.util.Optional<String> newInterfaceValue() {
    return interfaceSetting(key).map(x -> x.setting().equals("disable_ipv6") || x.setting().equals("addr_gen_mode") ? "0" : "1");
  }

  /** Whether {@code key} is a sysctl key netc takes: {@code net.} and dotted words. */
  public static boolean validKey(String key) {
    return KEY.matcher(key).matches();
  }

  /** The file under {@code /proc/sys} that holds {@code key} (checked: {@link #validKey}). */
  public static String path(String key) {
    if (!validKey(key)) {
      throw new IllegalArgumentException("bad sysctl key " + key);
    }
    return "/proc/sys/" + key.replace('.', '/');
  }

  /** The file under {@code /proc/sys} that holds it (in the namespace). */
  public String path() {
    return path(key);
  }

  @Override
  public ObjectId id() {
    return new ObjectId(ObjectId.Kind.SYSCTL, namespace, key);
  }
}
