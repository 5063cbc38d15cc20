package dev.netc.cli;

import dev.netc.compiler.diag.Spelling;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.runner.Runner;
import dev.netc.runner.probe.Prober;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  @Parameters(index = "1", paramLabel = "ENDPOINT", description = "An endpoint, @host or @outside; a pod's member (POD/MEMBER, or MEMBER) runs in its pod.")
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
      Node node = nodes.stream().filter(n -> n.name().equals(endpoint)).findFirst()
          .or(() -> podOfMember(nodes)).orElseThrow(() -> unknown(nodes));
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

  /**
   * The pod {@code endpoint} names a member of, whose network namespace the member shares (a
   * Compose service with {@code network_mode: service:app} is a member of pod {@code app}): by
   * {@code POD/MEMBER}, or by the member's name alone when one pod has a member so named.
   */
  private Optional<Node> podOfMember(List<Node> nodes) {
    int slash = endpoint.lastIndexOf('/');
    String pod = slash < 0 ? null : endpoint.substring(0, slash);
    String member = endpoint.substring(slash + 1);
    List<Node> pods = nodes.stream().filter(n -> (pod == null || n.name().equals(pod)) && n.endpoint()
        .filter(e -> e.members().stream().anyMatch(m -> m.name().equals(member))).isPresent()).toList();
    if (pods.size() > 1) {
      throw new Netc.UserError("no endpoint `" + endpoint + "` in sandbox " + target.sandbox + "; pods "
          + String.join(", ", pods.stream().map(n -> "`" + n.name() + "`").toList()) + " have a member `" + member
          + "`: name it as `POD/" + member + "`");
    }
    return pods.stream().findFirst();
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
