package dev.netc.cli;

import dev.netc.backends.report.MatrixReport;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.model.Matrix;
import dev.netc.compiler.model.Reachability;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netc matrix}: the reachability matrix the model predicts. */
@Command(
    name = "matrix",
    mixinStandardHelpOptions = true,
    description = {"Print the reachability matrix the model predicts.",
        "Which endpoint can reach which, on which ports.",
        "Nodes are the endpoints, @host and @outside."},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:printed", "1:errors in the topology or the command line"})
final class MatrixCommand implements Callable<Integer>, Stopped.Json {
  /** Output formats. */
  enum Format {
    text,
    json,
    csv
  }

  private final Netc.Context ctx;

  @Parameters(index = "0", paramLabel = "FILE", description = Inputs.FILE)
  String file;

  @Mixin Inputs.Options input;

  @Option(names = "--port", paramLabel = "P/PROTO",
      description = "A port to evaluate (repeatable). Default: every port the topology names.")
  List<String> ports = new ArrayList<>();

  @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT",
      description = "Output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Mixin FamilyOption family;

  @Mixin Verbosity verbosity;

  /**
   * The most cells a matrix may have: 50 million, some 2 GB as they are held (the analysis
   * benchmark's 5 million, of 1,000 endpoints on 5 ports, take 1.1 s; 10,000 endpoints on one port
   * are 100 million, which ran out of a 6 GB heap after 37 s).
   */
  static final long MAX_CELLS = 50_000_000L;

  MatrixCommand(Netc.Context ctx) {
    this.ctx = ctx;
  }

  @Override
  public boolean json() {
    return format == Format.json;
  }

  @Override
  public Integer call() {
    List<PortSpec> wanted = Ports.parseAll(ports);
    Reachability whole = Models.load(ctx, file, input.recursive, json());
    if (whole == null) {
      return 1;
    }
    Reachability model = family.apply(whole);
    List<PortSpec> use = wanted.isEmpty() ? model.defaultPorts() : wanted;
    long size = (long) model.nodes().size() * model.nodes().size() * use.size();
    if (size > MAX_CELLS) {
      // (computed, it would hold the heap for minutes and end out of memory)
      throw new Netc.UserError(String.format(java.util.Locale.ROOT, "the matrix of %,d nodes on %,d %s has %,d cells,"
          + " more than netc computes at once (%,d): %sask about one pair with `netc explain`", model.nodes().size(),
          use.size(), use.size() == 1 ? "port" : "ports", size, MAX_CELLS,
          use.size() > 1 && (long) model.nodes().size() * model.nodes().size() <= MAX_CELLS
              ? "name fewer ports with --port, or " : ""));
    }
    long start = System.nanoTime();
    List<Matrix.Cell> cells = Matrix.compute(model, use);
    if (verbosity.verbose) {
      ctx.err().printf("netc: %d cells in %d ms%n", cells.size(), (System.nanoTime() - start) / 1_000_000);
    }
    MatrixReport.render(MatrixReport.Format.valueOf(format.name().toUpperCase(java.util.Locale.ROOT)),
        model.nodes(), use, cells, family.label(), ctx.out());
    ctx.out().flush();
    return 0;
  }
}
