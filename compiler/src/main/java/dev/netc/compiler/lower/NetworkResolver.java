package dev.netc.compiler.lower;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Driver;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.MacvlanMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Resolves {@code network} declarations: driver, subnets, gateways, pools and the options of each
 * driver; then gives networks declared without a subnet one from Docker's default pools, and
 * overlays without a VNI one that no other overlay uses.
 */
final class NetworkResolver {
  static final int DEFAULT_VXLAN_PORT = 4789;
  private static final Set<String> OVERLAY_ONLY = Set.of("vni", "port", "encrypted");
  private static final Set<String> MACVLAN_ONLY = Set.of("parent", "mode");
  private static final Set<String> REPEATABLE = Set.of("subnet", "gateway", "pool", "reserve");

  /** A resolved network and where its name stands. */
  record Resolved(Network network, Span nameSpan) {
    Span span() {
      return network.span();
    }
  }

  private final Diagnostics diags;
  private final Values values;

  NetworkResolver(Diagnostics diags, Values values) {
    this.diags = diags;
    this.values = values;
  }

  /** Per-family values of a network being resolved. */
  private static final class Family {
    Cidr subnet;
    IpAddress gateway;
    Cidr pool;
    final List<IpAddress> reserved = new ArrayList<>();
    final Map<String, Word> given = new HashMap<>();
  }

  Optional<Resolved> resolve(Decl.Network n) {
    int errors = diags.errorCount();
    Driver driver = Driver.BRIDGE;
    Map<String, Setting> seen = new HashMap<>();
    for (Setting s : n.settings()) {
      if (s.keyword().text().equals("driver")) {
        Optional<String> d = values.choice(s.first(), "driver", List.of("bridge", "overlay", "macvlan"));
        if (d.isPresent() && !seen.containsKey("driver")) {
          driver = Driver.valueOf(d.get().toUpperCase(Locale.ROOT));
        }
        seen.putIfAbsent("driver", s);
      }
    }
    Map<IpAddress.Family, Family> fams = new EnumMap<>(IpAddress.Family.class);
    OptionalInt mtu = OptionalInt.empty();
    OptionalInt vni = OptionalInt.empty();
    int port = DEFAULT_VXLAN_PORT;
    boolean internal = false;
    boolean resolve = true;
    boolean encrypted = false;
    Optional<String> parent = Optional.empty();
    MacvlanMode mode = MacvlanMode.BRIDGE;
    for (Setting s : n.settings()) {
      String key = s.keyword().text();
      if ((OVERLAY_ONLY.contains(key) && driver != Driver.OVERLAY)
          || (MACVLAN_ONLY.contains(key) && driver != Driver.MACVLAN)) {
        String owner = OVERLAY_ONLY.contains(key) ? "overlay" : "macvlan";
        diags.add(Diagnostic.of(Code.NETC104, s.keyword().span(), "`" + key
                + "` is not an option of a " + driver.label() + " network")
            .withHint("`" + key + "` applies to " + owner + " networks: add `driver " + owner
                + "`, or remove `" + key + "`"));
        continue;
      }
      if (!REPEATABLE.contains(key)) {
        Setting first = seen.putIfAbsent(key, s);
        if (first != null && first != s) {
          settingTwice(s, first);
          continue;
        }
      }
      switch (key) {
        case "driver" -> { }
        case "subnet" -> values.cidr(s.first()).filter(c -> roomy(c, s.first())).ifPresent(c -> {
          Family f = fams.computeIfAbsent(c.family(), k -> new Family());
          if (once(f, "subnet", s.first(), c.family())) {
            f.subnet = c;
          }
        });
        case "gateway" -> values.ip(s.first()).ifPresent(a -> {
          Family f = fams.computeIfAbsent(a.family(), k -> new Family());
          if (once(f, "gateway", s.first(), a.family())) {
            f.gateway = a;
          }
        });
        case "pool" -> values.cidr(s.first()).ifPresent(c -> {
          Family f = fams.computeIfAbsent(c.family(), k -> new Family());
          if (once(f, "pool", s.first(), c.family())) {
            f.pool = c;
          }
        });
        case "reserve" -> s.values().forEach(w -> values.ip(w).ifPresent(
            a -> fams.computeIfAbsent(a.family(), k -> new Family()).reserved.add(a)));
        case "mtu" -> mtu = values.integer(s.first(), 68, 65535, "an MTU");
        case "internal" -> internal = true;
        case "resolve" -> resolve = values.choice(s.first(), "`resolve` value", List.of("on", "off"))
            .map("on"::equals).orElse(true);
        case "vni" -> vni = values.integer(s.first(), 1, 16777215, "a VXLAN network identifier");
        case "port" -> port = values.integer(s.first(), 1, 65535, "a UDP port").orElse(port);
        case "encrypted" -> encrypted = true;
        case "parent" -> {
          if (values.interfaceName(s.first())) {
            parent = Optional.of(s.first().text());
          }
        }
        case "mode" -> mode = values.choice(s.first(), "macvlan mode",
                List.of("bridge", "private", "vepa", "passthru"))
            .map(m -> MacvlanMode.valueOf(m.toUpperCase(Locale.ROOT))).orElse(mode);
        default -> throw new IllegalStateException("grammar and resolver disagree on `" + key + "`");
      }
    }
    List<Subnet> subnets = new ArrayList<>();
    for (var e : fams.entrySet()) {
      Family f = e.getValue();
      if (f.subnet == null) {
        Word w = f.given.values().stream().findFirst().orElse(null);
        if (w == null && !f.reserved.isEmpty()) {
          w = n.name();
        }
        if (w != null) {
          diags.add(Diagnostic.of(Code.NETC205, w.span(), "`" + w.text() + "` is an "
                  + e.getKey().label() + " value, but network `" + n.name().text() + "` has no "
                  + e.getKey().label() + " subnet")
              .withHint("add an " + e.getKey().label() + " `subnet`, or remove the value"));
        }
        continue;
      }
      IpAddress gateway = f.gateway != null ? f.gateway : f.subnet.address().plus(1);
      subnets.add(new Subnet(f.subnet, gateway, Optional.ofNullable(f.pool), f.reserved, false));
    }
    Family v6 = fams.get(IpAddress.Family.V6);
    if (mtu.isPresent() && mtu.getAsInt() < Network.IPV6_MIN_MTU && v6 != null && v6.subnet != null) {
      // the kernel keeps no IPv6 state on a link under 1280 bytes: every IPv6 address of the
      // network would be refused at apply (RTNETLINK answers: Invalid argument)
      Word w = seen.get("mtu").first();
      diags.add(Diagnostic.of(Code.NETC206, w.span(), "expected an MTU in " + Network.IPV6_MIN_MTU + "-65535 on network `"
              + n.name().text() + "`, which has an IPv6 subnet, got `" + w.text() + "`")
          .withHint("IPv6 needs links of at least 1280 bytes: raise the MTU, or remove the IPv6 subnet"));
    }
    if (driver == Driver.MACVLAN && parent.isEmpty() && !seen.containsKey("parent")) {
      diags.add(Diagnostic.of(Code.NETC111, n.name().span(), "macvlan network `" + n.name().text()
          + "` has no `parent`").withHint(EndpointResolver.compose(n.name().span().file())
              ? "name the host interface it hangs off in its `driver_opts`, such as `parent: eth0`"
              : "name the host interface it hangs off, such as `parent eth0`"));
    }
    if (diags.errorCount() > errors) {
      return Optional.empty();
    }
    Optional<Network.Overlay> overlay = driver == Driver.OVERLAY
        ? Optional.of(new Network.Overlay(vni.orElse(0), port, encrypted)) : Optional.empty();
    Optional<Network.Macvlan> macvlan = driver == Driver.MACVLAN
        ? Optional.of(new Network.Macvlan(parent.get(), mode)) : Optional.empty();
    Network net = new Network(n.name().text(), driver, subnets, mtu, internal, resolve, false,
        overlay, macvlan, n.span());
    return Optional.of(new Resolved(net, n.name().span()));
  }

  /** A subnet has room for a gateway and members, and does not swallow the whole address space. */
  /**
   * Ranges no network's subnet can use: the kernel refuses them for an interface or a gateway
   * route, or they mean something else on every host (RFC 6890, RFC 4291).
   */
  static final List<Map.Entry<Cidr, String>> UNUSABLE = List.of(
      Map.entry(Cidr.parse("0.0.0.0/8").get(), "\"this network\" (0.0.0.0/8)"),
      Map.entry(Cidr.parse("127.0.0.0/8").get(), "loopback (127.0.0.0/8)"),
      Map.entry(Cidr.parse("224.0.0.0/4").get(), "multicast (224.0.0.0/4)"),
      Map.entry(Cidr.parse("240.0.0.0/4").get(), "reserved (240.0.0.0/4)"),
      Map.entry(Cidr.parse("::/8").get(), "reserved: the unspecified, loopback and IPv4-mapped addresses (::/8)"),
      Map.entry(Cidr.parse("fe80::/10").get(), "link-local (fe80::/10: every interface has its own)"),
      Map.entry(Cidr.parse("ff00::/8").get(), "multicast (ff00::/8)"));

  private boolean roomy(Cidr c, Word w) {
    for (Map.Entry<Cidr, String> u : UNUSABLE) {
      if (u.getKey().family() == c.family() && u.getKey().overlaps(c)) {
        diags.add(Diagnostic.of(Code.NETC202, w.span(), "subnet `" + c + "` is "
                + (u.getKey().contains(c) ? "" : "partly ") + u.getValue() + ", which no network can use")
            .withHint("use a private range: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, or fd00::/8 for IPv6"));
        return false;
      }
    }
    int bits = c.family().bits();
    int min = c.family() == IpAddress.Family.V4 ? 8 : 16;
    if (c.prefix() > bits - 2 || c.prefix() < min) {
      diags.add(Diagnostic.of(Code.NETC202, w.span(), "subnet `" + c + "` is too "
              + (c.prefix() < min ? "wide" : "small") + " for a network")
          .withHint("a network's " + c.family().label() + " subnet has a prefix length from /" + min
              + " to /" + (bits - 2)));
      return false;
    }
    return true;
  }

  private boolean once(Family f, String key, Word w, IpAddress.Family family) {
    Word prev = f.given.putIfAbsent(key, w);
    if (prev != null) {
      diags.add(Diagnostic.of(Code.NETC106, w.span(), "`" + key + " " + w.text() + "` is a second "
              + family.label() + " " + key + " of this network")
          .withRelated(prev.span(), "the first is here")
          .withHint("a network has at most one " + key + " per address family"));
      return false;
    }
    return true;
  }

  private void settingTwice(Setting again, Setting first) {
    diags.add(Diagnostic.of(Code.NETC106, again.keyword().span(),
            "`" + again.keyword().text() + "` is given twice")
        .withRelated(first.span(), "first given here")
        .withHint("keep one of them"));
  }

  /** The {@code default} network that endpoints without {@code attach} join, as Docker's. */
  Network implicitDefault(Span origin) {
    return new Network(Network.DEFAULT, Driver.BRIDGE, List.of(), OptionalInt.empty(), false,
        false, true, Optional.empty(), Optional.empty(), origin);
  }

  /**
   * Completes networks: a subnet for those declared without one (the one the lock records when
   * it is still free, else the first free one of the default pools, in declaration order; the
   * implicit {@code default} network prefers Docker's 172.17.0.0/16), and a free VNI for
   * overlays without one.
   */
  List<Network> finish(List<Network> list, java.util.Map<String, List<Cidr>> locked) {
    List<Cidr> taken = new ArrayList<>();
    Set<Integer> vnis = new HashSet<>();
    for (Network n : list) {
      n.subnets().forEach(s -> taken.add(s.cidr()));
      n.overlay().ifPresent(o -> vnis.add(o.vni()));
    }
    DefaultPools pools = new DefaultPools(taken);
    // Locked subnets first, so that a network declared later cannot take one before its owner.
    java.util.Map<String, Cidr> keep = new java.util.HashMap<>();
    for (Network n : list) {
      if (n.subnets().stream().noneMatch(s -> s.cidr().family() == IpAddress.Family.V4)) {
        locked.getOrDefault(n.name(), List.of()).stream()
            .filter(x -> x.family() == IpAddress.Family.V4).findFirst()
            .filter(pools::claim).ifPresent(c -> keep.put(n.name(), c));
      }
    }
    int nextVni = 4096;
    List<Network> out = new ArrayList<>();
    for (Network n : list) {
      List<Subnet> subnets = n.subnets();
      if (subnets.stream().noneMatch(s -> s.cidr().family() == IpAddress.Family.V4)) {
        Optional<Cidr> c = Optional.ofNullable(keep.get(n.name()));
        if (c.isEmpty() && n.implicit()) {
          c = Optional.of(Cidr.parse("172.17.0.0/16").get()).filter(pools::claim);
        }
        if (c.isEmpty()) {
          c = pools.next();
        }
        if (c.isPresent()) {
          List<Subnet> all = new ArrayList<>();
          all.add(new Subnet(c.get(), c.get().address().plus(1), Optional.empty(), List.of(), true));
          all.addAll(subnets);
          subnets = all;
        } else {
          diags.add(Diagnostic.of(Code.NETC217, n.span(), "no free subnet is left for network `"
                  + n.name() + "`: the declared subnets cover every default pool")
              .withHint("declare a `subnet` for `" + n.name() + "`"));
        }
      }
      Optional<Network.Overlay> overlay = n.overlay();
      if (overlay.isPresent() && overlay.get().vni() == 0) {
        while (vnis.contains(nextVni)) {
          nextVni++;
        }
        vnis.add(nextVni);
        overlay = Optional.of(new Network.Overlay(nextVni, overlay.get().port(), overlay.get().encrypted()));
      }
      out.add(new Network(n.name(), n.driver(), subnets, n.mtu(), n.internal(), n.resolve(),
          n.implicit(), overlay, n.macvlan(), n.span()));
    }
    return out;
  }

  /** Docker's default address pools, then 10.128.0.0/9 in /24s, minus what is taken. */
  private static final class DefaultPools {
    private final List<Cidr> taken;
    private int index;

    DefaultPools(List<Cidr> taken) {
      this.taken = new ArrayList<>(taken);
    }

    /** Takes {@code c} when it overlaps nothing taken so far. */
    boolean claim(Cidr c) {
      if (taken.stream().anyMatch(t -> t.overlaps(c))) {
        return false;
      }
      taken.add(c);
      return true;
    }

    Optional<Cidr> next() {
      while (index < 14 + 16 + 32768) {
        Cidr c = candidate(index++);
        if (taken.stream().noneMatch(t -> t.overlaps(c))) {
          taken.add(c);
          return Optional.of(c);
        }
      }
      return Optional.empty();
    }

    private static Cidr candidate(int i) {
      if (i < 14) {
        return new Cidr(IpAddress.v4((172L << 24) | ((18L + i) << 16)), 16);
      }
      if (i < 30) {
        return new Cidr(IpAddress.v4((192L << 24) | (168L << 16) | ((long) (i - 14) << 12)), 20);
      }
      int k = i - 30;
      return new Cidr(IpAddress.v4((10L << 24) | ((128L + (k >> 8)) << 16) | ((long) (k & 255) << 8)), 24);
    }
  }
}
