import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The analysis benchmark: {@code netc lint} of a large topology (every check, the reachability
 * model and the policy checks on it), and {@code netc matrix} of 1,000 endpoints on 5 ports.
 * Each run is a fresh {@code netc} process, timed from outside (JVM start included), as a user
 * or a CI job sees it; the matrix computation is also read from {@code matrix -v}.
 *
 * <pre>
 *   java -cp cli/target/netc.jar benchmarks/AnalysisBenchmark.java [--runs R] [--dir DIR]
 * </pre>
 *
 * Targets: 10,000 containers, 1,000 networks and 2,000 policies lint in under 3 s; the matrix of
 * 1,000 endpoints x 5 ports is computed in under 2 s. Exit 1 when a target is missed.
 */
public final class AnalysisBenchmark {
  static final double LINT_TARGET_MS = 3000;
  static final double MATRIX_TARGET_MS = 2000;

  public static void main(String[] args) throws Exception {
    int runs = 3;
    Path dir = Files.createTempDirectory("netc-analysis");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--dir" -> dir = Path.of(args[++i]);
        default -> {
          System.err.println("usage: AnalysisBenchmark [--runs R] [--dir DIR]");
          System.exit(2);
        }
      }
    }
    Files.createDirectories(dir);
    Path big = dir.resolve("lint-10000.netc");
    Path mid = dir.resolve("matrix-1000.netc");
    writeLintTopology(big, 10_000, 1_000, 2_000);
    writeMatrixTopology(mid, 1_000, 5);
    Path netc = Path.of(System.getProperty("user.dir"), "netc");

    List<Double> lint = new ArrayList<>();
    List<Double> lintHalf = new ArrayList<>();
    Path half = dir.resolve("lint-5000.netc");
    writeLintTopology(half, 5_000, 500, 1_000);
    for (int r = 0; r < runs; r++) {
      lint.add(time(List.of(netc.toString(), "lint", "-q", big.toString()), null));
      lintHalf.add(time(List.of(netc.toString(), "lint", "-q", half.toString()), null));
    }
    List<Double> matrixTotal = new ArrayList<>();
    List<Double> matrixCompute = new ArrayList<>();
    for (int r = 0; r < runs; r++) {
      StringBuilder err = new StringBuilder();
      matrixTotal.add(time(List.of(netc.toString(), "matrix", "-v", "--format", "json",
          mid.toString()), err));
      Matcher m = Pattern.compile("(\\d+) cells in (\\d+) ms").matcher(err);
      if (!m.find()) {
        throw new IllegalStateException("matrix -v printed no timing: " + err);
      }
      matrixCompute.add(Double.parseDouble(m.group(2)));
    }
    double lintMs = median(lint);
    double halfMs = median(lintHalf);
    double computeMs = median(matrixCompute);
    System.out.printf(Locale.ROOT, "analysis benchmark, %s, %d cores, median of %d fresh processes%n",
        LocalDate.now(), Runtime.getRuntime().availableProcessors(), runs);
    System.out.printf(Locale.ROOT, "| what | time | target |%n|---|---|---|%n");
    System.out.printf(Locale.ROOT, "| lint 5,000 containers, 500 networks, 1,000 policies | %.0f ms | |%n", halfMs);
    System.out.printf(Locale.ROOT, "| lint 10,000 containers, 1,000 networks, 2,000 policies | %.0f ms | < %.0f ms |%n", lintMs, LINT_TARGET_MS);
    System.out.printf(Locale.ROOT, "| lint doubling ratio T(10,000)/T(5,000) | %.2f | |%n", lintMs / halfMs);
    System.out.printf(Locale.ROOT, "| matrix 1,000 endpoints x 5 ports (1,004 nodes, 5,040,080 cells): computation | %.0f ms | < %.0f ms |%n", computeMs, MATRIX_TARGET_MS);
    System.out.printf(Locale.ROOT, "| the same, whole run with JSON output | %.0f ms | |%n", median(matrixTotal));
    boolean ok = lintMs < LINT_TARGET_MS && computeMs < MATRIX_TARGET_MS;
    System.out.println(ok ? "targets met" : "TARGET MISSED");
    System.exit(ok ? 0 : 1);
  }

  /** Wall time of one process in ms; its stdout is discarded, its stderr kept in {@code err}. */
  static double time(List<String> cmd, StringBuilder err) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    long start = System.nanoTime();
    Process p = pb.start();
    String e = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    int status = p.waitFor();
    double ms = (System.nanoTime() - start) / 1e6;
    if (status > 1) {
      throw new IllegalStateException(cmd + " exited " + status + ": " + e);
    }
    if (err != null) {
      err.append(e);
    }
    return ms;
  }

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return a[a.length / 2];
  }

  /**
   * Containers spread over networks (10 a network, at random), 200 apps, 5 tiers, one exposed
   * port each; each policy selects an app and admits an app that shares a network with it (as
   * real policies do), a tenth with a deny rule and a tenth with an egress rule to an address
   * block with an exception; a default-deny policy per tier.
   */
  static void writeLintTopology(Path file, int containers, int networks, int policies) throws IOException {
    Random rnd = new Random(42);
    int[] network = new int[containers];
    List<List<Integer>> members = new ArrayList<>();
    for (int i = 0; i < networks; i++) {
      members.add(new ArrayList<>());
    }
    for (int i = 0; i < containers; i++) {
      network[i] = rnd.nextInt(networks);
      members.get(network[i]).add(i);
    }
    try (Writer w = Files.newBufferedWriter(file)) {
      w.write("topology bench\n\n");
      for (int i = 0; i < networks; i++) {
        w.write(String.format(Locale.ROOT, "network n%d {\n  subnet 10.%d.%d.0/24\n}\n\n", i, 64 + i / 256, i % 256));
      }
      for (int i = 0; i < containers; i++) {
        int app = i % 200;
        w.write(String.format(Locale.ROOT, "container c%d {\n  labels app=a%d tier=t%d\n  attach n%d\n  expose %d/tcp\n}\n\n",
            i, app, app % 5, network[i], 3000 + app % 5));
      }
      for (int i = 0; i < 5; i++) {
        w.write(String.format(Locale.ROOT, "policy deny-t%d {\n  select tier=t%d\n  isolate ingress\n}\n\n", i, i));
      }
      for (int i = 5; i < policies; i++) {
        int c = rnd.nextInt(containers);
        List<Integer> neighbours = members.get(network[c]);
        int d = neighbours.get(rnd.nextInt(neighbours.size()));
        int a = c % 200;
        int b = d % 200;
        w.write(String.format(Locale.ROOT, "policy p%d {\n  select app=a%d\n  allow ingress from app=a%d port %d/tcp\n", i, a, b, 3000 + a % 5));
        if (i % 10 == 0) {
          w.write(String.format(Locale.ROOT, "  deny ingress from app=a%d\n", rnd.nextInt(200)));
        }
        if (i % 10 == 1) {
          w.write(String.format(Locale.ROOT, "  allow egress to app=a%d, cidr 10.64.0.0/16 except 10.64.1.0/24 port %d/tcp\n", b, 3000 + b % 5));
        }
        w.write("}\n\n");
      }
    }
  }

  /** 1,000 endpoints on 20 networks, 50 apps, 5 ports, 100 policies. */
  static void writeMatrixTopology(Path file, int endpoints, int ports) throws IOException {
    try (Writer w = Files.newBufferedWriter(file)) {
      w.write("topology matrix\n\n");
      for (int i = 0; i < 20; i++) {
        w.write(String.format(Locale.ROOT, "network n%d {\n  subnet 10.1.%d.0/24\n}\n\n", i, i));
      }
      for (int i = 0; i < endpoints; i++) {
        w.write(String.format(Locale.ROOT, "container c%d {\n  labels app=a%d tier=t%d\n  attach n%d\n  expose %d/tcp\n}\n\n",
            i, i % 50, i % 4, i % 20, 3000 + i % ports));
      }
      for (int i = 0; i < 100; i++) {
        w.write(String.format(Locale.ROOT, "policy p%d {\n  select app=a%d\n  allow ingress from tier=t%d port %d/tcp\n}\n\n",
            i, i % 50, i % 4, 3000 + i % ports));
      }
    }
  }
}
