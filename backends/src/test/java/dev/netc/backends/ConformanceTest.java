package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.ir.Parsed;
import dev.netc.compiler.ir.PortRange;
import dev.netc.compiler.ir.PortSpec;
import dev.netc.compiler.ir.Protocol;
import dev.netc.compiler.model.Node;
import dev.netc.compiler.model.Reachability;
import dev.netc.compiler.model.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Kubernetes NetworkPolicy conformance: every folder under {@code golden-tests/conformance/} holds
 * an {@code input.netc} (the fixture of the upstream e2e tests, namespaces x, y, z with pods a, b,
 * c, plus the policies of one scenario) and an {@code expected.txt} written by hand from the
 * Kubernetes documentation: for each port a 9×9 table of the pods, rows the clients, columns the
 * servers, {@code .} admitted and {@code X} denied.
 *
 * <p>Each case also holds an {@code input.yaml}: the same namespaces, pods (with the same
 * addresses, given as {@code status.podIP}) and policies as Kubernetes objects, read by the
 * Kubernetes front end and checked against the same table; or, for the netc extensions that
 * NetworkPolicy cannot express ({@code deny}), a {@code not-kubernetes.txt} that says so.
 *
 * <p>The test compares every cell with {@link Reachability#allowed}. It never writes an
 * expectation: a disagreement is either a bug in the model or in the hand-written table, and a
 * person decides which.
 */
class ConformanceTest {
  static final Path CONFORMANCE = GoldenTest.GOLDEN.resolve("conformance");
  static final List<String> PODS =
      List.of("x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c");
  static final String NETC = "input.netc";
  /** The same case as Kubernetes objects, read by the Kubernetes front end. */
  static final String KUBERNETES = "input.yaml";
  /** In place of {@link #KUBERNETES}, for a case Kubernetes objects cannot express: why not. */
  static final String NOT_KUBERNETES = "not-kubernetes.txt";
  /** How many differing cells get the model's explanation in a failure message. */
  static final int EXPLAINED = 3;

  /** One block of {@code expected.txt}: a port and whether each (from, to) is admitted. */
  record Block(PortSpec port, boolean[][] admitted) {}

  @TestFactory
  Stream<DynamicTest> conformance() throws IOException {
    List<Path> cases;
    try (Stream<Path> dirs = Files.list(CONFORMANCE)) {
      cases = dirs.filter(Files::isDirectory).sorted().toList();
    }
    assertFalse(cases.isEmpty(), "no cases under " + CONFORMANCE);
    return cases.stream().flatMap(dir -> {
      String name = dir.getFileName().toString();
      DynamicTest netc = DynamicTest.dynamicTest(name, () -> run(dir, NETC));
      if (Files.exists(dir.resolve(NOT_KUBERNETES))) {
        return Stream.of(netc); // the reason why Kubernetes cannot say it is in that file
      }
      return Stream.of(netc, DynamicTest.dynamicTest(name + " (kubernetes)", () -> run(dir, KUBERNETES)));
    });
  }

  private void run(Path dir, String input) throws IOException {
    String name = dir.getFileName().toString();
    Path expectedFile = dir.resolve("expected.txt");
    if (!Files.exists(dir.resolve(input)) || !Files.exists(expectedFile)) {
      fail(name + ": a conformance case needs " + input + " and expected.txt (written by hand)"
          + (input.equals(KUBERNETES) ? ", or a file " + NOT_KUBERNETES + " that says why"
              + " Kubernetes objects cannot express it" : ""));
    }
    List<Block> blocks = parse(name, Files.readString(expectedFile, StandardCharsets.UTF_8));

    Reachability model;
    try (FileSystem fs = Jimfs.newFileSystem(
        Configuration.unix().toBuilder().setWorkingDirectory("/case").build())) {
      Path root = fs.getPath("/case");
      Files.createDirectories(root);
      try (Stream<Path> files = Files.list(dir)) {
        String extension = input.substring(input.lastIndexOf('.'));
        for (Path p : files.filter(p -> p.toString().endsWith(extension)).toList()) {
          Files.write(root.resolve(p.getFileName().toString()), Files.readAllBytes(p));
        }
      }
      CompileResult r = new Compiler(Set.of(), false).compile(fs.getPath(input));
      if (r.hasErrors() || r.topology().isEmpty()) {
        fail(name + "/" + input + " does not compile:\n"
            + DiagnosticReport.text(r.diagnostics(), r.sources().size(), false));
      }
      model = new Reachability(r.topology().get());
    }

    Map<String, Node> pods = new LinkedHashMap<>();
    for (String pod : PODS) {
      Optional<Node> n = model.node(pod);
      if (n.isEmpty()) {
        fail(name + "/" + input + " has no endpoint `" + pod + "`: the fixture must declare x, y, z with pods a, b, c");
      }
      pods.put(pod, n.get());
    }

    List<String> diffs = new ArrayList<>();
    List<String> explained = new ArrayList<>();
    int cells = 0;
    for (Block b : blocks) {
      for (int i = 0; i < PODS.size(); i++) {
        for (int j = 0; j < PODS.size(); j++) {
          cells++;
          Node from = pods.get(PODS.get(i));
          Node to = pods.get(PODS.get(j));
          boolean want = b.admitted()[i][j];
          boolean got = model.allowed(from, to, b.port());
          if (want == got) {
            continue;
          }
          String cell = from.name() + " -> " + to.name() + " " + b.port() + ": expected "
              + mark(want) + ", model " + mark(got);
          diffs.add(cell);
          if (explained.size() < EXPLAINED) {
            Verdict v = model.explain(from, to, b.port());
            StringBuilder sb = new StringBuilder(cell).append(" (model's explanation)");
            for (Verdict.Step s : v.steps()) {
              sb.append("\n    - ").append(s.text());
            }
            explained.add(sb.toString());
          }
        }
      }
    }
    if (!diffs.isEmpty()) {
      StringBuilder msg = new StringBuilder()
          .append(name).append('/').append(input).append(": ").append(diffs.size()).append(" of ").append(cells)
          .append(" cells differ from golden-tests/conformance/").append(name).append("/expected.txt\n");
      diffs.forEach(d -> msg.append("  ").append(d).append('\n'));
      msg.append("explanations:\n");
      explained.forEach(e -> msg.append("  ").append(e).append('\n'));
      fail(msg.toString());
    }
  }

  private static String mark(boolean admitted) {
    return admitted ? "." : "X";
  }

  /**
   * Reads the blocks: a line {@code PORT/PROTO}, then one row per pod in {@link #PODS} order, each
   * the pod's name and nine cells. Blank lines between blocks are allowed; anything else fails.
   */
  static List<Block> parse(String name, String text) {
    List<Block> out = new ArrayList<>();
    String[] lines = text.split("\\R", -1);
    int i = 0;
    while (i < lines.length) {
      String header = lines[i].strip();
      if (header.isEmpty()) {
        i++;
        continue;
      }
      int headerLine = i + 1;
      PortSpec port = port(header).orElseThrow(() -> new AssertionError(name + "/expected.txt:"
          + headerLine + ": expected a port block header such as `80/tcp`, got `" + header + "`"));
      boolean[][] admitted = new boolean[PODS.size()][PODS.size()];
      for (int row = 0; row < PODS.size(); row++) {
        int lineNo = i + 2 + row;
        String line = lineNo - 1 < lines.length ? lines[lineNo - 1].strip() : "";
        String[] cols = line.split("\\s+");
        if (cols.length != PODS.size() + 1 || !cols[0].equals(PODS.get(row))) {
          throw new AssertionError(name + "/expected.txt:" + lineNo + ": expected the row of `"
              + PODS.get(row) + "` (its name and " + PODS.size() + " cells of `.` or `X`), got `" + line + "`");
        }
        for (int col = 0; col < PODS.size(); col++) {
          String c = cols[col + 1];
          if (!c.equals(".") && !c.equals("X")) {
            throw new AssertionError(name + "/expected.txt:" + lineNo + ": cell `" + c
                + "` is neither `.` (admitted) nor `X` (denied)");
          }
          admitted[row][col] = c.equals(".");
        }
      }
      if (out.stream().anyMatch(b -> b.port().equals(port))) {
        throw new AssertionError(name + "/expected.txt:" + headerLine + ": port " + port + " given twice");
      }
      out.add(new Block(port, admitted));
      i += 1 + PODS.size();
    }
    for (String required : List.of("80/tcp", "81/tcp")) {
      if (out.stream().noneMatch(b -> b.port().toString().equals(required))) {
        throw new AssertionError(name + "/expected.txt has no block for " + required
            + " (every case gives at least 80/tcp and 81/tcp)");
      }
    }
    return out;
  }

  private static Optional<PortSpec> port(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    Parsed<PortRange> range = PortRange.parse(text.substring(0, slash));
    Optional<Protocol> proto = Protocol.parse(text.substring(slash + 1));
    if (!range.ok() || proto.isEmpty() || range.get().size() != 1) {
      return Optional.empty();
    }
    return Optional.of(new PortSpec(range.get(), proto.get()));
  }
}
