package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code netc explain}: what it prints of a way through a port published on another host. */
class ExplainCommandTest {
  /**
   * Two hosts: {@code a} (h1) reaches {@code b} (h2) through the port {@code b} publishes on h2,
   * masqueraded to h1's address; {@code e} (h1) likewise, where its egress rules see h2 on 8080.
   */
  private static final String BYPASS = """
      topology bypass
      host h1 { underlay 192.168.65.11 }
      host h2 { underlay 192.168.65.12 }
      network lan { subnet 10.69.0.0/24 }
      container a { labels app=a; on h1; attach lan }
      container e { labels app=e; on h1; attach lan }
      container b { labels app=b; on h2; attach lan; publish 8080 -> 80/tcp }
      policy b-in {
        select app=b
        deny ingress from app=a port 80/tcp
      }
      policy e-out {
        select app=e
        deny egress to app=b port 80/tcp
      }
      """;

  /** Two pods of a Kubernetes input, `web` (8080/tcp, named `http`) and `client`, before a policy. */
  private static final String PODS = """
      apiVersion: v1
      kind: Pod
      metadata: {name: web, labels: {app: web}}
      spec: {containers: [{name: c, ports: [{containerPort: 8080, name: http}]}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: client, labels: {app: client}}
      spec: {containers: [{name: c}]}
      ---
      """;

  /**
   * A rule written in YAML's flow style is quoted whole, with its closing brackets (the quote
   * ended at its last value: `{ports: [{port: http`).
   */
  @Test
  void aFlowStyleRuleIsQuotedWhole() {
    CliRunner cli = new CliRunner();
    cli.write("flow.yaml", PODS + """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: p}
        spec: {podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}]}]}
        """);
    CliRunner.Result r = cli.run("explain", "flow.yaml", "default/client", "default/web:8080/tcp");
    assertTrue(r.out().contains("admitted by policy `default/p`: `{ports: [{port: http}]}`\n"), r.out());
  }

  /** A rule is quoted without the comments written inside it (they were pasted into the one line). */
  @Test
  void aRuleIsQuotedWithoutItsComments() {
    CliRunner cli = new CliRunner();
    cli.write("web.yaml", PODS + """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-in}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
            - from:
                # the only client
                - podSelector: {matchLabels: {app: client}}
              ports:
                - port: 8080 # "#" is no comment in quotes
        """);
    CliRunner.Result r = cli.run("explain", "web.yaml", "default/client", "default/web:8080/tcp");
    assertTrue(r.out().contains("admitted by policy `default/web-in`: `from: - podSelector: {matchLabels: {app: client}}"
        + " ports: - port: 8080`\n"), r.out());
  }

  @Test
  void aDenyIngressRuleBypassedThroughAnotherHostSaysItSawTheHostsAddress() {
    CliRunner cli = new CliRunner();
    cli.write("bypass.netc", BYPASS);
    assertEquals(new CliRunner.Result(0, """
        a -> b on 80/tcp: allowed
          - path: through published port 8080/tcp of host `h2`, out of network `lan` with masquerade, from 192.168.65.11 to 10.69.0.4
          - masqueraded out of host `h1`: to the policies of `b` it comes from `@host/h1`, to those of `a` it goes to `@host/h2` on 8080/tcp
          - `deny ingress from app=a port 80/tcp` of policy `b-in` does not apply: it names `a`, but on this way it sees the address of `@host/h1` (192.168.65.11), not `a`'s
              bypass.netc:10: deny ingress from app=a port 80/tcp
          - `b` is not isolated for ingress
          - `a` is not isolated for egress
        """, ""), cli.run("explain", "bypass.netc", "a", "b:80/tcp"));
  }

  @Test
  void aDenyEgressRuleBypassedThroughAnotherHostSaysItSawTheHostsAddressOnTheHostPort() {
    CliRunner cli = new CliRunner();
    cli.write("bypass.netc", BYPASS);
    assertEquals(new CliRunner.Result(0, """
        e -> b on 80/tcp: allowed
          - path: through published port 8080/tcp of host `h2`, out of network `lan` with masquerade, from 192.168.65.11 to 10.69.0.4
          - masqueraded out of host `h1`: to the policies of `b` it comes from `@host/h1`, to those of `e` it goes to `@host/h2` on 8080/tcp
          - `b` is not isolated for ingress
          - `deny egress to app=b port 80/tcp` of policy `e-out` does not apply: it names `b` on 80/tcp, but on this way it sees the address of `@host/h2` (192.168.65.12) on 8080/tcp, not `b`'s
              bypass.netc:14: deny egress to app=b port 80/tcp
          - `e` is not isolated for egress
        """, ""), cli.run("explain", "bypass.netc", "e", "b:80/tcp"));
  }

  @Test
  void aDenyRuleThatNamesTheHostTooDropsTheConnectionAsBefore() {
    CliRunner cli = new CliRunner();
    cli.write("bypass.netc", BYPASS.replace("deny ingress from app=a port", "deny ingress from app=a, @host port"));
    assertEquals(new CliRunner.Result(3, """
        a -> b on 80/tcp: denied
          - path: through published port 8080/tcp of host `h2`, out of network `lan` with masquerade, from 192.168.65.11 to 10.69.0.4
          - masqueraded out of host `h1`: to the policies of `b` it comes from `@host/h1`, to those of `a` it goes to `@host/h2` on 8080/tcp
          - denied by policy `b-in`: `deny ingress from app=a, @host port 80/tcp`, which wins over every allow
              bypass.netc:10: deny ingress from app=a, @host port 80/tcp
        """, ""), cli.run("explain", "bypass.netc", "a", "b:80/tcp"));
  }

  /**
   * {@code --family}: the model of one address family alone, as {@code verify} compares each.
   * {@code web} is dual stack and publishes 443/tcp on {@code [::]} only: {@code @outside}
   * reaches it in IPv6, not in IPv4, and the model of both admits it; matrix shows the same.
   */
  @Test
  void familyExplainsOneAddressFamilyAlone() {
    CliRunner cli = new CliRunner();
    cli.write("dual.netc", """
        topology dual
        network edge {
          subnet 10.80.0.0/24
          subnet fd00:80::/64
        }
        container web {
          attach edge
          publish [::]:8443 -> 443/tcp
        }
        """);
    assertEquals(new CliRunner.Result(3, """
        @outside -> web on 443/tcp: denied
          - no path: no way leads to `web` from outside in IPv4: the port that leads to `web` (through published port [::]:8443/tcp) is bound to an IPv6 address
        """, ""), cli.run("explain", "dual.netc", "@outside", "web:443/tcp", "--family", "ipv4"));
    assertEquals(new CliRunner.Result(0, """
        @outside -> web on 443/tcp: allowed
          - path: through published port [::]:8443/tcp
          - `web` is not isolated for ingress
        """, ""), cli.run("explain", "dual.netc", "@outside", "web:443/tcp", "--family", "IPv6"));
    assertEquals(0, cli.run("explain", "dual.netc", "@outside", "web:443/tcp").status());
    String four = cli.run("matrix", "dual.netc", "--port", "443/tcp", "--family", "ipv4", "--format", "csv").out();
    String six = cli.run("matrix", "dual.netc", "--port", "443/tcp", "--family", "ipv6", "--format", "csv").out();
    assertTrue(four.contains("@outside,web,443,tcp,false"), four);
    assertTrue(six.contains("@outside,web,443,tcp,true"), six);
    assertTrue(cli.run("matrix", "dual.netc", "--port", "443/tcp", "--family", "ipv6").out()
        .startsWith("443/tcp in IPv6: "), "the text says which family");
    assertTrue(cli.run("matrix", "dual.netc", "--port", "443/tcp").out().startsWith("443/tcp: "));
    CliRunner.Result bad = cli.run("matrix", "dual.netc", "--family", "ipx");
    assertEquals(1, bad.status());
    assertTrue(bad.err().contains("expected one of [ipv4, ipv6] (case-insensitive) but was 'ipx'"), bad.err());
  }

  /**
   * A matrix too large to compute (10,000 replicas: 100 million cells on one port, which once ran
   * out of a 6 GB heap after 37 s) is one line, at once; explain still answers about a pair.
   */
  @Test
  void aMatrixTooLargeIsOneLineAndExplainStillAnswers() {
    CliRunner cli = new CliRunner();
    cli.write("many.netc", """
        network n { subnet 10.0.0.0/16 }
        container c { replicas 10000; attach n; expose 80/tcp }
        """);
    assertEquals(new CliRunner.Result(1, "", "netc: the matrix of 10,002 nodes on 1 port has 100,040,004 cells, more than"
        + " netc computes at once (50,000,000): ask about one pair with `netc explain`\n"),
        cli.run("matrix", "many.netc", "--port", "80/tcp"));
    assertEquals(0, cli.run("explain", "many.netc", "c-1", "c-9999:80/tcp").status());
  }
}
