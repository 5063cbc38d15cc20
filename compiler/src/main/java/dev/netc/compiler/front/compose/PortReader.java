package dev.netc.compiler.front.compose;

import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.ast.Word;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Spelling;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;

/**
 * Reads the {@code ports} of a service into the {@code publish} declarations of {@code .netc}:
 * the short syntax {@code [[IP:][HOST]:]CONTAINER[/PROTO]}, split as Docker splits it (the
 * container part after the last {@code :}, the host port before it, the address before that,
 * with or without brackets for IPv6), and the long syntax. The words are those {@code .netc}
 * writes ({@code 127.0.0.1:8080}, {@code [::1]:8080}, {@code 80/udp}); the resolver checks them.
 */
final class PortReader {
  private static final Pattern RANGE = Pattern.compile("(\\d{1,5})-(\\d{1,5})");

  private final Nodes nodes;

  PortReader(Nodes nodes) {
    this.nodes = nodes;
  }

  Optional<Decl.Publish> read(Node item, String owner) {
    if (item instanceof MappingNode) {
      return longSyntax(item, owner);
    }
    return nodes.scalar(item, "a port of " + owner)
        .flatMap(w -> shortSyntax(w, nodes.span(item), owner));
  }

  private Optional<Decl.Publish> shortSyntax(Word w, dev.netc.compiler.source.Span span, String owner) {
    String t = w.text();
    int last = t.lastIndexOf(':');
    Word container = Nodes.sub(w, last + 1, t.length());
    if (last < 0) {
      return Optional.of(new Decl.Publish(Optional.empty(), container, span));
    }
    int second = t.lastIndexOf(':', last - 1);
    String ip = second < 0 ? "" : t.substring(0, second);
    String port = t.substring(second + 1, last);
    if (ip.isEmpty() && port.isEmpty()) {
      return Optional.of(new Decl.Publish(Optional.empty(), container, span));
    }
    port = hostPort(port, container, Nodes.sub(w, second + 1, last), owner);
    if (ip.isEmpty() && port.isEmpty()) {
      return Optional.of(new Decl.Publish(Optional.empty(), container, span));
    }
    String host = address(ip) + port;
    return Optional.of(new Decl.Publish(Optional.of(new Word(host, Nodes.sub(w, 0, last).span())),
        container, span));
  }

  /** {@code IP:} as {@code .netc} writes it before a host port, IPv6 in brackets; empty for none. */
  private static String address(String ip) {
    if (ip.isEmpty()) {
      return "";
    }
    String bare = ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
    return bare.contains(":") ? "[" + bare + "]:" : bare + ":";
  }

  /**
   * The host port as written, but a host range towards a single container port, from which
   * Docker picks one free port, becomes an automatic host port (with a NETC032). Only a well-formed
   * range does: anything else with a {@code -} ({@code -1}, {@code abc-xyz}, {@code 70000-70010})
   * is passed on as written, for the resolver to report as it reports {@code 70000}.
   */
  private String hostPort(String port, Word container, Word at, String owner) {
    String cports = container.text().replaceAll("/.*", "");
    if (isRange(port) && !cports.contains("-") && !cports.isEmpty()) {
      nodes.diags().add(Diagnostic.of(Code.NETC032, at.span(), "Docker picks one free host port"
              + " of `" + port + "` for port " + cports + " of " + owner + "; netc cannot say which,"
              + " and models it as an automatic host port")
          .withHint("to fix the port, publish one host port, such as `" + port.replaceAll("-.*", "") + ":" + cports
              + "` (for a service of one container: replicas each need a host port of their own, as here)"));
      return "";
    }
    return port;
  }

  /** {@code LOW-HIGH}, two ports in 1-65535, the first not above the second. */
  private static boolean isRange(String port) {
    Matcher m = RANGE.matcher(port);
    if (!m.matches()) {
      return false;
    }
    int low = Integer.parseInt(m.group(1));
    int high = Integer.parseInt(m.group(2));
    return low >= 1 && low <= high && high <= 65535;
  }

  private Optional<Decl.Publish> longSyntax(Node item, String owner) {
    Map<String, NodeTuple> f = nodes.map(item, "a port of " + owner).orElse(Map.of());
    Fields.PORT.check(nodes, f, "a port of " + owner);
    if (!f.containsKey("target")) {
      nodes.diags().add(Diagnostic.of(Code.NETC111, nodes.span(item), "a port of " + owner
          + " in the long syntax has no `target`").withHint("add the container port, as `target: 80`"));
      return Optional.empty();
    }
    Optional<Word> target = value(f, "target", owner);
    Optional<Word> protocol = value(f, "protocol", owner);
    Optional<Word> published = value(f, "published", owner);
    Optional<Word> hostIp = value(f, "host_ip", owner);
    Optional<Word> mode = value(f, "mode", owner);
    if (target.isEmpty()) {
      return Optional.empty();
    }
    if (mode.isPresent() && !List.of("host", "ingress").contains(mode.get().text())) {
      nodes.diags().add(Diagnostic.of(Code.NETC105, mode.get().span(), "unknown port mode `"
              + mode.get().text() + "`")
          .withHint(Spelling.suggest(mode.get().text(), List.of("host", "ingress"))
              .map(s -> "did you mean `" + s + "`?").orElse("the modes are `host` and `ingress`")));
      return Optional.empty();
    }
    Word container = protocol
        .map(p -> new Word(target.get().text() + "/" + p.text(), target.get().span().to(p.span())))
        .orElse(target.get());
    if (published.isEmpty() && hostIp.isEmpty()) {
      return Optional.of(new Decl.Publish(Optional.empty(), container, nodes.span(item)));
    }
    String port = published.map(p -> hostPort(p.text(), container, p, owner)).orElse("");
    String ip = hostIp.map(Word::text).orElse("");
    if (ip.isEmpty() && port.isEmpty()) {
      return Optional.of(new Decl.Publish(Optional.empty(), container, nodes.span(item)));
    }
    var span = hostIp.map(Word::span).orElse(published.map(Word::span).orElse(target.get().span()));
    if (hostIp.isPresent() && published.isPresent()) {
      span = span.to(published.get().span());
    }
    return Optional.of(new Decl.Publish(Optional.of(new Word(address(ip) + port, span)), container,
        nodes.span(item)));
  }

  private Optional<Word> value(Map<String, NodeTuple> f, String key, String owner) {
    NodeTuple t = f.get(key);
    return t == null ? Optional.empty() : nodes.scalar(t.getValueNode(), "`" + key + "` of a port of " + owner);
  }
}
