import dev.netc.compiler.CompileResult;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Diagnostics;
import dev.netc.compiler.diag.Severity;
import dev.netc.compiler.ir.Topology;
import dev.netc.compiler.lower.Resolver;
import dev.netc.compiler.parse.Parse;
import dev.netc.compiler.parse.ParsedFile;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.SourceReader;
import dev.netc.compiler.source.Span;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The parse benchmark: how long netc takes to parse and resolve large topologies, measured from
 * JVM start, in a fresh JVM per run (so class loading and JIT warm-up count, as they do for a user
 * who types {@code netc lint}).
 *
 * <pre>
 *   generate N FILE        write a realistic topology of N containers to FILE
 *   measure FILE           (in a fresh JVM) compile FILE once; print one line of key=value figures
 *   phases FILE            (in a fresh JVM) the same, with read, parse and resolve timed apart
 *   run [options] N...     for each N (and 2N, for the doubling ratio): generate, measure in
 *                          fresh JVMs, print the table; exit 1 when a target is missed
 *     --runs R             fresh JVMs per size; the median is reported (default 5)
 *     --jvm-opts "..."     options for the measured JVMs (default: those of ./netc)
 *     --dir DIR            where the generated files go (default: a temporary folder)
 * </pre>
 *
 * Targets: 10,000 containers parsed and resolved within 1 s of JVM start; T(2N)/T(N) at most
 * 2.2; no parse needs ANTLR's LL stage.
 */
public final class ParseBenchmark {
  static final String NETC_JVM_OPTS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto";
  static final double TARGET_10K_MS = 1000;
  static final double TARGET_DOUBLING = 2.2;

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
    }
    switch (args[0]) {
      case "generate" -> {
        if (args.length != 3) {
          usage();
        }
        Generator.write(Integer.parseInt(args[1]), Path.of(args[2]));
      }
      case "measure" -> measure(Path.of(args[1]), false);
      case "phases" -> measure(Path.of(args[1]), true);
      case "run" -> System.exit(run(Arrays.copyOfRange(args, 1, args.length)));
      default -> usage();
    }
  }

  private static void usage() {
    System.err.println("usage: ParseBenchmark generate N FILE | measure FILE | phases FILE"
        + " | run [--runs R] [--jvm-opts OPTS] [--dir DIR] N...");
    System.exit(2);
  }

  // ------------------------------------------------------------------ the measured JVM

  /**
   * Compiles {@code file} once, the way {@code netc lint} does (read, parse, resolve), and prints
   * {@code key=value} figures on one line. Only the clock is read before the work, so nothing
   * else is loaded ahead of the compiler's own classes.
   */
  static void measure(Path file, boolean phases) throws IOException {
    long mainNanos = System.nanoTime();
    long mainMillis = System.currentTimeMillis();
    Map<String, Object> f = new LinkedHashMap<>();
    long done;
    List<Diagnostic> diagnostics;
    Optional<Topology> topology;
    if (!phases) {
      CompileResult r = new dev.netc.compiler.Compiler().compile(file);
      done = System.nanoTime();
      diagnostics = r.diagnostics();
      topology = r.topology();
    } else {
      // The steps of Compiler.compile for a file without imports, timed apart.
      SourceReader.Read read = SourceReader.read(file, file.toString());
      long t1 = System.nanoTime();
      SourceFile source = read.file().orElseThrow();
      ParsedFile parsed = Parse.file(source);
      long t2 = System.nanoTime();
      Diagnostics diags = new Diagnostics();
      topology = new Resolver(diags).resolve("bench", parsed.decls(), Span.at(source, 0));
      done = System.nanoTime();
      diagnostics = new ArrayList<>(parsed.diagnostics());
      diagnostics.addAll(diags.sorted());
      f.put("read_ms", ms(t1 - mainNanos));
      f.put("parse_ms", ms(t2 - t1));
      f.put("resolve_ms", ms(done - t2));
    }
    long cpuNanos = ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    f.put("jvm_to_main_ms", mainMillis - jvmStart);
    f.put("compile_ms", ms(done - mainNanos));
    f.put("jvm_to_done_ms", (mainMillis - jvmStart) + ms(done - mainNanos));
    // CPU time of the whole process from its start (all threads: JIT, GC), read just after the
    // work: unlike wall time it barely moves when other work shares the machine.
    f.put("cpu_ms", ms(cpuNanos));
    f.put("ll_fallbacks", Parse.llFallbacks());
    f.put("errors", diagnostics.stream().filter(Diagnostic::isError).count());
    f.put("warnings", diagnostics.stream().filter(d -> d.severity() == Severity.WARNING).count());
    f.put("endpoints", topology.map(t -> t.endpoints().size()).orElse(0));
    f.put("networks", topology.map(t -> t.networks().size()).orElse(0));
    f.put("policies", topology.map(t -> t.policies().size()).orElse(0));
    f.put("heap_mb", (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
    StringBuilder line = new StringBuilder();
    f.forEach((k, v) -> line.append(line.length() == 0 ? "" : " ").append(k).append('=').append(v));
    System.out.println(line);
    diagnostics.stream().filter(d -> d.severity() != Severity.NOTE).limit(5).forEach(d ->
        System.err.println(d.span() + ": " + d.code() + ": " + d.message()));
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  // ------------------------------------------------------------------ the runner

  /** One size's medians. */
  record Row(int containers, long bytes, Map<String, Long> median, long processMs) {
    long get(String key) {
      return median.getOrDefault(key, -1L);
    }
  }

  static int run(String[] args) throws Exception {
    int runs = 5;
    String jvmOpts = NETC_JVM_OPTS;
    Path dir = null;
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--jvm-opts" -> jvmOpts = args[++i];
        case "--dir" -> dir = Path.of(args[++i]);
        default -> sizes.add(Integer.parseInt(args[i].replace("_", "").replace(",", "")));
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(1_000, 10_000, 50_000);
    }
    if (dir == null) {
      dir = Files.createTempDirectory("netc-bench");
    }
    Files.createDirectories(dir);
    List<Integer> all = new ArrayList<>();
    for (int n : sizes) {
      for (int m : List.of(n, 2 * n)) {
        if (!all.contains(m)) {
          all.add(m);
        }
      }
    }
    all.sort(null);
    String classPath = childClassPath(dir);
    System.out.printf("netc parse benchmark: %d fresh JVMs per size, JVM options `%s`%n", runs, jvmOpts);
    System.out.printf("machine: %s; %d cores; Java %s (%s); load average %s%n%n", cpuName(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        System.getProperty("java.vm.name"), loadAverage());
    Map<Integer, Path> files = new LinkedHashMap<>();
    for (int n : all) {
      files.put(n, Generator.write(n, dir.resolve("bench-" + n + ".netc")));
    }
    // Round robin over the sizes, so that a spell of load from other work on the machine falls
    // on every size alike and the ratios stay fair.
    Map<Integer, List<Map<String, Long>>> samples = new LinkedHashMap<>();
    Map<Integer, List<Long>> process = new LinkedHashMap<>();
    boolean ok = true;
    for (int r = 0; r < runs; r++) {
      StringBuilder line = new StringBuilder("  run " + (r + 1) + ":");
      for (int n : all) {
        long start = System.nanoTime();
        Map<String, Long> s = child(classPath, jvmOpts, "measure", files.get(n));
        process.computeIfAbsent(n, k -> new ArrayList<>()).add((System.nanoTime() - start) / 1_000_000);
        samples.computeIfAbsent(n, k -> new ArrayList<>()).add(s);
        line.append(String.format(Locale.ROOT, " %,d: %d ms;", n, s.get("compile_ms")));
        if (s.get("ll_fallbacks") != 0 || s.get("errors") != 0) {
          ok = false;
          System.out.printf("  %d containers: %d LL fallbacks, %d errors (see above)%n", n,
              s.get("ll_fallbacks"), s.get("errors"));
        }
      }
      System.out.println(line);
    }
    Map<Integer, Row> rows = new LinkedHashMap<>();
    for (int n : all) {
      Map<String, Long> phases = child(classPath, jvmOpts, "phases", files.get(n));
      Map<String, Long> median = new LinkedHashMap<>();
      for (String key : samples.get(n).get(0).keySet()) {
        median.put(key, median(samples.get(n).stream().map(s -> s.get(key)).toList()));
      }
      for (String key : List.of("read_ms", "parse_ms", "resolve_ms")) {
        median.put(key, phases.get(key));
      }
      rows.put(n, new Row(n, Files.size(files.get(n)), median, median(process.get(n))));
    }
    System.out.println();
    System.out.println("| containers | endpoints | file | JVM start to main | parse + resolve"
        + " | JVM start to done | process CPU | whole process | LL fallbacks"
        + " | T(2N)/T(N) parse + resolve | T(2N)/T(N) CPU |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    long fallbacks = 0;
    for (int n : sizes) {
      Row row = rows.get(n);
      Row twice = rows.get(2 * n);
      double ratio = (double) twice.get("compile_ms") / Math.max(1, row.get("compile_ms"));
      double ratioCpu = (double) twice.get("cpu_ms") / Math.max(1, row.get("cpu_ms"));
      System.out.printf(Locale.ROOT, "| %,d | %,d | %.1f MB | %d ms | %d ms | %d ms | %d ms | %d ms"
              + " | %d | %.2f | %.2f |%n",
          n, row.get("endpoints"), row.bytes() / 1e6, row.get("jvm_to_main_ms"),
          row.get("compile_ms"), row.get("jvm_to_done_ms"), row.get("cpu_ms"), row.processMs(),
          row.get("ll_fallbacks"), ratio, ratioCpu);
      ok &= ratio <= TARGET_DOUBLING;
    }
    System.out.println();
    System.out.println("| containers | read | parse | resolve (one more fresh JVM, steps timed apart) |");
    System.out.println("|---:|---:|---:|---:|");
    for (int n : all) {
      Row row = rows.get(n);
      fallbacks += row.get("ll_fallbacks");
      System.out.printf(Locale.ROOT, "| %,d | %d ms | %d ms | %d ms |%n", n, row.get("read_ms"),
          row.get("parse_ms"), row.get("resolve_ms"));
    }
    System.out.println();
    Row tenK = rows.get(10_000);
    if (tenK != null) {
      boolean met = tenK.get("jvm_to_done_ms") < TARGET_10K_MS;
      System.out.printf("target: 10,000 containers parsed and resolved within %.0f ms of JVM start:"
          + " %d ms, %s%n", TARGET_10K_MS, tenK.get("jvm_to_done_ms"), met ? "met" : "MISSED");
      ok &= met;
    }
    double worst = 0;
    for (int n : sizes) {
      worst = Math.max(worst, (double) rows.get(2 * n).get("compile_ms") / Math.max(1, rows.get(n).get("compile_ms")));
    }
    System.out.printf(Locale.ROOT, "target: T(2N)/T(N) of parse + resolve at most %.1f: worst %.2f, %s%n",
        TARGET_DOUBLING, worst, worst <= TARGET_DOUBLING ? "met" : "MISSED");
    System.out.printf("target: no LL fallback: %d, %s%n", fallbacks, fallbacks == 0 ? "met" : "MISSED");
    System.out.printf("result: %s (%s; load average at the end %s)%n",
        ok ? "all targets met" : "a target was missed", LocalDate.now(), loadAverage());
    return ok ? 0 : 1;
  }

  /**
   * The class path of the measured JVMs: this one's when this class was compiled (as
   * run-parse.sh does). Run from source ({@code java -cp netc.jar ParseBenchmark.java run}), it
   * is compiled first into {@code dir}, so that compiling it does not count in the JVM's start.
   */
  private static String childClassPath(Path dir) throws IOException {
    String cp = System.getProperty("java.class.path");
    if (!ParseBenchmark.class.getClassLoader().getClass().getName().contains("MemoryClassLoader")) {
      return cp;
    }
    Path source;
    try {
      source = Path.of(ParseBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    Path classes = Files.createDirectories(dir.resolve("classes"));
    int status = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null,
        "-d", classes.toString(), "-cp", cp, source.toString());
    if (status != 0) {
      throw new IllegalStateException("cannot compile " + source);
    }
    return cp + java.io.File.pathSeparator + classes;
  }

  /** Runs one fresh JVM on this class and parses its {@code key=value} line. */
  private static Map<String, Long> child(String classPath, String jvmOpts, String mode, Path file)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(jvmOpts.trim().split("\\s+")));
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(ParseBenchmark.class.getName());
    cmd.add(mode);
    cmd.add(file.toString());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("the measured JVM failed: " + String.join(" ", cmd) + "\n" + out);
    }
    Map<String, Long> m = new LinkedHashMap<>();
    for (String kv : out.substring(out.lastIndexOf('\n') + 1).split(" ")) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
    }
    return m;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    return sorted.get(sorted.size() / 2);
  }

  /** The 1, 5 and 15 minute load averages: other work on the machine slows every figure. */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String cpuName() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no name
    }
    return System.getProperty("os.arch");
  }

  // ------------------------------------------------------------------ the generator

  /**
   * Writes realistic topologies: the containers come in application groups of 100, as a large
   * shop or platform would run them. Each group has a front network and an internal back
   * network (/24 each); 20 web containers on both, published on distinct host ports; 60 API
   * containers with 2 replicas, an alias and two exposed ports; 20 database containers with
   * static addresses; a service over the API; and policies that isolate the group and admit
   * web to API and API to database by label selectors. A group may be cut short to reach N.
   */
  static final class Generator {
    static Path write(int containers, Path file) throws IOException {
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        w.write("# generated by benchmarks/ParseBenchmark.java: " + containers + " containers\n");
        w.write("topology bench\n\n");
        int groups = (containers + 99) / 100;
        int left = containers;
        int hostPort = 20_000;
        for (int g = 0; g < groups; g++) {
          String p = "g" + g;
          int front = 2 * g;
          int back = 2 * g + 1;
          w.write("network " + p + "-front {\n  subnet " + net24(front) + ".0/24\n}\n\n");
          w.write("network " + p + "-back {\n  subnet " + net24(back) + ".0/24\n  internal\n}\n\n");
          int web = Math.min(20, left);
          int api = Math.min(60, left - web);
          int db = Math.min(20, left - web - api);
          left -= web + api + db;
          for (int i = 0; i < web; i++) {
            w.write("container " + p + "-web-" + i + " {\n"
                + "  labels app=" + p + "-web tier=front group=" + p + " env=prod\n"
                + "  attach " + p + "-front\n"
                + "  attach " + p + "-back\n"
                + "  publish " + (hostPort++) + " -> 8080/tcp\n"
                + "  expose 8080/tcp\n"
                + "}\n\n");
          }
          for (int i = 0; i < api; i++) {
            w.write("container " + p + "-api-" + i + " {\n"
                + "  replicas 2\n"
                + "  labels app=" + p + "-api tier=app group=" + p + " env=prod\n"
                + "  attach " + p + "-back { alias " + p + "-api-" + i + "-svc }\n"
                + "  expose 3000/tcp, 9090/tcp\n"
                + "}\n\n");
          }
          for (int i = 0; i < db; i++) {
            w.write("container " + p + "-db-" + i + " {\n"
                + "  labels app=" + p + "-db tier=data group=" + p + "\n"
                + "  attach " + p + "-back { ip " + net24(back) + "." + (200 + i) + " }\n"
                + "  expose 5432/tcp\n"
                + "}\n\n");
          }
          if (api > 0) {
            w.write("service " + p + "-api {\n  select app=" + p + "-api\n  port 80 -> 3000/tcp\n}\n\n");
          }
          w.write("policy " + p + "-isolate {\n  select group=" + p + "\n  isolate ingress\n}\n\n");
          w.write("policy " + p + "-web-to-api {\n  select app=" + p + "-api\n"
              + "  allow ingress from app=" + p + "-web port 3000/tcp\n}\n\n");
          w.write("policy " + p + "-api-to-db {\n  select app=" + p + "-db tier=data\n"
              + "  allow ingress from app=" + p + "-api env=prod port 5432/tcp\n}\n\n");
        }
      }
      return file;
    }

    /** The first three octets of the k-th /24 in 10.0.0.0/8. */
    private static String net24(int k) {
      return "10." + (k >> 8 & 255) + "." + (k & 255);
    }
  }
}
