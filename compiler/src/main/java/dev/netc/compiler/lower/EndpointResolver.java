package dev.netc.compiler.lower;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Frontends;
import dev.netc.compiler.ir.Attachment;
import dev.netc.compiler.ir.Endpoint;
import dev.netc.compiler.ir.Host;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.NetMode;
import dev.netc.compiler.ir.Network;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Publish;
import dev.netc.compiler.ir.Subnet;
import dev.netc.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Resolves one {@code container} or {@code pod} declaration into endpoints: host placement, mode,
 * attachments with static addresses and aliases, published and exposed ports, pod members, and
 * replicas expanded into {@code name-1 ... name-N}.
 */
final class EndpointResolver {
  static final int MAX_REPLICAS = 10000;

  /** An endpoint and the word its name comes from (for duplicate reports). */
  record Named(Endpoint endpoint, Word nameWord) {}

  private final Resolver resolver;
  private final Diagnostics diags;
  private final Values values;

  EndpointResolver(Resolver resolver, Diagnostics diags, Values values) {
    this.resolver = resolver;
    this.diags = diags;
    this.values = values;
  }

  /** The aliases the attachments of the container being resolved give, with their places. */
  private final List<Word> aliasWords = new ArrayList<>();

  List<Named> resolve(Decl.Container c, String ns) {
    aliasWords.clear();
    int errors = diags.errorCount();
    String what = c.pod() ? "pod" : "container";
    values.name(c.name(), () -> (compose(c.name().span().file()) ? "service" : what) + " name `"
        + c.name().text() + "`");
    Map<String, String> labels = resolver.labels(c.labels());
    int replicas = 1;
    Optional<String> host = Optional.empty();
    Word hostWord = null;
    NetMode mode = NetMode.BRIDGE;
    Word modeWord = null;
    Map<String, Setting> seen = new HashMap<>();
    for (Setting s : c.settings()) {
      Setting first = seen.putIfAbsent(s.keyword().text(), s);
      if (first != null) {
        resolver.settingTwice(s, first);
        continue;
      }
      switch (s.keyword().text()) {
        case "replicas" -> replicas = values.integer(s.first(), 0, MAX_REPLICAS, "a replica count")
            .orElse(replicas);
        case "on" -> {
          hostWord = s.first();
          host = resolver.lookupHost(s.first()).map(Host::name);
        }
        case "mode" -> {
          modeWord = s.first();
          mode = values.choice(s.first(), "mode", List.of("bridge", "host", "none"))
              .map(m -> NetMode.valueOf(m.toUpperCase(Locale.ROOT))).orElse(mode);
        }
        default -> throw new IllegalStateException(s.keyword().text());
      }
    }
    if (hostWord == null) {
      host = resolver.defaultHost();
      if (host.isEmpty()) {
        diags.add(Diagnostic.of(Code.NETC111, c.name().span(), what + " `" + c.name().text()
                + "` does not say which host it runs `on`")
            .withHint("add `on HOST`; the hosts are " + String.join(", ",
                resolver.hostNames().stream().map(h -> "`" + h + "`").toList())));
      }
    }
    if (mode != NetMode.BRIDGE) {
      for (Decl.Attach a : c.attaches()) {
        diags.add(Diagnostic.of(Code.NETC110, a.span(), "a " + what + " in `" + mode.label()
                + "` mode has no networks of its own, so it cannot `attach`")
            .withRelated(modeWord.span(), "the mode is set here")
            .withHint("remove the `attach`, or the `mode " + mode.label() + "`"));
      }
    }
    List<Attachment> attachments = new ArrayList<>();
    Map<String, Decl.Attach> attached = new HashMap<>();
    boolean staticAddress = false;
    for (Decl.Attach a : c.attaches()) {
      if (mode != NetMode.BRIDGE) {
        break;
      }
      Decl.Attach prev = attached.putIfAbsent(a.network().text(), a);
      if (prev != null) {
        diags.add(Diagnostic.of(Code.NETC106, a.network().span(), what + " `" + c.name().text()
                + "` is attached to `" + a.network().text() + "` twice")
            .withRelated(prev.span(), "first attached here")
            .withHint("merge the two `attach` blocks"));
        continue;
      }
      Optional<Attachment> att = attachment(a);
      att.ifPresent(attachments::add);
      staticAddress |= att.map(x -> !x.addresses().isEmpty() || x.mac().isPresent()).orElse(false);
    }
    if (staticAddress && replicas > 1) {
      boolean compose = compose(c.name().span().file());
      diags.add(Diagnostic.of(Code.NETC108, c.name().span(), (compose ? "service" : what) + " `"
              + c.name().text() + "` has " + replicas + " replicas but a static address, which only"
              + " one can have")
          .withHint(compose
              ? "remove the service's `ipv4_address`, `ipv6_address` and `mac_address` so each replica gets its"
                  + " own, or run one replica (`deploy.replicas` or `scale`)"
              : "remove the static `ip` or `mac` so each replica gets its own, or use one replica"));
    }
    if (mode == NetMode.BRIDGE && c.attaches().isEmpty()) {
      attachments.add(new Attachment(Network.DEFAULT, List.of(), List.of(), List.of(), Optional.empty(), c.name().span()));
      resolver.implicitlyAttached(Network.DEFAULT);
    }
    List<Publish> publishes = new ArrayList<>();
    for (Decl.Publish p : c.publishes()) {
      publish(p).ifPresent(publishes::add);
    }
    List<PortSpec> exposes = exposes(c.exposes());
    List<Endpoint.Member> members = new ArrayList<>();
    Map<String, Word> memberNames = new HashMap<>();
    for (Decl.Container m : c.members()) {
      member(m, memberNames).ifPresent(members::add);
    }
    if (diags.errorCount() > errors || host.isEmpty()) {
      return List.of();
    }
    Endpoint.Kind kind = c.pod() ? Endpoint.Kind.POD : Endpoint.Kind.CONTAINER;
    List<Named> out = new ArrayList<>();
    String base = c.name().text();
    resolver.aliases(ns, base, replicas, List.copyOf(aliasWords));
    for (int i = 1; i <= replicas; i++) {
      String local = replicas == 1 ? base : base + "-" + i;
      if (local.length() > 63) {
        values.name(new Word(local, c.name().span()), () -> (compose(c.name().span().file())
            ? "service" : what) + " replica name `" + local + "`");
        return List.of();
      }
      String full = ns.isEmpty() ? local : ns + "/" + local;
      Endpoint e = new Endpoint(full, local, ns, kind, host.get(), labels, mode, attachments,
          publishes, exposes, members, replicas == 1 ? Optional.empty() : Optional.of(base), c.span(),
          c.resolvesByName());
      out.add(new Named(e, c.name()));
    }
    return out;
  }

  private Optional<Attachment> attachment(Decl.Attach a) {
    Optional<NetworkResolver.Resolved> net = resolver.lookupNetwork(a.network());
    // an unknown network was reported by lookupNetwork (or has errors of its own); the values
    // of the attachment are still checked, so that one run reports every problem
    boolean known = net.isPresent() || a.network().text().equals(Network.DEFAULT);
    List<Subnet> subnets = net.map(n -> n.network().subnets()).orElse(List.of());
    // every network has an IPv4 subnet: declared, or given one from the default pools
    boolean anyV4Subnet = true;
    List<IpAddress> addresses = new ArrayList<>();
    List<String> aliases = new ArrayList<>();
    Optional<String> mac = Optional.empty();
    Map<String, Setting> seen = new HashMap<>();
    Map<IpAddress.Family, Word> families = new HashMap<>();
    for (Setting s : a.settings()) {
      String key = s.keyword().text();
      if (!key.equals("alias")) {
        Setting first = seen.putIfAbsent(key, s);
        if (first != null && key.equals("mac")) {
          resolver.settingTwice(s, first);
          continue;
        }
      }
      switch (key) {
        case "ip" -> {
          for (Word w : s.values()) {
            Optional<IpAddress> ip = values.ip(w);
            if (ip.isEmpty()) {
              continue;
            }
            IpAddress.Family f = ip.get().family();
            boolean hasSubnet = !known || f == IpAddress.Family.V4 ? anyV4Subnet
                : subnets.stream().anyMatch(x -> x.cidr().family() == f);
            if (!hasSubnet) {
              diags.add(Diagnostic.of(Code.NETC205, w.span(), "`" + w.text() + "` is an " + f.label()
                      + " address, but network `" + a.network().text() + "` has no " + f.label() + " subnet")
                  .withHint("add an " + f.label() + " `subnet` to the network, or use an address of its subnet"));
              continue;
            }
            Word prev = families.putIfAbsent(f, w);
            if (prev != null) {
              diags.add(Diagnostic.of(Code.NETC106, w.span(), "a second " + f.label() + " address `"
                      + w.text() + "` on one attachment")
                  .withRelated(prev.span(), "the first is here")
                  .withHint("an attachment has at most one IPv4 and one IPv6 address"));
              continue;
            }
            addresses.add(ip.get());
          }
        }
        case "alias" -> {
          for (Word w : s.values()) {
            // a replicated Compose service resolves by its own name, an alias standing where the
            // name does, which is checked (and told) as the container's name
            boolean own = w.span().equals(s.keyword().span());
            boolean valid = own ? Values.isName(w.text())
                : values.name(w, () -> containerName(s) ? "`container_name` `" + w.text() + "`"
                    : "alias name `" + w.text() + "`");
            if (valid && !aliases.contains(w.text())) {
              aliases.add(w.text()); // a name given twice resolves once
              aliasWords.add(w);
            }
          }
        }
        case "mac" -> {
          if (values.mac(s.first())) {
            mac = Optional.of(s.first().text().toLowerCase(Locale.ROOT));
          }
        }
        default -> throw new IllegalStateException(key);
      }
    }
    if (!known) {
      return Optional.empty();
    }
    return Optional.of(new Attachment(a.network().text(), addresses, List.of(), aliases, mac, a.span()));
  }

  private List<PortSpec> exposes(List<Setting> settings) {
    List<PortSpec> out = new ArrayList<>();
    for (Setting s : settings) {
      for (Word w : s.values()) {
        values.portSpec(w).ifPresent(out::add);
      }
    }
    return out;
  }

  private Optional<Endpoint.Member> member(Decl.Container m, Map<String, Word> names) {
    if (!values.name(m.name(), "pod member")) {
      return Optional.empty();
    }
    Word prev = names.putIfAbsent(m.name().text(), m.name());
    if (prev != null) {
      diags.add(Diagnostic.of(Code.NETC102, m.name().span(), "pod member `" + m.name().text()
          + "` is declared twice").withRelated(prev.span(), "first declared here"));
      return Optional.empty();
    }
    List<dev.netc.compiler.source.Span> misplaced = new ArrayList<>();
    m.settings().forEach(s -> misplaced.add(s.keyword().span()));
    m.attaches().forEach(a -> misplaced.add(a.span()));
    m.publishes().forEach(p -> misplaced.add(p.span()));
    for (var span : misplaced) {
      String text = span.text().split("\\s+")[0];
      diags.add(Diagnostic.of(Code.NETC110, span, "`" + text + "` does not belong to a pod member:"
              + " the members of a pod share its network, labels and placement")
          .withHint("move `" + text + "` to the pod; a member only says what it `expose`s"));
    }
    if (!m.labels().isEmpty()) {
      var span = m.labels().get(0).span();
      diags.add(Diagnostic.of(Code.NETC110, span, "`labels` does not belong to a pod member:"
              + " the members of a pod share its network, labels and placement")
          .withHint("move the labels to the pod"));
    }
    if (!misplaced.isEmpty() || !m.labels().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Endpoint.Member(m.name().text(), exposes(m.exposes()), m.span()));
  }

  /**
   * {@code [ADDRESS:]PORTS -> PORTS[/PROTO]}, {@code ADDRESS: -> PORTS[/PROTO]} or {@code
   * PORTS[/PROTO]} (the last two with an automatic host port).
   */
  private Optional<Publish> publish(Decl.Publish p) {
    Word c = p.container();
    String ct = c.text();
    int slash = ct.indexOf('/');
    Optional<PortRange> cports = values.ports(c, slash < 0 ? ct : ct.substring(0, slash));
    Optional<Protocol> proto = slash < 0 ? Optional.of(Protocol.TCP) : values.protocol(c, ct.substring(slash + 1));
    Optional<IpAddress> address = Optional.empty();
    Optional<PortRange> hports = Optional.empty();
    boolean ok = cports.isPresent() && proto.isPresent();
    if (p.host().isPresent()) {
      Word h = p.host().get();
      String ht = h.text();
      String portText = ht;
      String addrText = null;
      if (ht.startsWith("[")) {
        int close = ht.indexOf("]:");
        if (close < 0) {
          values.report(Code.NETC201, h, "expected `[IPv6]:PORT`, got `" + ht + "`", "write an IPv6 host address in brackets, as `[::1]:8080`");
          return Optional.empty();
        }
        addrText = ht.substring(1, close);
        portText = ht.substring(close + 2);
      } else if (ht.indexOf(':') >= 0) {
        if (ht.indexOf(':') != ht.lastIndexOf(':')) {
          values.report(Code.NETC201, h, "`" + ht + "` is ambiguous: an IPv6 host address needs brackets",
              "write it as `[ADDRESS]:PORT`, such as `[::1]:8080`");
          return Optional.empty();
        }
        addrText = ht.substring(0, ht.indexOf(':'));
        portText = ht.substring(ht.indexOf(':') + 1);
      }
      if (addrText != null) {
        address = values.ip(new Word(addrText, h.span()));
        ok &= address.isPresent();
      }
      if (portText.contains("/")) {
        values.report(Code.NETC203, h, "the protocol goes on the container side, not on `" + ht + "`",
            "write `publish " + ht.substring(0, ht.indexOf('/')) + " -> " + ct + "/"
                + portText.substring(portText.indexOf('/') + 1) + "`");
        return Optional.empty();
      }
      if (addrText != null && portText.isEmpty()) {
        // `127.0.0.1:` binds an automatic host port on that address only (Docker's 127.0.0.1::80)
        return ok ? Optional.of(new Publish(address, Optional.empty(), cports.get(), proto.get(), p.span()))
            : Optional.empty();
      }
      hports = values.ports(h, portText);
      ok &= hports.isPresent();
      if (ok && hports.get().size() != cports.get().size()) {
        values.report(Code.NETC203, h, portCount("host", hports.get(), true) + " but "
                + portCount("container", cports.get(), false),
            "publish ranges of the same length, port by port");
        return Optional.empty();
      }
    }
    if (!ok) {
      return Optional.empty();
    }
    return Optional.of(new Publish(address, hports, cports.get(), proto.get(), p.span()));
  }

  /**
   * "the host range `8080-8090` has 11 ports" and "the host port `8080` is one port" ({@code
   * ports} true), or without the noun: "the container range `80-85` has 6", "... `80` is one".
   */
  private static String portCount(String side, PortRange r, boolean ports) {
    return r.size() == 1 ? "the " + side + " port `" + r + "` is one" + (ports ? " port" : "")
        : "the " + side + " range `" + r + "` has " + r.size() + (ports ? " ports" : "");
  }

  /**
   * Whether an alias is a Compose service's {@code container_name}, which the Compose front end
   * gives as an alias whose keyword stands at the {@code container_name} key.
   */
  private static boolean containerName(Setting s) {
    return compose(s.keyword().span().file()) && s.keyword().span().text().equals("container_name");
  }

  /**
   * Whether {@code file} is a Compose file, so that a diagnostic names what its author wrote
   * (a service, {@code ipv4_address}, {@code deploy.replicas}, {@code driver_opts}) rather than
   * {@code .netc}'s words ({@link Frontends#input}, as the checks' hints). Asked only when
   * reporting, so no file is judged otherwise.
   */
  static boolean compose(SourceFile file) {
    return Frontends.input(file) == Frontends.Input.COMPOSE;
  }
}
