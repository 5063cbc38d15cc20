package dev.netc.cli;

import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;

/** Compiles a topology into its reachability model, or reports why it cannot. */
final class Models {
  private Models() {}

  /** The model, or null after printing the diagnostics that stop it. */
  static Reachability load(Netc.Context ctx, String file) {
    return load(ctx, file, false);
  }

  /** The model of the topology {@code file} names ({@link Inputs}), or null as above. */
  static Reachability load(Netc.Context ctx, String file, boolean recursive) {
    return load(ctx, file, recursive, false);
  }

  /**
   * As above; with {@code json} (the command's {@code --format json}) the diagnostics that stop
   * it are printed on stdout as JSON as well ({@link Stopped}).
   */
  static Reachability load(Netc.Context ctx, String file, boolean recursive, boolean json) {
    CompileResult r = Inputs.compile(ctx, new Compiler(), file, recursive);
    if (r.topology().isEmpty()) {
      Stopped.print(ctx, r.diagnostics(), r.sources().size(), json);
      return null;
    }
    return new Reachability(r.topology().get());
  }

  static Node node(Reachability model, String name) {
    return model.node(name).orElseThrow(() -> new Netc.UserError("no endpoint `" + name
        + "` in the topology" + service(model, name).or(() -> suggest(model, name).map(s -> "; did you mean " + s + "?"))
            .orElse("")));
  }

  /**
   * For a service's name, the endpoints it leads to (those it selects and gives a share: {@link
   * dev.netc.compiler.ir.Service#balancesTo}), which are the nodes that {@code explain} takes: a
   * connection through the service reaches one of them.
   */
  private static java.util.Optional<String> service(Reachability model, String name) {
    for (dev.netc.compiler.ir.Service s : model.topology().services()) {
      if (!name.equals(s.name()) && !s.name().endsWith("/" + name)) { // Kubernetes: `backend/api`
        continue;
      }
      java.util.List<String> reached = model.nodes().stream().filter(n -> n.endpoint()
          .map(e -> e.namespace().equals(s.namespace()) && s.balancesTo(e.labels())).orElse(false))
          .map(n -> "`" + n.name() + "`").toList();
      return java.util.Optional.of("; `" + name + "` is a service: name an endpoint it leads to"
          + (reached.isEmpty() ? " (it leads to none)" : ", " + String.join(", ", reached)));
    }
    return java.util.Optional.empty();
  }

  /**
   * The names close to {@code name}: a spelling, or else the endpoints of that name in a
   * namespace ({@code web-1} for {@code frontend/web-1}: Kubernetes pods are named {@code
   * namespace/pod}).
   */
  private static java.util.Optional<String> suggest(Reachability model, String name) {
    java.util.List<String> names = model.nodes().stream().map(Node::name).toList();
    // the replicas of a container or pod (`api-1`, `api-2`; `backend/api-1` in a namespace), the
    // hosts of `@host` (`@host/h1`), the pod of a member (`checkout` for `checkout/server`)
    java.util.List<String> parts = names.stream()
        .filter(n -> n.matches("([^/]+/)?" + java.util.regex.Pattern.quote(name) + "-[0-9]+") || n.startsWith(name + "/")
            || name.startsWith(n + "/"))
        .limit(3).map(n -> "`" + n + "`").toList();
    if (!parts.isEmpty()) {
      return java.util.Optional.of(String.join(", ", parts));
    }
    java.util.Optional<String> spelled = dev.netc.compiler.diag.Spelling.suggest(name, names);
    if (spelled.isPresent()) {
      return spelled.map(s -> "`" + s + "`");
    }
    java.util.List<String> qualified = names.stream().filter(n -> n.endsWith("/" + name)).limit(3)
        .map(n -> "`" + n + "`").toList();
    return qualified.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join(", ", qualified));
  }
}
