package dev.netc.compiler.diag;

import java.util.Arrays;
import java.util.Optional;

/**
 * The registry of diagnostic codes. A code is never reused; its first digit names the stage: 0
 * syntax and files, 1 names and settings, 2 addresses and ports, 3 policy, 4 security and
 * deployment pitfalls, 5 backend, 6 runner. Every code is documented in {@code
 * docs/diagnostics.md} and has a golden test under {@code golden-tests/}, which a test enforces.
 */
public enum Code {
  NETC001(Severity.ERROR, "syntax error"),
  NETC002(Severity.ERROR, "invalid character"),
  NETC003(Severity.ERROR, "unterminated string"),
  NETC004(Severity.ERROR, "file is not valid UTF-8 text"),
  NETC005(Severity.NOTE, "too many errors"),
  NETC006(Severity.ERROR, "imported file cannot be read"),
  NETC007(Severity.ERROR, "imported file belongs to another topology"),
  NETC008(Severity.ERROR, "topology declared twice"),
  NETC009(Severity.ERROR, "file outside the project"),
  NETC010(Severity.ERROR, "YAML syntax error"),
  NETC011(Severity.ERROR, "YAML file neither Compose nor Kubernetes"),
  NETC020(Severity.ERROR, "malformed Kubernetes object"),
  NETC021(Severity.ERROR, "required Kubernetes field missing"),
  NETC022(Severity.WARNING, "Kubernetes kind not supported"),
  NETC023(Severity.WARNING, "Kubernetes field not supported"),
  NETC024(Severity.WARNING, "Kubernetes object or rule without effect"),
  NETC025(Severity.WARNING, "named port not found"),
  NETC026(Severity.WARNING, "named port with several numbers"),
  NETC030(Severity.ERROR, "Compose value of the wrong type"),
  NETC031(Severity.WARNING, "unknown Compose field"),
  NETC032(Severity.WARNING, "Compose feature not supported"),
  NETC033(Severity.ERROR, "Compose fields conflict"),
  NETC034(Severity.ERROR, "invalid Compose interpolation"),
  NETC035(Severity.WARNING, "Compose switch in YAML 1.1 spelling"),

  NETC101(Severity.ERROR, "unknown reference"),
  NETC102(Severity.ERROR, "duplicate name"),
  NETC103(Severity.ERROR, "name cannot become a kernel or DNS name"),
  NETC104(Severity.ERROR, "option does not apply to this driver"),
  NETC105(Severity.ERROR, "unknown value"),
  NETC106(Severity.ERROR, "setting given twice"),
  NETC107(Severity.ERROR, "invalid label"),
  NETC108(Severity.ERROR, "static address on a replicated container"),
  NETC109(Severity.ERROR, "invalid suppression"),
  NETC110(Severity.ERROR, "statement not allowed here"),
  NETC111(Severity.ERROR, "required setting missing"),
  NETC112(Severity.WARNING, "suppression matches nothing"),
  NETC113(Severity.WARNING, "network has no members"),
  NETC114(Severity.WARNING, "topology declares nothing"),

  NETC201(Severity.ERROR, "malformed address"),
  NETC202(Severity.ERROR, "malformed prefix"),
  NETC203(Severity.ERROR, "malformed port or port range"),
  NETC204(Severity.ERROR, "unknown protocol"),
  NETC205(Severity.ERROR, "address family mismatch"),
  NETC206(Severity.ERROR, "number out of range"),

  NETC210(Severity.ERROR, "overlapping subnets on one host"),
  NETC211(Severity.ERROR, "static address outside its subnet"),
  NETC212(Severity.ERROR, "two endpoints with one address"),
  NETC213(Severity.ERROR, "address is the network, broadcast or gateway address"),
  NETC214(Severity.ERROR, "pool too small"),
  NETC215(Severity.ERROR, "subnet contains a host's underlay address"),
  NETC216(Severity.ERROR, "address or prefix outside the range it belongs to, or a gateway no host can have"),
  NETC217(Severity.ERROR, "no free subnet"),
  NETC218(Severity.ERROR, "two endpoints with one MAC address"),
  NETC219(Severity.ERROR, "passthru macvlan network with several members or a MAC address"),
  NETC220(Severity.ERROR, "published ports collide"),
  NETC221(Severity.WARNING, "published port ignored in host or none mode, or without a route out"),
  NETC222(Severity.ERROR, "pod members on one port"),
  NETC223(Severity.WARNING, "port not served by any selected endpoint"),
  NETC224(Severity.ERROR, "two hosts with one underlay address"),
  NETC225(Severity.ERROR, "node port already taken"),
  NETC226(Severity.ERROR, "service address already in use"),
  NETC227(Severity.ERROR, "no free automatic host port"),
  NETC228(Severity.WARNING, "port published on the IPv6 loopback address"),
  NETC229(Severity.WARNING, "service address of a family no endpoint has"),
  NETC230(Severity.ERROR, "malformed lock file"),
  NETC231(Severity.ERROR, "lock file out of date"),
  NETC232(Severity.WARNING, "service leads nowhere"),

  NETC301(Severity.WARNING, "allow rule without a path"),
  NETC302(Severity.WARNING, "one-sided allow rule"),
  NETC303(Severity.WARNING, "policy selects nothing"),
  NETC304(Severity.WARNING, "peer matches nothing"),
  NETC305(Severity.WARNING, "allow rule dropped by deny rules"),
  NETC306(Severity.WARNING, "redundant allow rule"),
  NETC307(Severity.NOTE, "isolated endpoint admits nothing"),
  NETC308(Severity.WARNING, "deny rule bypassed through another host"),


  NETC401(Severity.WARNING, "endpoint shares the host's network stack"),
  NETC402(Severity.WARNING, "published port range too wide"),
  NETC403(Severity.WARNING, "database or cache port published on every host address"),
  NETC404(Severity.WARNING, "policies leave endpoints unisolated"),
  NETC405(Severity.WARNING, "endpoint on the default network"),
  NETC406(Severity.WARNING, "overlay across hosts is not encrypted"),
  NETC407(Severity.NOTE, "macvlan parent must accept several MAC addresses"),
  NETC408(Severity.WARNING, "host cannot reach its macvlan members"),
  NETC409(Severity.WARNING, "service not balanced across hosts"),

  // 501-509: what `netc emit --backend k8s` cannot say; 511-519: `--backend compose`
  NETC501(Severity.WARNING, "deny rule cannot be expressed in Kubernetes"),
  NETC502(Severity.WARNING, "peer cannot be expressed in Kubernetes"),
  NETC503(Severity.WARNING, "network cannot be expressed in Kubernetes"),
  NETC504(Severity.WARNING, "port cannot be expressed in Kubernetes"),
  NETC505(Severity.WARNING, "attachment setting cannot be expressed in Kubernetes"),
  NETC506(Severity.WARNING, "endpoint without a network cannot be expressed in Kubernetes"),
  NETC507(Severity.WARNING, "service cannot be expressed exactly in Kubernetes"),

  NETC511(Severity.WARNING, "policy cannot be expressed in Compose"),
  NETC512(Severity.WARNING, "pod with several members in Compose"),
  NETC513(Severity.WARNING, "service cannot be expressed in Compose"),
  NETC514(Severity.WARNING, "several hosts cannot be expressed in Compose"),
  NETC515(Severity.WARNING, "network setting cannot be expressed in Compose"),
  NETC516(Severity.NOTE, "namespace flattened in Compose"),


  NETC520(Severity.WARNING, "not realised in the kernel yet"),
  NETC521(Severity.ERROR, "endpoint name taken by the sandbox");

  private final Severity severity;
  private final String title;

  Code(Severity severity, String title) {
    this.severity = severity;
    this.title = title;
  }

  /** The severity a diagnostic of this code has unless a check says otherwise. */
  public Severity severity() {
    return severity;
  }

  /** A few words that name the problem, as in the headings of {@code docs/diagnostics.md}. */
  public String title() {
    return title;
  }

  /** The code by its name, as users write it in suppressions and {@code --disable}. */
  public static Optional<Code> parse(String name) {
    return Arrays.stream(values()).filter(c -> c.name().equals(name)).findFirst();
  }
}
