package dev.netc.backends;

/** Generated topologies of one shape and any size, for the tests that compare sizes. */
final class ScaleTopologies {
  private ScaleTopologies() {}

  /**
   * {@code 2 * replicas} endpoints (web and api replicas, every web on two networks and with an
   * automatic published port) and {@code 2 * policies + 1} policies, every pair of policies of
   * the same shapes: allow and deny, ingress and egress, by labels, address block and {@code
   * @outside}.
   */
  static String source(int replicas, int policies) {
    StringBuilder b = new StringBuilder();
    b.append("topology scale\n\n");
    b.append("network front {\n  subnet 10.0.0.0/16\n  subnet fd00:a::/64\n}\n\n");
    b.append("network back {\n  subnet 10.1.0.0/16\n  internal\n}\n\n");
    b.append("container web {\n  replicas ").append(replicas)
        .append("\n  labels app=web\n  attach front\n  attach back\n  publish 8080/tcp\n}\n\n");
    b.append("container api {\n  replicas ").append(replicas)
        .append("\n  labels app=api\n  attach back\n  expose 3000/tcp\n}\n\n");
    b.append("policy default-deny {\n  select all\n  isolate ingress egress\n}\n\n");
    for (int k = 1; k <= policies; k++) {
      b.append("policy api-").append(k).append(" {\n  select app=api\n")
          .append("  allow ingress from app=web port ").append(3000 + k).append("/tcp\n")
          .append("  deny ingress from cidr 10.9.").append(k % 250).append(".0/24\n")
          .append("  allow egress to app=web port ").append(4000 + k).append("/udp\n}\n\n");
      b.append("policy web-").append(k).append(" {\n  select app=web\n")
          .append("  allow egress to app=api port ").append(3000 + k).append("/tcp\n")
          .append("  allow egress to @outside port ").append(443 + k).append("/tcp\n")
          .append("  deny egress to cidr 192.0.2.0/24 except 192.0.2.").append(k % 250).append("/32\n")
          .append("  allow ingress from @outside port 8080/tcp\n}\n\n");
    }
    return b.toString();
  }
}
