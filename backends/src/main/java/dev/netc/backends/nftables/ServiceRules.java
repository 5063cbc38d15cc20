package dev.netc.backends.nftables;

import dev.netc.backends.plan.HostState;
import dev.netc.backends.plan.ServicePlan;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The part of a host's table that realises its services, as kube-proxy's nftables mode does:
 *
 * <ul>
 *   <li>a verdict map per family, {@code services4}: virtual address . protocol . port to {@code
 *       goto} the chain of that service port; a verdict map {@code nodeports}: protocol . node
 *       port to the same chains, looked up for connections to an address of the host;
 *   <li>one chain per service port, {@code svc_NAME_PORT_PROTO}, with one rule per family: DNAT
 *       to the endpoint that a map gives for {@code numgen random mod N}, each endpoint owning a
 *       range of the numbers as large as its share (the weights of {@code backend});
 *   <li>hairpin: an endpoint that the service sends back to itself is masqueraded to its
 *       bridge's address (the kernel drops a packet from its own address) and admitted without
 *       policy, as the model admits an endpoint reaching itself;
 *   <li>after DNAT, service traffic passes the forward chain like any other, so the policies of
 *       the endpoint behind the service decide.
 * </ul>
 *
 * <p>The number of rules depends on the number of service ports, not on the endpoints: an
 * endpoint is one element of its service port's map.
 */
final class ServiceRules {
  private static final Cidr V4_LOOPBACK = Cidr.parse("127.0.0.0/8").get();
  private static final Cidr V6_LOOPBACK = Cidr.parse("::1/128").get();

  private final HostState host;
  /** Service port to chain name, in declaration order. */
  private final Map<String, String> chainNames = new LinkedHashMap<>();

  ServiceRules(HostState host) {
    this.host = host;
    Set<String> taken = new HashSet<>();
    for (ServicePlan s : realised()) {
      for (ServicePlan.Port p : s.ports()) {
        String base = "svc_" + s.service().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "_") + "_"
            + p.port() + "_" + p.protocol().label();
        String name = base;
        for (int i = 2; !taken.add(name); i++) {
          name = base + "_" + i;
        }
        chainNames.put(key(s, p), name);
      }
    }
  }

  private static String key(ServicePlan s, ServicePlan.Port p) {
    return s.service() + "|" + p.port() + "|" + p.protocol().label();
  }

  /** The services with an endpoint to forward to on this host. */
  private List<ServicePlan> realised() {
    return host.services().stream().filter(s -> !s.balance().isEmpty()).toList();
  }

  boolean any() {
    return !chainNames.isEmpty();
  }

  private static String v(IpAddress.Family f) {
    return f == IpAddress.Family.V4 ? "4" : "6";
  }

  private static Expr.FieldType addrType(IpAddress.Family f) {
    return f == IpAddress.Family.V4 ? Expr.FieldType.IPV4_ADDR : Expr.FieldType.IPV6_ADDR;
  }

  private boolean has(IpAddress.Family f) {
    return realised().stream().anyMatch(s -> s.balance().containsKey(f));
  }

  private boolean nodePorts() {
    return realised().stream().anyMatch(s -> s.ports().stream().anyMatch(p -> p.nodePort().isPresent()));
  }

  // ------------------------------------------------------------------ sets and maps

  List<NftSet> sets() {
    List<NftSet> out = new ArrayList<>();
    if (!any()) {
      return out;
    }
    for (IpAddress.Family f : IpAddress.Family.values()) {
      if (!has(f)) {
        continue;
      }
      List<NftSet.Element> vips = new ArrayList<>();
      List<NftSet.Element> dispatch = new ArrayList<>();
      List<NftSet.Element> hairpin = new ArrayList<>();
      Set<List<IpAddress>> seen = new HashSet<>();
      for (ServicePlan s : realised()) {
        ServicePlan.Balance b = s.balance().get(f);
        if (b == null) {
          continue;
        }
        IpAddress vip = s.address(f).orElseThrow();
        vips.add(new NftSet.Element(List.of(Value.Addr.of(vip)), List.of(), Comments.fit("service " + s.service())));
        for (ServicePlan.Port p : s.ports()) {
          int proto = Coverage.number(p.protocol());
          dispatch.add(new NftSet.Element(List.of(Value.Addr.of(vip), new Value.Proto(proto, proto),
              new Value.Port(p.port(), p.port())), List.of(new Value.Goto(chainNames.get(key(s, p)))),
              Comments.fit("service " + s.service() + " " + where(s))));
        }
        for (ServicePlan.Target t : b.targets()) {
          // from every address of its own the endpoint may connect from (its default route's may
          // be on another network than the one the service reaches it on): the endpoint drops a
          // packet from any address of its own
          for (IpAddress from : sources(t, f)) {
            if (seen.add(List.of(from, t.address()))) {
              hairpin.add(new NftSet.Element(List.of(Value.Addr.of(from), Value.Addr.of(t.address())), List.of(),
                  Comments.fit(t.endpoint())));
            }
          }
        }
      }
      out.add(new NftSet("service_addresses" + v(f), List.of(addrType(f)), List.of(), false, vips,
          "the virtual addresses of the services"));
      out.add(new NftSet("services" + v(f), List.of(addrType(f), Expr.FieldType.INET_PROTO, Expr.FieldType.INET_SERVICE),
          List.of(Expr.FieldType.VERDICT), false, dispatch,
          "service ports: virtual address . protocol . port : the chain that balances them"));
      out.add(new NftSet("hairpin" + v(f), List.of(addrType(f), addrType(f)), List.of(), false, hairpin,
          "an endpoint behind a service reaching itself through it: source . destination"));
    }
    if (nodePorts()) {
      List<NftSet.Element> els = new ArrayList<>();
      for (ServicePlan s : realised()) {
        for (ServicePlan.Port p : s.ports()) {
          if (p.nodePort().isPresent()) {
            int proto = Coverage.number(p.protocol());
            int port = p.nodePort().getAsInt();
            els.add(new NftSet.Element(List.of(new Value.Proto(proto, proto), new Value.Port(port, port)),
                List.of(new Value.Goto(chainNames.get(key(s, p)))), Comments.fit("service " + s.service() + " " + where(s))));
          }
        }
      }
      out.add(new NftSet("nodeports", List.of(Expr.FieldType.INET_PROTO, Expr.FieldType.INET_SERVICE),
          List.of(Expr.FieldType.VERDICT), false, els,
          "node ports, on every address of the host: protocol . port : the chain of the service port"));
    }
    for (ServicePlan s : realised()) {
      for (ServicePlan.Port p : s.ports()) {
        for (IpAddress.Family f : IpAddress.Family.values()) {
          ServicePlan.Balance b = s.balance().get(f);
          if (b == null) {
            continue;
          }
          List<NftSet.Element> els = new ArrayList<>();
          for (ServicePlan.Target t : b.targets()) {
            els.add(new NftSet.Element(List.of(new Value.Number(t.first(), t.last())),
                List.of(Value.Addr.of(t.address()), new Value.Port(p.targetPort(), p.targetPort())),
                Comments.fit(t.endpoint() + " (" + t.share() + " in " + b.modulus() + ")")));
          }
          String ip = f == IpAddress.Family.V4 ? "ip" : "ip6";
          out.add(new NftSet(chainNames.get(key(s, p)) + "_" + v(f), List.of(), List.of(), true, els,
              "the endpoints of service " + s.service() + " port " + p.port() + "/" + p.protocol().label()
                  + ", by their share of numgen's numbers",
              Optional.of("numgen random mod " + b.modulus() + " : " + ip + " daddr . " + p.protocol().label() + " dport")));
        }
      }
    }
    return out;
  }

  /**
   * The addresses of family {@code f} that endpoint {@code t} may reach a virtual address from:
   * its address behind the service first, then its others on bridges (not on macvlan networks,
   * which do not lead to the host).
   */
  private List<IpAddress> sources(ServicePlan.Target t, IpAddress.Family f) {
    List<IpAddress> out = new ArrayList<>(List.of(t.address()));
    host.endpoints().stream().filter(e -> e.endpoint().equals(t.endpoint())).flatMap(e -> e.interfaces().stream())
        .filter(i -> !i.bridge().isEmpty()).flatMap(i -> i.addresses().stream())
        .filter(a -> a.family() == f && !out.contains(a)).forEach(out::add);
    return out;
  }

  private static String where(ServicePlan s) {
    return s.span().file().path() + ":" + s.span().line();
  }

  // ------------------------------------------------------------------ rules

  /** Rules of the forward chain that come before the rest: hairpin traffic is admitted. */
  List<Rule> forwardFirst() {
    List<Rule> out = new ArrayList<>();
    for (IpAddress.Family f : IpAddress.Family.values()) {
      if (any() && has(f)) {
        List<Expr> pair = f == IpAddress.Family.V4 ? List.of(Expr.IP_SADDR, Expr.IP_DADDR)
            : List.of(Expr.IP6_SADDR, Expr.IP6_DADDR);
        out.add(Rule.of(new Statement.Accept(),
            "an endpoint reaching itself through a service (hairpin): an endpoint always reaches itself",
            new Match.CtStatus("dnat"), new Match.Lookup(pair, "hairpin" + v(f), false)));
      }
    }
    return out;
  }

  /**
   * Rules of the forward chain before internal networks are cut off: a connection to a service
   * goes to the policies, from an internal network too (the model gives every member of a
   * network a path to a service).
   */
  List<Rule> forwardServices(String policyChain) {
    List<Rule> out = new ArrayList<>();
    for (IpAddress.Family f : IpAddress.Family.values()) {
      if (any() && has(f)) {
        out.add(Rule.of(new Statement.Jump(policyChain),
            "to a service (DNAT from its virtual address): the policies of the endpoint behind it decide",
            new Match.CtStatus("dnat"), new Match.Lookup(List.of(f == IpAddress.Family.V4
                ? Expr.CT_ORIGINAL_IP_DADDR : Expr.CT_ORIGINAL_IP6_DADDR), "service_addresses" + v(f), false)));
      }
    }
    return out;
  }

  /** Rules of the nat prerouting (and, with {@code output}, output) chain: services and node ports. */
  List<Rule> dnat(boolean output) {
    List<Rule> out = new ArrayList<>();
    if (!any()) {
      return out;
    }
    String from = output ? ", from the host itself" : "";
    for (IpAddress.Family f : IpAddress.Family.values()) {
      if (has(f)) {
        Statement vmap = new Statement.Vmap(List.of(f == IpAddress.Family.V4 ? Expr.IP_DADDR : Expr.IP6_DADDR,
            Expr.L4PROTO, Expr.TH_DPORT), "services" + v(f));
        out.add(output ? Rule.of(vmap, "service ports (" + f.label() + ")" + from)
            : Rule.of(vmap, "service ports (" + f.label() + "), from the topology's networks only: outside"
                + " clients use node ports", new Match.Lookup(List.of(Expr.IIFNAME), "bridges", false)));
      }
    }
    if (nodePorts()) {
      for (IpAddress.Family f : IpAddress.Family.values()) {
        if (has(f)) {
          Expr daddr = f == IpAddress.Family.V4 ? Expr.IP_DADDR : Expr.IP6_DADDR;
          out.add(Rule.of(new Statement.Vmap(List.of(Expr.L4PROTO, Expr.TH_DPORT), "nodeports"),
              "node ports on every " + f.label() + " address of the host but loopback" + from,
              new Match.Prefix(daddr, f == IpAddress.Family.V4 ? V4_LOOPBACK : V6_LOOPBACK, true),
              new Match.FibLocal()));
        }
      }
    }
    return out;
  }

  /** Rules of the nat postrouting chain: hairpin connections leave with the bridge's address. */
  List<Rule> postrouting() {
    List<Rule> out = new ArrayList<>();
    for (IpAddress.Family f : IpAddress.Family.values()) {
      if (any() && has(f)) {
        List<Expr> pair = f == IpAddress.Family.V4 ? List.of(Expr.IP_SADDR, Expr.IP_DADDR)
            : List.of(Expr.IP6_SADDR, Expr.IP6_DADDR);
        out.add(Rule.of(new Statement.Masquerade(),
            "hairpin: the endpoint would drop a packet from its own address, so it comes from the bridge's",
            new Match.CtStatus("dnat"), new Match.Lookup(pair, "hairpin" + v(f), false)));
      }
    }
    return out;
  }

  /** One chain per service port: DNAT to an endpoint drawn by its share. */
  List<Chain> chains() {
    List<Chain> out = new ArrayList<>();
    for (ServicePlan s : realised()) {
      for (ServicePlan.Port p : s.ports()) {
        String name = chainNames.get(key(s, p));
        List<Rule> rules = new ArrayList<>();
        for (IpAddress.Family f : IpAddress.Family.values()) {
          ServicePlan.Balance b = s.balance().get(f);
          if (b != null) {
            rules.add(Rule.of(new Statement.Balance(f == IpAddress.Family.V4 ? "ip" : "ip6", b.modulus(),
                    name + "_" + v(f)),
                b.targets().size() + " endpoint" + (b.targets().size() == 1 ? "" : "s") + ", each by its share",
                new Match.NfProto(f), new Match.L4Proto(p.protocol())));
          }
        }
        out.add(new Chain(name, Optional.empty(), rules, Comments.fit("service " + s.service() + " port "
            + p.port() + "/" + p.protocol().label() + " -> " + p.targetPort()
            + p.nodePort().stream().mapToObj(n -> ", node port " + n).findFirst().orElse(""))));
      }
    }
    return out;
  }
}
