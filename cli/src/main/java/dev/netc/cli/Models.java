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
        + "` in the topology" + suggest(model, name).map(s -> "; did you mean " + s + "?").orElse("")));
  }

  /**
   * The names close to {@code name}: a spelling, or else the endpoints of that name in a
   * namespace ({@code web-1} for {@code frontend/web-1}: Kubernetes pods are named {@code
   * namespace/pod}).
   */
  private static java.util.Optional<String> suggest(Reachability model, String name) {
    java.util.List<String> names = model.nodes().stream().map(Node::name).toList();
    java.util.Optional<String> spelled = dev.netc.compiler.diag.Spelling.suggest(name, names);
    if (spelled.isPresent()) {
      return spelled.map(s -> "`" + s + "`");
    }
    java.util.List<String> qualified = names.stream().filter(n -> n.endsWith("/" + name)).limit(3)
        .map(n -> "`" + n + "`").toList();
    return qualified.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join(", ", qualified));
  }
}
