package dev.netc.compiler.front.kubernetes;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.SelectorAst;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.Parsed;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.ir.Selector;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the rules of one NetworkPolicy: each {@code from}/{@code to} peer (a podSelector, which
 * means pods of the policy's own namespace; a namespaceSelector; both in one peer, which must
 * both hold; an ipBlock with its {@code except}s) and each port ({@code port} by number or name,
 * {@code endPort}, {@code protocol}; no port means every port of the protocol). A named port is
 * resolved against the pods it is about: those the policy selects for ingress, those the rule's
 * peers match for egress. When the policy's namespace is not known (a {@linkplain KubeObject#broken
 * broken} policy), what it finds among the pods of that namespace is not told.
 */
final class PolicyRules {
  private final Fields f;
  private final Cluster cluster;
  private final String namespace;
  private final boolean namespaceKnown;
  private final List<Cluster.Pod> selected;

  PolicyRules(Fields f, Cluster cluster, String namespace, boolean namespaceKnown, List<Cluster.Pod> selected) {
    this.f = f;
    this.cluster = cluster;
    this.namespace = namespace;
    this.namespaceKnown = namespaceKnown;
    this.selected = selected;
  }

  /**
   * The rule, as one rule or two (an egress rule with port names and peers that are addresses,
   * below); none when it is malformed (reported) or admits nothing (NETC025 said why).
   */
  List<Decl.Rule> rule(boolean ingress, At item) {
    Optional<Map<String, At>> fields = f.map(item);
    if (fields.isEmpty()) {
      return List.of();
    }
    String peersKey = ingress ? "from" : "to";
    f.unknownFields(fields.get(), List.of(peersKey, "ports"), List.of());
    Optional<At> peersAt = Fields.get(fields.get(), peersKey);
    List<Decl.PeerAst> peers = new ArrayList<>();
    boolean ok = true;
    for (At p : peersAt.map(f::list).orElse(List.of())) {
      Optional<Decl.PeerAst> peer = peer(p);
      ok &= peer.isPresent();
      peer.ifPresent(peers::add);
    }
    Optional<At> portsAt = Fields.get(fields.get(), "ports");
    List<At> portItems = portsAt.map(f::list).orElse(List.of());
    List<Word> ports = new ArrayList<>();
    List<Word> named = new ArrayList<>();
    List<Cluster.Pod> portOwners = ingress ? selected : peerPods(peers);
    // (the pods of an egress rule's namespaceSelector peers, or of every namespace, are known)
    boolean known = namespaceKnown || !ingress && peers.stream().noneMatch(p -> p.kind() == Decl.PeerKind.SELECTOR);
    for (At p : portItems) {
      ok &= port(p, portOwners, known, ingress, ports, named);
    }
    if (!ok || (!portItems.isEmpty() && ports.isEmpty())) {
      return List.of();
    }
    Word action = new Word("allow", item.where());
    Word direction = new Word(ingress ? "ingress" : "egress", item.where());
    Optional<Word> fromTo = peers.isEmpty() ? Optional.empty()
        : Optional.of(new Word(peersKey, peersAt.get().where()));
    // the rule's span is the whole item, so that `netc explain` quotes all of it
    Span span = f.extent(item.node());
    boolean addresses = peers.isEmpty() || peers.stream().anyMatch(p -> p.kind() == Decl.PeerKind.CIDR);
    if (ingress || named.isEmpty() || !addresses) {
      return List.of(new Decl.Rule(action, direction, fromTo, peers, ports, span));
    }
    // an egress rule's port name is the port of that name on the pod it goes to: to an address
    // (an ipBlock, or anywhere for a rule without `to`) it admits nothing. So the rule is two:
    // its pods (every pod of every namespace without `to`) on all its ports, and its addresses
    // on its numbers alone (none: no rule)
    List<Decl.PeerAst> pods = peers.isEmpty()
        ? List.of(new Decl.PeerAst(Decl.PeerKind.NAMESPACE, Optional.of(new SelectorAst(true, List.of(), item.where())),
            Optional.empty(), Optional.empty(), List.of(), Optional.empty(), item.where()))
        : peers.stream().filter(p -> p.kind() != Decl.PeerKind.CIDR).toList();
    List<Decl.PeerAst> elsewhere = peers.stream().filter(p -> p.kind() == Decl.PeerKind.CIDR).toList();
    List<Word> numbers = ports.stream().filter(w -> !named.contains(w)).toList();
    List<Decl.Rule> out = new ArrayList<>();
    if (!pods.isEmpty()) {
      out.add(new Decl.Rule(action, direction, Optional.of(new Word(peersKey, item.where())), pods, ports, span));
    }
    if (!numbers.isEmpty()) {
      out.add(new Decl.Rule(action, direction, fromTo, elsewhere, numbers, span));
    }
    return out;
  }

  private Optional<Decl.PeerAst> peer(At p) {
    Optional<Map<String, At>> fields = f.map(p);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    f.unknownFields(fields.get(), List.of("podSelector", "namespaceSelector", "ipBlock"), List.of());
    Optional<At> pods = Fields.get(fields.get(), "podSelector");
    Optional<At> namespaces = Fields.get(fields.get(), "namespaceSelector");
    Optional<At> ipBlock = Fields.get(fields.get(), "ipBlock");
    if (ipBlock.isPresent() && (pods.isPresent() || namespaces.isPresent())) {
      f.malformed(ipBlock.get(), "a peer with an `ipBlock` cannot also have a `podSelector` or a"
          + " `namespaceSelector`", "make them two peers of the list: `- ipBlock: ...` and `- podSelector: ...`");
      return Optional.empty();
    }
    if (ipBlock.isPresent()) {
      return ipBlock(ipBlock.get(), p);
    }
    if (pods.isEmpty() && namespaces.isEmpty()) {
      f.diags().add(Diagnostic.of(Code.NETC021, p.where(), "peer `" + p.path() + "` of "
              + f.owner() + " has none of `podSelector`, `namespaceSelector` and `ipBlock`")
          .withHint("say which pods or addresses it is; `podSelector: {}` is every pod of the"
              + " policy's namespace"));
      return Optional.empty();
    }
    Selectors sel = new Selectors(f);
    Optional<SelectorAst> podSel = pods.flatMap(sel::labelSelector);
    Optional<SelectorAst> nsSel = namespaces.flatMap(sel::labelSelector);
    if (pods.isPresent() != podSel.isPresent() || namespaces.isPresent() != nsSel.isPresent()) {
      return Optional.empty();
    }
    Decl.PeerKind kind = nsSel.isPresent() ? Decl.PeerKind.NAMESPACE : Decl.PeerKind.SELECTOR;
    return Optional.of(new Decl.PeerAst(kind, nsSel, podSel, Optional.empty(), List.of(),
        Optional.empty(), p.where()));
  }

  private Optional<Decl.PeerAst> ipBlock(At at, At peer) {
    Optional<Map<String, At>> fields = f.map(at);
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    f.unknownFields(fields.get(), List.of("cidr", "except"), List.of());
    Optional<Word> cidr = f.required(fields.get(), "cidr", at);
    List<Word> except = new ArrayList<>();
    Optional<Cidr> whole = cidr.map(c -> Cidr.parse(c.text())).filter(p -> p.ok()).map(p -> p.get());
    for (At e : Fields.get(fields.get(), "except").map(f::list).orElse(List.of())) {
      Optional<Word> w = f.scalar(e);
      Parsed<Cidr> x = w.map(v -> Cidr.parse(v.text())).orElse(Parsed.error(""));
      if (whole.isPresent() && x.ok() && x.get().family() == whole.get().family()
          && (x.get().equals(whole.get()) || !whole.get().contains(x.get()))) {
        // the API refuses it (each exception must be a strict subset of `cidr`): not passed on, so
        // that it is not told again as a .netc exception would be (NETC216)
        boolean all = x.get().contains(whole.get());
        f.malformed(e, "`" + e.path() + "` of " + f.owner() + (x.get().equals(whole.get())
                ? " is all of" : all ? " is wider than" : " lies outside") + " its `cidr` `"
                + whole.get() + "`: Kubernetes requires each exception to be a strict subset of `cidr`",
            all
                ? "an exception narrows its `cidr`: use a longer prefix inside `" + whole.get()
                    + "`, or remove the ipBlock, which would match nothing"
                : "an exception narrows its `cidr`: use a prefix inside `" + whole.get() + "`");
        continue;
      }
      if (whole.isPresent() && x.ok() && x.get().family() != whole.get().family()) {
        // refused by the API for the same reason; the code is that of the mismatch in .netc
        String family = whole.get().family().label();
        f.diags().add(Diagnostic.of(Code.NETC205, e.where(), "`" + e.path() + "` of " + f.owner()
                + " is an " + x.get().family().label() + " prefix, but its `cidr` `" + whole.get()
                + "` is " + family + ": Kubernetes requires each exception to be a strict subset of `cidr`")
            .withHint("an exception narrows its `cidr`: use an " + family + " prefix inside `" + whole.get()
                + "`; " + x.get().family().label() + " addresses take an ipBlock of their own, with an "
                + x.get().family().label() + " `cidr`"));
        continue;
      }
      w.ifPresent(except::add);
    }
    return cidr.map(c -> new Decl.PeerAst(Decl.PeerKind.CIDR, Optional.empty(), Optional.empty(),
        Optional.of(c), except, Optional.empty(), peer.where()));
  }

  /** The pods an egress rule's peers match: every pod when it has no peer. */
  private List<Cluster.Pod> peerPods(List<Decl.PeerAst> peers) {
    if (peers.isEmpty()) {
      return cluster.pods();
    }
    Set<Cluster.Pod> out = new LinkedHashSet<>();
    for (Decl.PeerAst p : peers) {
      Selector pods = p.endpoints().map(Selectors::toIr).orElse(Selector.ALL);
      switch (p.kind()) {
        case SELECTOR -> out.addAll(cluster.pods(namespace, pods));
        case NAMESPACE -> out.addAll(cluster.pods(Selectors.toIr(p.namespaces().get()), pods));
        default -> {
          // an ipBlock names addresses, not pods: it has no named ports
        }
      }
    }
    return List.copyOf(out);
  }

  /** Adds the ports of item {@code p} to {@code out}, and those resolved from a port name to {@code named} too. */
  private boolean port(At p, List<Cluster.Pod> owners, boolean known, boolean ingress, List<Word> out, List<Word> named) {
    Optional<Map<String, At>> fields = f.map(p);
    if (fields.isEmpty()) {
      return false;
    }
    f.unknownFields(fields.get(), List.of("port", "endPort", "protocol"), List.of());
    Optional<Protocol> protocol = Ports.protocol(f, fields.get());
    Optional<At> portAt = Fields.get(fields.get(), "port");
    Optional<At> endAt = Fields.get(fields.get(), "endPort");
    Optional<Word> port = portAt.flatMap(f::scalar);
    Optional<Word> end = endAt.flatMap(f::scalar);
    if (protocol.isEmpty() || portAt.isPresent() != port.isPresent() || endAt.isPresent() != end.isPresent()
        || port.isPresent() && Ports.quotedNumber(f, portAt.get(), port.get())) {
      return false;
    }
    if (port.isEmpty()) {
      if (end.isPresent()) {
        f.malformed(endAt.get(), "`endPort` needs a `port` to start the range", "add `port:` with the first port");
        return false;
      }
      out.add(new Word("1-65535/" + protocol.get().label(), p.where())); // every port of the protocol
      return true;
    }
    if (Ports.isNumber(port.get())) {
      String range = port.get().text() + end.map(e -> "-" + e.text()).orElse("");
      out.add(new Word(range + "/" + protocol.get().label(), port.get().span()));
      return true;
    }
    if (end.isPresent()) {
      f.malformed(endAt.get(), "`endPort` needs a numeric `port`, not the port name `"
          + port.get().text() + "`", "write the first port of the range as a number");
      return false;
    }
    String whose = ingress ? "the pods " + f.owner() + " selects"
        : "the pods this egress rule of " + f.owner() + " allows";
    NamedPorts.resolve(f, cluster, port.get(), protocol.get(), owners, known, whose, "this port admits nothing")
        .forEach(n -> {
          Word w = Ports.word(n, protocol.get(), port.get());
          out.add(w);
          named.add(w);
        });
    return true;
  }
}
