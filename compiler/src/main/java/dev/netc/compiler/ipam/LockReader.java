package dev.netc.compiler.ipam;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.front.Yaml;
import dev.netc.compiler.ir.Cidr;
import dev.netc.compiler.ir.IpAddress;
import dev.netc.compiler.ir.Parsed;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a lock file with snakeyaml-engine. Anything wrong in it (broken YAML, an unknown key, a
 * value that is not an address or a port) is a positioned NETC230 error: the topology is not
 * compiled until the lock file is mended (by hand, or by deleting it, which gives up the pinned
 * addresses and ports).
 */
public final class LockReader {
  private final SourceFile file;
  private final Diagnostics diags;
  private final Yaml yaml;

  private LockReader(SourceFile file, Diagnostics diags) {
    this.file = file;
    this.diags = diags;
    this.yaml = Yaml.of(file);
  }

  /**
   * A lock file read, with where each of its entries stands: {@code subnets/NETWORK}, {@code
   * addresses/NETWORK} and {@code addresses/NETWORK/ENDPOINT}, {@code services/SERVICE}, {@code
   * ports/HOST}, {@code ports/HOST/ENDPOINT} and {@code ports/HOST/ENDPOINT/LINE}, each at its key
   * ({@link LockDiff#changes} names the entries a change concerns).
   */
  public record Located(Lock lock, Map<String, Span> where) {
    public Located {
      where = Map.copyOf(where);
    }
  }

  /** Reads {@code file}, with where each entry stands. */
  public static Located readLocated(SourceFile file, Diagnostics diags) {
    LockReader r = new LockReader(file, diags);
    Lock lock = r.read();
    return new Located(lock, r.where);
  }

  /** Where each entry stands, by its path ({@link Located}). */
  private final Map<String, Span> where = new LinkedHashMap<>();

  private Lock read() {
    Optional<Node> root;
    try {
      LoadSettings settings = LoadSettings.builder().setLabel(file.path())
          .setAllowDuplicateKeys(false).setMaxAliasesForCollections(10).setCodePointLimit(64 << 20)
          .build();
      root = new Compose(settings).composeString(file.text());
    } catch (MarkedYamlEngineException e) {
      Span at = e.getProblemMark().map(this::span).orElse(Span.at(file, 0));
      report(at, "the lock file is not valid YAML: " + firstLine(e.getProblem()));
      return Lock.EMPTY;
    } catch (YamlEngineException e) {
      report(Span.at(file, 0), "the lock file is not valid YAML: " + firstLine(e.getMessage()));
      return Lock.EMPTY;
    } catch (StackOverflowError e) {
      // snakeyaml-engine descends once per level of nesting and has no limit of its own (as Yaml)
      report(Span.at(file, 0), "the lock file nests too deeply to be read: netc writes three levels");
      return Lock.EMPTY;
    }
    if (root.isEmpty()) {
      return Lock.EMPTY;
    }
    if (!(root.get() instanceof MappingNode top)) {
      report(span(root.get()), "a lock file is a mapping with `version`, `subnets` and `addresses`");
      return Lock.EMPTY;
    }
    Map<String, List<Cidr>> subnets = new LinkedHashMap<>();
    Map<String, Map<String, List<IpAddress>>> addresses = new LinkedHashMap<>();
    Map<String, List<IpAddress>> services = new LinkedHashMap<>();
    Map<String, Map<String, Map<String, List<Integer>>>> ports = new LinkedHashMap<>();
    boolean[] hostless = {false};
    for (NodeTuple t : top.getValue()) {
      String key = scalar(t.getKeyNode()).orElse("");
      switch (key) {
        case "version" -> {
          String v = scalar(t.getValueNode()).orElse("");
          if (!v.equals(Integer.toString(Lock.VERSION))) {
            diags.add(Diagnostic.of(Code.NETC230, span(t.getValueNode()), "unsupported lock file version `"
                    + v + "`; this netc reads and writes version " + Lock.VERSION)
                .withHint("a newer netc probably wrote it: upgrade netc rather than delete the file"));
            return Lock.EMPTY;
          }
        }
        case "subnets" -> mapping(t.getValueNode(), "networks and their subnets (`NETWORK: [PREFIX]`)", "subnets").forEach(
            (net, node) -> subnets.put(net, list(node, Cidr::parse, "prefix")));
        case "addresses" -> mapping(t.getValueNode(), "networks (`NETWORK:` then its endpoints)", "addresses").forEach((net, node) -> {
          Map<String, List<IpAddress>> inner = new LinkedHashMap<>();
          mapping(node, "the endpoints of network `" + net + "` (`ENDPOINT: [ADDRESS]`)", "addresses/" + net)
              .forEach((ep, ips) -> inner.put(ep, list(ips, IpAddress::parse, "address")));
          addresses.put(net, inner);
        });
        case "services" -> mapping(t.getValueNode(), "services and their virtual addresses (`SERVICE: [ADDRESS]`)", "services")
            .forEach((svc, node) -> services.put(svc, list(node, IpAddress::parse, "address")));
        case "ports" -> mapping(t.getValueNode(), "hosts (`HOST:` then its endpoints)", "ports").forEach((host, hn) -> {
          Map<String, Map<String, List<Integer>>> byEndpoint = new LinkedHashMap<>();
          String what = "the endpoints of host `" + host + "` (`ENDPOINT:` then its `publish` lines)";
          mapping(hn, what, "ports/" + host).forEach((ep, node) -> {
            if (node instanceof SequenceNode) {
              // `ports: ENDPOINT: LINE: [PORT]`, as a development build of netc wrote it: no hosts
              if (!hostless[0]) {
                hostless[0] = true;
                diags.add(Diagnostic.of(Code.NETC230, span(node), "the host ports in the lock file do not name"
                        + " their host: expected `ports: HOST: ENDPOINT: LINE: [PORT]`, got `" + host + ": " + ep
                        + ": [PORT]`")
                    .withHint("a development build of netc wrote this form; delete the `ports` section (the"
                        + " subnets and addresses stay pinned) and run `netc lock` again"));
              }
              return;
            }
            Map<String, List<Integer>> inner = new LinkedHashMap<>();
            mapping(node, "the `publish` lines of endpoint `" + ep + "` (`PORTS/PROTOCOL: [HOST_PORT]`)",
                "ports/" + host + "/" + ep)
                .forEach((line, firsts) -> inner.put(line, list(firsts, LockReader::port, "port")));
            byEndpoint.put(ep, inner);
          });
          ports.put(host, byEndpoint);
        });
        default -> report(span(t.getKeyNode()), "unknown key `" + key + "` in the lock file"
            + dev.netc.compiler.diag.Spelling.suggest(key, List.of("version", "subnets", "addresses", "services", "ports"))
                .map(s -> "; did you mean `" + s + "`?").orElse(""));
      }
    }
    return new Lock(subnets, addresses, services, ports);
  }

  private Map<String, Node> mapping(Node n, String what) {
    return mapping(n, what, null);
  }

  /** The same, noting where each key stands under {@code path/KEY} when {@code path} is not null. */
  private Map<String, Node> mapping(Node n, String what, String path) {
    Map<String, Node> out = new LinkedHashMap<>();
    if (!(n instanceof MappingNode m)) {
      if (!(n instanceof ScalarNode s && s.getValue().isEmpty())) {
        report(span(n), "expected " + what + " here");
      }
      return out;
    }
    for (NodeTuple t : m.getValue()) {
      scalar(t.getKeyNode()).ifPresentOrElse(k -> {
        if (out.containsKey(k)) {
          // (the parser checks keys of the top level only; a merge can leave an entry twice below)
          report(span(t.getKeyNode()), "`" + k + "` is given twice in " + what.replaceFirst(" \\(.*", ""));
          return;
        }
        out.put(k, t.getValueNode());
        if (path != null) {
          where.putIfAbsent(path + "/" + k, span(t.getKeyNode()));
        }
      }, () -> report(span(t.getKeyNode()), "expected a name here"));
    }
    return out;
  }

  private <T> List<T> list(Node n, java.util.function.Function<String, Parsed<T>> parse, String what) {
    List<T> out = new ArrayList<>();
    if (!(n instanceof SequenceNode seq)) {
      report(span(n), "expected a list of " + what + (what.equals("port") ? "s" : "es") + " here");
      return out;
    }
    for (Node item : seq.getValue()) {
      Optional<String> text = scalar(item);
      Parsed<T> p = text.map(parse).orElse(Parsed.error(""));
      if (p.ok()) {
        out.add(p.get());
      } else {
        report(span(item), "expected " + (what.equals("prefix") ? "an IP prefix" : what.equals("port") ? "a port in 1-65535"
            : "an IP address") + ", got `" + text.orElse("?") + "`");
      }
    }
    return out;
  }

  /** A host port: a number in 1-65535. */
  private static Parsed<Integer> port(String text) {
    Parsed<PortRange> p = text.contains("-") ? Parsed.error("") : PortRange.parse(text);
    return p.ok() ? Parsed.ok(p.get().first()) : Parsed.error("");
  }

  private Optional<String> scalar(Node n) {
    return n instanceof ScalarNode s ? Optional.of(s.getValue()) : Optional.empty();
  }

  private void report(Span at, String message) {
    diags.add(Diagnostic.of(Code.NETC230, at, message)
        .withHint("mend the lock file by hand; deleting it and running `netc lock` writes a new one,"
            + " but addresses and host ports may then move"));
  }

  private Span span(Node n) {
    return yaml.span(n);
  }

  private Span span(Mark m) {
    return yaml.span(m);
  }

  private static String firstLine(String s) {
    return Yaml.firstLine(s);
  }
}
