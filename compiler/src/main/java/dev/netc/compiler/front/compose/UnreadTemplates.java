package dev.netc.compiler.front.compose;

import dev.netc.compiler.source.SourceFile;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * The invalid templates ({@code ${} without its {@code }}, {@code ${1}}) of the values netc does
 * not read. Compose interpolates every value of the file, whatever its field (extension fields
 * {@code x-...} included; keys are not interpolated), before it reads any, and refuses the file
 * at the first invalid template, whatever the environment. The values netc reads tell theirs as
 * they are read ({@link Nodes#scalar}), required variables too (netc reads no environment, so
 * such a value is unknown to it); of the others, the first invalid template in the order of the
 * file is a NETC034 too, once, as Compose stops there. A required variable in a value netc does
 * not read is not told: it is set where the file is deployed, and holds up nothing netc models
 * ({@code DB_PASS: ${DB_PASS:?}} in {@code environment}, a common guard). Only a value with a
 * {@code $} and a {@code {} after it is interpolated here, and when the file's text can give no
 * value a {@code $} or a {@code {}, no node is looked at: such a file costs what it did.
 */
final class UnreadTemplates {
  private static final Map<String, String> SECTIONS = Map.of("services", "service",
      "networks", "network", "volumes", "volume", "configs", "config", "secrets", "secret",
      "models", "model");

  /** Where a node stands: the keys from the document down, a list item or a merge adding none. */
  private record Path(Path parent, String key) {}

  private record Place(Node node, Path path) {}

  private UnreadTemplates() {}

  /**
   * Tells the first invalid template of the values of {@code document}, of {@code file}, that
   * netc has not read, which Compose refuses whatever the environment. Not a required variable
   * there ({@code DB_PASS: ${DB_PASS:?}} in {@code environment}): it is set where the file is
   * deployed, and holds up nothing netc models. Not a node is looked at when the file can have no
   * {@code $} in a value, or no {@code {}.
   */
  static void check(Nodes nodes, SourceFile file, Node document) {
    String text = file.text();
    if (!mayHold(text, '$') || !mayHold(text, '{')) {
      return;
    }
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Place> todo = new ArrayDeque<>();
    todo.push(new Place(document, null));
    while (!todo.isEmpty()) {
      Place p = todo.pop();
      Node n = p.node();
      if (n instanceof ScalarNode s) {
        if (found(nodes, s, p.path())) {
          return;
        }
      } else if (n.getAnchor().isEmpty() || seen.add(n)) { // an alias repeats its anchor's node
        if (n instanceof MappingNode m) {
          List<NodeTuple> entries = m.getValue();
          for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).getKeyNode() instanceof ScalarNode k) {
              String key = k.getValue();
              todo.push(new Place(entries.get(i).getValueNode(),
                  key.equals("<<") ? p.path() : new Path(p.path(), key)));
            }
          }
        } else if (n instanceof SequenceNode q) {
          List<Node> items = q.getValue();
          for (int i = items.size() - 1; i >= 0; i--) {
            todo.push(new Place(items.get(i), p.path()));
          }
        }
      }
    }
  }

  /**
   * Whether a value may hold {@code c}: the text has it, or a double-quoted value may escape it
   * (a backslash and {@code x}, {@code u} or {@code U}, then its code).
   */
  private static boolean mayHold(String text, char c) {
    return text.indexOf(c) >= 0 || text.contains("\\x") || text.contains("\\u") || text.contains("\\U");
  }

  /**
   * Reports the value's first invalid template, if it has one and netc has not read it.
   */
  private static boolean found(Nodes nodes, ScalarNode s, Path path) {
    String v = s.getValue();
    int dollar = v.indexOf('$');
    if (dollar < 0 || v.indexOf('{', dollar) < 0 || nodes.wasRead(s)) {
      return false;
    }
    return nodes.refused(s, nodes.valueSpan(s), Interpolation.apply(v), describe(path), false);
  }

  /**
   * The field as the messages name it: {@code `image` of service `web`}, {@code `driver` of
   * volume `data`}, {@code `x-defaults.environment.TZ`}.
   */
  private static String describe(Path path) {
    Deque<String> keys = new ArrayDeque<>();
    for (Path p = path; p != null; p = p.parent()) {
      keys.push(p.key());
    }
    String section = keys.isEmpty() ? null : SECTIONS.get(keys.peekFirst());
    if (section != null && keys.size() >= 2) {
      keys.pop();
      String owner = section + " `" + keys.pop() + "`";
      return keys.isEmpty() ? owner : "`" + String.join(".", keys) + "` of " + owner;
    }
    return keys.isEmpty() ? "the Compose file" : "`" + String.join(".", keys) + "`";
  }
}
