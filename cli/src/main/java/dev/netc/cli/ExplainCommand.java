package dev.netc.cli;

import dev.netc.backends.report.MatrixReport;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.model.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code netc explain}: why FROM can or cannot reach TO. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {"Explain why FROM can or cannot reach TO, with the rules that decide.",
        "Shows the path and every rule that took part, with its source line. Without a port,"
            + " every port the topology names is explained."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:allowed (on every port explained)", "1:errors", "3:denied (on some port)"})
final class ExplainCommand implements Callable<Integer> {
  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Parameters(index = "1", paramLabel = "FROM", description = "An endpoint, @host or @outside.")
  String from;

  @Parameters(index = "2", paramLabel = "TO[:PORT[/PROTO]]", description = "An endpoint, @host or @outside, and a port.")
  String to;

  @Mixin FamilyOption family;

  ExplainCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public Integer call() {
    String target = to;
    List<PortSpec> ports = new ArrayList<>();
    int colon = to.lastIndexOf(':');
    if (colon >= 0) {
      target = to.substring(0, colon);
      ports.add(Ports.parse(to.substring(colon + 1)));
    }
    Reachability whole = Models.load(ctx, file, input.recursive);
    if (whole == null) {
      return 1;
    }
    Reachability model = family.apply(whole);
    Node a = Models.node(model, from);
    Node b = Models.node(model, target);
    if (ports.isEmpty()) {
      ports.addAll(model.defaultPorts());
    }
    List<Verdict> verdicts = new ArrayList<>();
    ports.forEach(p -> verdicts.add(model.explain(a, b, p)));
    ctx.out().print(MatrixReport.explain(verdicts));
    return verdicts.stream().allMatch(Verdict::allowed) ? 0 : 3;
  }
}
