package dev.netc.cli;

import dev.netc.compiler.diag.Spelling;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.Runner;
import dev.netc.runner.probe.Prober;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code netc exec}: run a command inside an endpoint's namespace. */
@Command(
    name = "exec",
    mixinStandardHelpOptions = true,
    description = {"Run CMD inside the network namespace of ENDPOINT in an applied sandbox, through"
        + " `ip netns exec` (so the endpoint's /etc/hosts and /etc/resolv.conf are in place):"
        + " an endpoint name, @host (the sandbox S; also for endpoints in mode host; @host/H, namespace"
        + " S-host_H, for host H of several) or @outside (S-outside), on any host of the sandbox."
        + " Standard input and output are the command's. Needs root.",
        "Example: netc exec shop.netc --sandbox demo web -- getent hosts api-1"},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"CMD's", "1:error before CMD ran (an unknown endpoint, a sandbox not applied)",
        "127:CMD not found, or not executable"})
final class ExecCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Parameters(index = "1", paramLabel = "ENDPOINT", description = "An endpoint, @host or @outside.")
  String endpoint;

  @Parameters(index = "2..*", paramLabel = "CMD", arity = "1..*",
      description = "The command and its arguments (after `--`, so that its options are its own).")
  List<String> command = new ArrayList<>();

  @Mixin SandboxOptions target;

  ExecCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    return target.inSandbox(ctx, "exec", file, input.recursive, loaded -> {
      List<Runner.Target> ts = loaded.targets();
      Reachability model = new Reachability(loaded.topology());
      List<Node> nodes = Prober.nodes(ts, model);
      Node node = nodes.stream().filter(n -> n.name().equals(endpoint)).findFirst().orElseThrow(() -> unknown(nodes));
      String ns = Prober.namespace(ts, model, node).orElseThrow();
      if (dev.netc.runner.ProcessExecutor.executable(command.get(0)).isEmpty()) {
        // as a shell says it: 127, command not found
        ctx.err().println("netc: exec: `" + command.get(0) + "`: no such command" + (command.get(0).contains("/") ? ""
            : " on the PATH") + " (or not executable)");
        return 127;
      }
      ctx.out().flush();
      ctx.err().flush();
      try (Interrupts.Restore signals = Interrupts.forAttachedCommand()) {
        return Runner.system(Duration.ZERO).exec(ts.get(0), ns, command);
      }
    });
  }

  private Netc.UserError unknown(List<Node> nodes) {
    List<String> names = nodes.stream().map(Node::name).toList();
    List<String> close = new ArrayList<>();
    Spelling.suggest(endpoint, names).ifPresent(close::add);
    names.stream().filter(n -> !close.contains(n) && (n.contains(endpoint) || endpoint.contains(n)))
        .limit(3).forEach(close::add);
    return new Netc.UserError("no endpoint `" + endpoint + "` in sandbox " + target.sandbox
        + (close.isEmpty() ? "; the endpoints are " + String.join(", ", names.stream().limit(8).toList())
            + (names.size() > 8 ? ", ..." : "")
            : "; did you mean " + String.join(", ", close.stream().map(n -> "`" + n + "`").toList()) + "?"));
  }
}
