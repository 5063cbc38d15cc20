package dev.netc.compiler.ast;

import dev.netc.compiler.source.Span;
import java.util.List;
import java.util.Optional;

/**
 * A top-level declaration of a {@code .netc} file, as written: names unresolved, values
 * unvalidated. Sum type over the declaration kinds; {@link #kind()} tells which.
 */
public sealed interface Decl {
  Span span();

  DeclKind kind();

  /** The declaration kinds. */
  enum DeclKind {
    TOPOLOGY,
    IMPORT,
    HOST,
    NETWORK,
    NAMESPACE,
    CONTAINER,
    POD,
    SERVICE,
    POLICY
  }

  /** {@code topology NAME}. */
  record Topology(Word name, Span span) implements Decl {
    public DeclKind kind() {
      return DeclKind.TOPOLOGY;
    }
  }

  /** {@code import "PATH"}. */
  record Import(Word path, Span span) implements Decl {
    public DeclKind kind() {
      return DeclKind.IMPORT;
    }
  }

  /** {@code host NAME { underlay ADDRESS; labels ... }}. */
  record Host(Word name, List<Setting> settings, List<Label> labels, Span span) implements Decl {
    public DeclKind kind() {
      return DeclKind.HOST;
    }
  }

  /** {@code network NAME { driver ...; subnet ...; ... }}. */
  record Network(Word name, List<Setting> settings, Span span) implements Decl {
    public DeclKind kind() {
      return DeclKind.NETWORK;
    }
  }

  /** {@code namespace NAME { labels ...; containers, pods, services, policies }}. */
  record Namespace(Word name, List<Label> labels, List<Decl> members, Span span) implements Decl {
    public DeclKind kind() {
      return DeclKind.NAMESPACE;
    }
  }

  /**
   * {@code container NAME { ... }} or {@code pod NAME { ... }}: a pod also holds member
   * containers.
   *
   * @param resolvesByName whether the name resolves to the endpoint; only the Kubernetes front
   *     end clears it, for a pod whose name a Service of its namespace has (cluster DNS resolves
   *     the name to the Service); {@code .netc} has no way to write it
   */
  record Container(
      boolean pod,
      Word name,
      List<Label> labels,
      List<Setting> settings,
      List<Attach> attaches,
      List<Publish> publishes,
      List<Setting> exposes,
      List<Container> members,
      Span span,
      boolean resolvesByName)
      implements Decl {
    /** A container or pod whose name resolves to it, as every one written in {@code .netc}. */
    public Container(boolean pod, Word name, List<Label> labels, List<Setting> settings,
        List<Attach> attaches, List<Publish> publishes, List<Setting> exposes,
        List<Container> members, Span span) {
      this(pod, name, labels, settings, attaches, publishes, exposes, members, span, true);
    }

    public DeclKind kind() {
      return pod ? DeclKind.POD : DeclKind.CONTAINER;
    }

    /** The same declaration, its name left to the service of that name. */
    public Container withoutName() {
      return new Container(pod, name, labels, settings, attaches, publishes, exposes, members, span, false);
    }
  }

  /** {@code attach NETWORK { ip ...; alias ...; mac ... }}. */
  record Attach(Word network, List<Setting> settings, Span span) {}

  /** {@code publish [ADDRESS:]PORTS -> PORTS[/PROTO]} or {@code publish PORTS[/PROTO]}. */
  record Publish(Optional<Word> host, Word container, Span span) {}

  /** {@code service NAME { select ...; address ...; port ...; backend ... weight N }}. */
  record Service(
      Word name,
      List<SelectorAst> selects,
      List<Setting> addresses,
      List<ServicePort> ports,
      List<Backend> backends,
      Span span)
      implements Decl {
    public DeclKind kind() {
      return DeclKind.SERVICE;
    }
  }

  /** {@code port PORT[/PROTO] [-> TARGET[/PROTO]] [node-port N]}. */
  record ServicePort(Word port, Optional<Word> target, Optional<Word> nodePort, Span span) {}

  /** {@code backend SELECTOR weight N}. */
  record Backend(SelectorAst selector, Word weight, Span span) {}

  /** {@code policy NAME { select ...; isolate ...; allow/deny ... }}. */
  record Policy(
      Word name, List<SelectorAst> selects, List<Setting> isolates, List<Rule> rules, Span span)
      implements Decl {
    public DeclKind kind() {
      return DeclKind.POLICY;
    }
  }

  /** {@code allow|deny ingress|egress [from|to PEER, ...] [port SPEC, ...]}. */
  record Rule(
      Word action, Word direction, Optional<Word> fromTo, List<PeerAst> peers, List<Word> ports,
      Span span) {}

  /** One peer of a rule as written. */
  record PeerAst(
      PeerKind kind,
      Optional<SelectorAst> namespaces,
      Optional<SelectorAst> endpoints,
      Optional<Word> cidr,
      List<Word> except,
      Optional<Word> special,
      Span span) {}

  /** What a peer names. */
  enum PeerKind {
    ALL,
    NAMESPACE,
    SELECTOR,
    CIDR,
    SPECIAL
  }
}
