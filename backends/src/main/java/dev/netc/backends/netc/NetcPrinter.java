package dev.netc.backends.netc;

import dev.netc.backends.Templates;
import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Label;
import dev.netc.compiler.ast.SelectorAst;
import dev.netc.compiler.ast.Setting;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.parse.Formatter;
import dev.netc.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prints declarations (what the {@code .netc} parser and the YAML front ends produce) as {@code
 * .netc} source in canonical form: Java turns every statement into its text, with values quoted
 * where the lexer would not read them as one word; {@code netc.ftl} lays the statements out in
 * blocks; {@link Formatter} then gives the exact layout of {@code netc fmt}.
 *
 * <p>Invariant: the printed text parses back into declarations that resolve to the same IR as
 * the ones printed (only source positions differ), and formatting it changes nothing. Comments
 * are not part of the declarations, so they are not printed; the order of statements inside a
 * block is canonical (labels, settings, attachments, published ports, exposed ports, members),
 * which the IR does not depend on.
 */
public final class NetcPrinter {
  /** The lexer's WORD: parts of {@code [a-zA-Z0-9_.:/[]]} joined by single dashes. */
  private static final Pattern WORD = Pattern.compile("[a-zA-Z0-9_.:/\\[\\]]+(-[a-zA-Z0-9_.:/\\[\\]]+)*");

  /** The keywords of the language: fine as names and values, quoted as label keys and prefixes. */
  static final Set<String> KEYWORDS = Set.of("topology", "import", "host", "network", "namespace",
      "container", "pod", "service", "policy", "underlay", "labels", "driver", "subnet", "gateway",
      "pool", "reserve", "mtu", "internal", "resolve", "vni", "port", "ports", "encrypted",
      "parent", "mode", "replicas", "on", "attach", "publish", "expose", "ip", "alias", "mac",
      "select", "address", "node-port", "backend", "weight", "isolate", "allow", "deny",
      "ingress", "egress", "from", "to", "all", "cidr", "except", "pods", "in", "notin");

  private NetcPrinter() {}

  /**
   * One statement: its text and, for a block, the statements inside. {@code inline} blocks
   * print on one line ({@code attach front { ip 10.0.0.5 }}).
   */
  public record Stmt(String text, boolean block, boolean inline, boolean blankBefore, List<Stmt> body) {
    public Stmt {
      body = List.copyOf(body);
    }

    static Stmt line(String text) {
      return new Stmt(text, false, false, false, List.of());
    }

    /** A declaration with a body; a single plain statement stays on the header's line. */
    static Stmt block(String header, List<Stmt> body) {
      if (body.isEmpty()) {
        return line(header);
      }
      boolean inline = body.size() == 1 && !body.get(0).block();
      return new Stmt(header, true, inline, false, body);
    }

    Stmt spaced() {
      return new Stmt(text, block, inline, true, body);
    }
  }

  /** Prints {@code decls} in canonical form. */
  public static String print(List<Decl> decls) {
    return print(decls, List.of());
  }

  /** Prints {@code decls} after a header of comment lines (each printed as {@code # LINE}). */
  public static String print(List<Decl> decls, List<String> header) {
    List<Stmt> top = new ArrayList<>();
    Decl.DeclKind previous = null;
    for (Decl d : decls) {
      Stmt s = decl(d);
      boolean groupWithPrevious = previous == Decl.DeclKind.IMPORT && d.kind() == Decl.DeclKind.IMPORT;
      top.add(top.isEmpty() || groupWithPrevious ? s : s.spaced());
      previous = d.kind();
    }
    List<String> comments = new ArrayList<>();
    header.forEach(h -> comments.add(("# " + h.replaceAll("[\\r\\n]+", " ")).strip()));
    String text = Templates.render("netc.ftl", Map.of("header", comments, "decls", top));
    List<Diagnostic> problems = new ArrayList<>();
    Optional<String> formatted = Formatter.format(new SourceFile("(printed)", text), problems);
    if (formatted.isEmpty()) {
      throw new IllegalStateException("printed .netc does not parse: " + problems + "\n" + text);
    }
    return formatted.get();
  }

  // ------------------------------------------------------------------ declarations

  private static Stmt decl(Decl d) {
    switch (d.kind()) {
      case TOPOLOGY:
        return Stmt.line("topology " + value(((Decl.Topology) d).name()));
      case IMPORT:
        return Stmt.line("import " + string(((Decl.Import) d).path().text()));
      case HOST: {
        Decl.Host h = (Decl.Host) d;
        List<Stmt> body = new ArrayList<>();
        h.settings().forEach(s -> body.add(setting(s, " ")));
        labels(h.labels()).ifPresent(body::add);
        return Stmt.block("host " + value(h.name()), body);
      }
      case NETWORK: {
        Decl.Network n = (Decl.Network) d;
        List<Stmt> body = new ArrayList<>();
        n.settings().forEach(s -> body.add(setting(s, " ")));
        return Stmt.block("network " + value(n.name()), body);
      }
      case NAMESPACE: {
        Decl.Namespace n = (Decl.Namespace) d;
        List<Stmt> body = new ArrayList<>();
        labels(n.labels()).ifPresent(body::add);
        for (Decl m : n.members()) {
          Stmt s = decl(m);
          body.add(body.isEmpty() ? s : s.spaced());
        }
        return Stmt.block("namespace " + value(n.name()), body);
      }
      case CONTAINER:
      case POD:
        return container((Decl.Container) d);
      case SERVICE:
        return service((Decl.Service) d);
      case POLICY:
        return policy((Decl.Policy) d);
      default:
        throw new IllegalArgumentException("unknown declaration kind " + d.kind());
    }
  }

  private static Stmt container(Decl.Container c) {
    List<Stmt> body = new ArrayList<>();
    labels(c.labels()).ifPresent(body::add);
    c.settings().forEach(s -> body.add(setting(s, " ")));
    for (Decl.Attach a : c.attaches()) {
      List<Stmt> inner = new ArrayList<>();
      a.settings().forEach(s -> inner.add(setting(s, " ")));
      body.add(Stmt.block("attach " + value(a.network()), inner));
    }
    for (Decl.Publish p : c.publishes()) {
      body.add(Stmt.line("publish " + p.host().map(h -> value(h) + " -> ").orElse("")
          + value(p.container())));
    }
    c.exposes().forEach(s -> body.add(setting(s, ", ")));
    c.members().forEach(m -> body.add(container(m)));
    return Stmt.block((c.pod() ? "pod " : "container ") + value(c.name()), body);
  }

  private static Stmt service(Decl.Service s) {
    List<Stmt> body = new ArrayList<>();
    s.selects().forEach(sel -> body.add(Stmt.line("select " + selector(sel))));
    s.addresses().forEach(a -> body.add(setting(a, " ")));
    for (Decl.ServicePort p : s.ports()) {
      body.add(Stmt.line("port " + value(p.port())
          + p.target().map(t -> " -> " + value(t)).orElse("")
          + p.nodePort().map(n -> " node-port " + value(n)).orElse("")));
    }
    for (Decl.Backend b : s.backends()) {
      body.add(Stmt.line("backend " + selector(b.selector()) + " weight " + value(b.weight())));
    }
    return Stmt.block("service " + value(s.name()), body);
  }

  private static Stmt policy(Decl.Policy p) {
    List<Stmt> body = new ArrayList<>();
    p.selects().forEach(sel -> body.add(Stmt.line("select " + selector(sel))));
    p.isolates().forEach(s -> body.add(setting(s, " ")));
    for (Decl.Rule r : p.rules()) {
      StringBuilder sb = new StringBuilder();
      sb.append(r.action().text()).append(' ').append(r.direction().text());
      if (!r.peers().isEmpty()) {
        String fromTo = r.fromTo().map(Word::text)
            .orElse(r.direction().text().equals("egress") ? "to" : "from");
        List<String> peers = new ArrayList<>();
        r.peers().forEach(x -> peers.add(peer(x)));
        sb.append(' ').append(fromTo).append(' ').append(String.join(", ", peers));
      }
      if (!r.ports().isEmpty()) {
        List<String> ports = new ArrayList<>();
        r.ports().forEach(w -> ports.add(value(w)));
        sb.append(" port ").append(String.join(", ", ports));
      }
      body.add(Stmt.line(sb.toString()));
    }
    return Stmt.block("policy " + value(p.name()), body);
  }

  private static String peer(Decl.PeerAst p) {
    switch (p.kind()) {
      case ALL:
        return "all";
      case NAMESPACE:
        return "namespace " + selector(p.namespaces().orElseThrow())
            + p.endpoints().map(e -> " pods " + selector(e)).orElse("");
      case SELECTOR: {
        SelectorAst s = p.endpoints().orElseThrow();
        // `pods all` is the policy's own namespace; a bare `all` would be every peer
        return s.all() || s.requirements().isEmpty() ? "pods all" : selector(s);
      }
      case CIDR: {
        StringBuilder sb = new StringBuilder("cidr ").append(strict(p.cidr().orElseThrow()));
        if (!p.except().isEmpty()) {
          sb.append(" except");
          p.except().forEach(w -> sb.append(' ').append(strict(w)));
        }
        return sb.toString();
      }
      case SPECIAL:
        return p.special().orElseThrow().text();
      default:
        throw new IllegalArgumentException("unknown peer kind " + p.kind());
    }
  }

  // ------------------------------------------------------------------ pieces

  private static Optional<Stmt> labels(List<Label> labels) {
    if (labels.isEmpty()) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    labels.forEach(l -> parts.add(strict(l.key()) + "=" + value(l.value())));
    return Optional.of(Stmt.line("labels " + String.join(" ", parts)));
  }

  private static Stmt setting(Setting s, String separator) {
    if (s.values().isEmpty()) {
      return Stmt.line(s.keyword().text());
    }
    List<String> values = new ArrayList<>();
    s.values().forEach(w -> values.add(value(w)));
    return Stmt.line(s.keyword().text() + " " + String.join(separator, values));
  }

  /** {@code all}, or the requirements separated by spaces; no requirement is {@code all}. */
  static String selector(SelectorAst s) {
    if (s.all() || s.requirements().isEmpty()) {
      return "all";
    }
    List<String> parts = new ArrayList<>();
    for (SelectorAst.Req r : s.requirements()) {
      String key = strict(r.key());
      parts.add(switch (r.operator()) {
        case EQUALS -> key + "=" + value(r.values().get(0));
        case NOT_EQUALS -> key + "!=" + value(r.values().get(0));
        case IN -> key + " in (" + values(r.values()) + ")";
        case NOT_IN -> key + " notin (" + values(r.values()) + ")";
        case EXISTS -> key;
        case DOES_NOT_EXIST -> "!" + key;
      });
    }
    return String.join(" ", parts);
  }

  private static String values(List<Word> words) {
    List<String> out = new ArrayList<>();
    words.forEach(w -> out.add(value(w)));
    return String.join(", ", out);
  }

  /** A name or value: bare when the lexer reads it as one word (keywords included), else quoted. */
  static String value(Word w) {
    return WORD.matcher(w.text()).matches() ? w.text() : string(w.text());
  }

  /** A label key, selector key or prefix: bare only when it is a word and not a keyword. */
  static String strict(Word w) {
    return WORD.matcher(w.text()).matches() && !KEYWORDS.contains(w.text()) ? w.text() : string(w.text());
  }

  /**
   * A string literal. A string cannot span lines, so a line break (which no valid name or value
   * holds) becomes a space; {@code \} and {@code "} are escaped.
   */
  static String string(String s) {
    return "\"" + s.replaceAll("[\\r\\n]+", " ").replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
