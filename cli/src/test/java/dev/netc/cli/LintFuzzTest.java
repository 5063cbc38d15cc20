package dev.netc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.compiler.parse.Parse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code netc lint} survives any input: every example under {@code examples/} (recursively) is
 * mutated thousands of times (tokens deleted, duplicated, swapped; random and invalid UTF-8 bytes,
 * NUL bytes, huge numbers, 10,000-deep nesting, CR and CRLF line ends, very long lines, a 10 MB
 * file, an empty file) and linted in-process on jimfs. For every input: no exception escapes, the
 * exit status is 0 or 1, stderr is empty or one {@code netc: } line that is not an internal error,
 * stdout holds diagnostics or the clean summary, and the run ends within {@link #LIMIT_MS}. Each
 * input runs on a worker thread, so a hang fails the test instead of blocking it. The machine may
 * be shared with other work, so a run is charged its wall time or, when that is less, the CPU time
 * the JVM used meanwhile (it waited for a core); and an input over the limit is run again, best
 * of three. A real slowness is slow every time, on every clock.
 *
 * <p>The seed is fixed and printed; {@code -Dfuzz.seed=N} runs another one, {@code
 * -Dfuzz.count=N} changes the number of random mutations, {@code -Dfuzz.case=I} runs only case
 * {@code I} of a seed (each case has its own generator, so it is built alone), and {@code
 * -Dfuzz.limit.ms=T} changes the time limit. The 10 MB inputs take 1.2-2 s of CPU each on this
 * project's 2-core machine, up to 2.9 s on a busy one: the closest to the limit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LintFuzzTest {
  private static final long DEFAULT_SEED = 0x6e657463L; // "netc"
  private static final int DEFAULT_COUNT = 2_000;
  /**
   * The time one lint may take, JVM warmed up: 6 s, three times the slowest input's 2 s of CPU on
   * the 2-core reference machine. It is a bound that catches what grows out of proportion (a
   * quadratic pass over a 10 MB file takes minutes), not a speed target: the process's CPU time
   * counts the JIT and the collector too, and on a machine shared with other builds a 10 MB
   * input measured 2.2-2.9 s of it (the benchmarks under benchmarks/ measure speed).
   */
  private static final long LIMIT_MS = Long.getLong("fuzz.limit.ms", 6_000);
  /** A run without a result after this long is a hang; its thread is abandoned. */
  private static final long HANG_MS = 30_000;
  private static final int DEPTH = 10_000;
  private static final int TEN_MB = 10 * 1024 * 1024;
  /** After this many failures (or 3 hangs, whose threads keep running) the test stops early. */
  private static final int MAX_FAILURES = 20;

  private static final Pattern TOKEN = Pattern.compile("\\s+|\\w+|[^\\w\\s]");
  private static final Pattern SUMMARY = Pattern.compile(
      "netc: (no problems|\\d+ (error|warning|note)s?(, \\d+ (warning|note)s?)*) in \\d+ files?"
          + "( \\(\\d+ suppressed\\))?");
  private static final String[] HUGE = {
    "99999999999999999999", "18446744073709551616", "9223372036854775808", "4294967296",
    "2147483648", "65536", "-1", "0", "00000000000000000000000000080", "1e999", "0x7fffffff",
    "999999999999999999999999999999999999999999999999999999999999", "NaN", "-0",
    "999.999.999.999/99", "10.0.0.0/4294967296", "1.2.3.4.5/33", "::ffff:999.1.1.1", "ffff::/129",
    "1-99999999999999999999", "99999999999999999999-1", "0-0", "127.0.0.1:99999999999999999999",
  };
  private static final byte[][] BAD_UTF8 = {
    {(byte) 0xff}, {(byte) 0xc3, 0x28}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe2, (byte) 0x82},
    {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    {(byte) 0x80}, {(byte) 0xf0, (byte) 0x9f, (byte) 0x98},
  };
  /** Valid but unusual characters: a BOM, a non-BMP emoji, a bidi override, NBSP. */
  private static final String[] ODD_TEXT = {"\ufeff", "\ud83d\ude00", "\u202e", "\u00a0", "\t", "\f"};

  private final List<Example> examples = loadExamples();
  private final ObjectMapper json = new ObjectMapper();
  private FileSystem fs;
  private ExecutorService worker;

  /** One example: where it lies under {@code examples/}, and its bytes. */
  record Example(String relative, byte[] bytes) {
    String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** One fuzz input: its number, what it was made from and how. */
  record Case(int index, Example example, String mutation, byte[] input) {}

  /** What one lint run did; {@code times} lists every run's time when it was run again. */
  record Outcome(int status, String out, String err, long millis, long cpuMillis,
      Throwable escaped, boolean hung, List<String> times) {
    Outcome withTimes(List<String> all) {
      return new Outcome(status, out, err, millis, cpuMillis, escaped, hung, List.copyOf(all));
    }

    /**
     * How long the run took for its own work: its wall time, unless the process used less CPU
     * than that (it waited for a core that other work on the machine held).
     */
    long cost() {
      return Math.min(millis, cpuMillis);
    }

    String time() {
      return millis + " ms (" + cpuMillis + " ms of CPU)";
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    fs = Jimfs.newFileSystem(Configuration.unix());
    for (Example e : examples) {
      Path p = fs.getPath("/examples").resolve(e.relative());
      Files.createDirectories(p.getParent());
      Files.write(p, e.bytes());
    }
    worker = newWorker();
  }

  @AfterEach
  void tearDown() throws IOException {
    worker.shutdownNow();
    fs.close();
  }

  // ------------------------------------------------------------------ tests

  @Test
  @Order(1)
  void lintSurvivesMutatedExamples() {
    long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
    int count = Integer.getInteger("fuzz.count", DEFAULT_COUNT);
    Integer only = Integer.getInteger("fuzz.case");
    System.out.printf("LintFuzzTest: seed %d (rerun with -Dfuzz.seed=%d), %d examples, %d random"
        + " mutations%n", seed, seed, examples.size(), count);
    warmUp();
    List<Function<Integer, Case>> plan = plan(seed, count);
    List<String> failures = new ArrayList<>();
    int hangs = 0;
    int stoppedAt = -1;
    long slowest = 0;
    String slowestCase = "";
    long start = System.nanoTime();
    for (int i = 0; i < plan.size(); i++) {
      if (only != null && only != i) {
        continue;
      }
      Case c = plan.get(i).apply(i);
      String format = i % 4 == 3 ? List.of("json", "sarif", "github").get((i / 4) % 3) : "text";
      Outcome o = lintTimed(c, format);
      List<String> problems = check(o, format);
      if (o.cost() > slowest) {
        slowest = o.cost();
        slowestCase = "#" + i + " " + c.mutation() + ": " + o.time();
      }
      if (!problems.isEmpty()) {
        failures.add(report(seed, c, format, o, problems));
        hangs += o.hung() ? 1 : 0;
        if (failures.size() >= MAX_FAILURES || hangs >= 3) {
          stoppedAt = i;
          break;
        }
      }
    }
    System.out.printf("LintFuzzTest: %d inputs in %d ms; slowest %s%n", plan.size(),
        (System.nanoTime() - start) / 1_000_000, slowestCase);
    if (!failures.isEmpty()) {
      fail(failures.size() + " failing inputs (seed " + seed + ")"
          + (stoppedAt >= 0 ? ", stopped at case #" + stoppedAt + " of " + plan.size() : "")
          + ":\n\n" + String.join("\n\n", failures));
    }
  }

  /**
   * Inputs that once broke lint, kept so the bug stays fixed. Each is linted and checked like a
   * fuzz input.
   */
  @Test
  @Order(2)
  void regressions() {
    warmUp();
    List<String> failures = new ArrayList<>();
    for (Case c : regressionCases()) {
      Outcome o = lintTimed(c, "text");
      List<String> problems = check(o, "text");
      if (!problems.isEmpty()) {
        failures.add(report(null, c, "text", o, problems));
      }
    }
    if (!failures.isEmpty()) {
      fail(String.join("\n\n", failures));
    }
  }

  /** The parser tries ANTLR's fast SLL mode first; no valid input may need the LL stage. */
  @Test
  @Order(3)
  void examplesNeverNeedTheLlStage() {
    List<String> needed = new ArrayList<>();
    for (Example e : examples) {
      long before = Parse.llFallbacks();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int status = Netc.run(new String[] {"lint", "/examples/" + e.relative()},
          new Netc.Context(fs, new PrintWriter(out), new PrintWriter(err), Terminal.NONE));
      assertEquals("", err.toString(), e.relative());
      assertTrue(status == 0 || status == 1, e.relative() + ": exit status " + status);
      if (Parse.llFallbacks() != before) {
        needed.add(e.relative() + " (" + (Parse.llFallbacks() - before) + " fallbacks)\n" + out);
      }
    }
    if (!needed.isEmpty()) {
      fail("examples that needed ANTLR's LL stage: " + String.join("\n", needed));
    }
  }

  // ------------------------------------------------------------------ the plan of inputs

  /**
   * Every case, as a function of its index so that one case can be built alone: the random
   * mutations round robin over the examples, then the fixed mutations of every example, the
   * megabyte ones once each, then inputs of no example and the 10 MB ones (last, so that the JIT
   * has warmed up).
   */
  private List<Function<Integer, Case>> plan(long seed, int count) {
    List<Function<Integer, Case>> plan = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      Example e = examples.get(n % examples.size());
      plan.add(i -> randomCase(i, e, new Random(mix(seed, i))));
    }
    for (Example e : examples) {
      for (Fixed f : Fixed.values()) {
        if (!f.heavy) {
          plan.add(i -> new Case(i, e, f.name(), f.make(e.text(), new Random(mix(seed, i)))));
        }
      }
    }
    // Megabyte inputs take a good part of a second each: once each, on examples in turn.
    for (Fixed f : Fixed.values()) {
      if (f.heavy) {
        Example e = examples.get(Math.floorMod(f.ordinal() + seed, examples.size()));
        plan.add(i -> new Case(i, e, f.name(), f.make(e.text(), new Random(mix(seed, i)))));
      }
    }
    Example none = new Example("(none)", new byte[0]);
    plan.add(i -> new Case(i, none, "EMPTY", new byte[0]));
    plan.add(i -> new Case(i, none, "ONLY_BLANK_LINES", "\n\r\n\r \t\n".repeat(1000).getBytes(StandardCharsets.UTF_8)));
    plan.add(i -> new Case(i, none, "ONLY_A_BOM", "\ufeff".getBytes(StandardCharsets.UTF_8)));
    plan.add(i -> {
      Example e = examples.get(new Random(mix(seed, i)).nextInt(examples.size()));
      return new Case(i, e, "TEN_MB_WHOLE_COPIES", tenMegabytes(e.text(), true));
    });
    plan.add(i -> {
      Example e = examples.get(new Random(mix(seed, i)).nextInt(examples.size()));
      return new Case(i, e, "TEN_MB_CUT_ANYWHERE", tenMegabytes(e.text(), false));
    });
    return plan;
  }

  private static long mix(long seed, int index) {
    long z = seed + 0x9e3779b97f4a7c15L * (index + 1);
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** One to three random mutations, applied in turn. */
  private Case randomCase(int index, Example e, Random rnd) {
    String text = e.text();
    byte[] bytes = null;
    List<String> done = new ArrayList<>();
    int n = 1 + rnd.nextInt(3);
    for (int k = 0; k < n; k++) {
      int kind = rnd.nextInt(12);
      if (bytes != null && kind < 9) {
        kind = 9 + rnd.nextInt(3); // once bytes are raw, only byte-level mutations apply
      }
      List<String> t = bytes == null ? tokens(text) : null;
      if (t != null && t.size() < 2) {
        t.add(" ");
      }
      switch (kind) {
        case 0 -> {
          int at = word(t, rnd);
          done.add("delete token " + show(t.get(at)) + " at " + at);
          t.remove(at);
        }
        case 1 -> {
          int at = word(t, rnd);
          done.add("duplicate token " + show(t.get(at)) + " at " + at);
          t.add(at, t.get(at));
        }
        case 2 -> {
          int a = word(t, rnd);
          int b = rnd.nextBoolean() ? word(t, rnd) : nextWord(t, a);
          done.add("swap tokens " + show(t.get(a)) + " at " + a + " and " + show(t.get(b)) + " at " + b);
          String x = t.get(a);
          t.set(a, t.get(b));
          t.set(b, x);
        }
        case 3 -> {
          int at = word(t, rnd);
          String tok = vocabulary(rnd);
          done.add("insert token " + show(tok) + " at " + at);
          t.add(at, rnd.nextBoolean() ? " " + tok + " " : tok);
        }
        case 4 -> {
          int at = numberOrWord(t, rnd);
          String huge = HUGE[rnd.nextInt(HUGE.length)];
          done.add("replace " + show(t.get(at)) + " at " + at + " with " + huge);
          t.set(at, huge);
        }
        case 5 -> {
          int at = rnd.nextInt(t.size() + 1);
          char open = rnd.nextBoolean() ? '{' : '(';
          boolean closed = rnd.nextInt(4) == 0;
          done.add(DEPTH + " x `" + open + "`" + (closed ? " balanced" : "") + " at token " + at);
          String deep = String.valueOf(open).repeat(DEPTH)
              + (closed ? String.valueOf(open == '{' ? '}' : ')').repeat(DEPTH) : "");
          t.add(Math.min(at, t.size()), deep);
        }
        case 6 -> {
          String eol = rnd.nextBoolean() ? "\r\n" : "\r";
          done.add("line ends " + (eol.length() == 2 ? "CRLF" : "CR"));
          t.replaceAll(s -> s.replace("\n", eol));
        }
        case 7 -> {
          int at = rnd.nextInt(t.size() + 1);
          int len = 1_000 + rnd.nextInt(100_000);
          String what = List.of("word", "comment", "string", "labels").get(rnd.nextInt(4));
          done.add("long line (" + what + ", " + len + " chars) at token " + at);
          t.add(Math.min(at, t.size()), longLine(what, len));
        }
        case 8 -> {
          int at = rnd.nextInt(t.size() + 1);
          String odd = ODD_TEXT[rnd.nextInt(ODD_TEXT.length)];
          done.add("insert " + show(odd) + " at token " + at);
          t.add(Math.min(at, t.size()), odd);
        }
        default -> {
          // byte-level: random bytes, invalid UTF-8, NUL, truncation
          byte[] b = bytes == null ? join(t).getBytes(StandardCharsets.UTF_8) : bytes;
          int at = rnd.nextInt(b.length + 1);
          byte[] ins;
          String what;
          switch (kind) {
            case 9 -> {
              ins = new byte[1 + rnd.nextInt(8)];
              rnd.nextBytes(ins);
              what = "random bytes";
            }
            case 10 -> {
              ins = rnd.nextBoolean() ? BAD_UTF8[rnd.nextInt(BAD_UTF8.length)] : new byte[] {0};
              what = ins.length == 1 && ins[0] == 0 ? "a NUL byte" : "invalid UTF-8";
            }
            default -> {
              ins = null;
              what = "truncate";
            }
          }
          if (ins == null) {
            done.add("truncate at byte " + at);
            bytes = java.util.Arrays.copyOf(b, at);
          } else {
            done.add("insert " + what + " " + hex(ins) + " at byte " + at);
            ByteArrayOutputStream o = new ByteArrayOutputStream(b.length + ins.length);
            o.write(b, 0, at);
            o.write(ins, 0, ins.length);
            o.write(b, at, b.length - at);
            bytes = o.toByteArray();
          }
          continue;
        }
      }
      text = join(t);
    }
    byte[] input = bytes != null ? bytes : text.getBytes(StandardCharsets.UTF_8);
    return new Case(index, e, String.join("; ", done), input);
  }

  /** The mutations every example gets once. */
  private enum Fixed {
    UNCHANGED {
      @Override
      String text(String s, Random r) {
        return s;
      }
    },
    DEEP_BRACES_AT_START {
      @Override
      String text(String s, Random r) {
        return "{".repeat(DEPTH) + "\n" + s;
      }
    },
    DEEP_BRACES_IN_CONTAINER {
      @Override
      String text(String s, Random r) {
        return s + "\ncontainer deep " + "{".repeat(DEPTH) + "\n";
      }
    },
    DEEP_BALANCED_BRACES {
      @Override
      String text(String s, Random r) {
        return s + "\nnetwork deep " + "{".repeat(DEPTH) + "}".repeat(DEPTH) + "\n";
      }
    },
    DEEP_PARENS_IN_SELECTOR {
      @Override
      String text(String s, Random r) {
        return s + "\npolicy deep {\n  select app in " + "(".repeat(DEPTH) + "x\n}\n";
      }
    },
    DEEP_BALANCED_PARENS {
      @Override
      String text(String s, Random r) {
        return s + "\npolicy deep {\n  select app in " + "(".repeat(DEPTH) + "x"
            + ")".repeat(DEPTH) + "\n}\n";
      }
    },
    EVERY_NUMBER_HUGE {
      @Override
      String text(String s, Random r) {
        return s.replaceAll("\\d+", "99999999999999999999");
      }
    },
    CRLF {
      @Override
      String text(String s, Random r) {
        return s.replace("\n", "\r\n");
      }
    },
    CR {
      @Override
      String text(String s, Random r) {
        return s.replace("\n", "\r");
      }
    },
    MIXED_LINE_ENDS {
      @Override
      String text(String s, Random r) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
          sb.append(c == '\n' ? List.of("\n", "\r\n", "\r", "\n\r").get(r.nextInt(4)) : String.valueOf(c));
        }
        return sb.toString();
      }
    },
    NO_FINAL_NEWLINE {
      @Override
      String text(String s, Random r) {
        return s.stripTrailing();
      }
    },
    ONE_LINE_WITH_SEMICOLONS {
      @Override
      String text(String s, Random r) {
        return s.replaceAll("#[^\n]*", "").replace("\n", "; ");
      }
    },
    LONG_COMMENT_LINE(true) {
      @Override
      String text(String s, Random r) {
        return "# " + "x".repeat(1_000_000) + "\n" + s;
      }
    },
    LONG_WORD(true) {
      @Override
      String text(String s, Random r) {
        return s + "\nnetwork " + "n".repeat(1_000_000) + "\n";
      }
    },
    LONG_STRING(true) {
      @Override
      String text(String s, Random r) {
        return s + "\ncontainer \"" + "s".repeat(1_000_000) + "\"\n";
      }
    },
    LONG_UNTERMINATED_STRING(true) {
      @Override
      String text(String s, Random r) {
        return s + "\ncontainer \"" + "s".repeat(1_000_000) + "\n";
      }
    },
    MANY_LABELS_ON_ONE_LINE(true) {
      @Override
      String text(String s, Random r) {
        return s + "\ncontainer many {\n  " + longLine("labels", 1_000_000) + "\n}\n";
      }
    },
    MANY_INVALID_CHARACTERS {
      @Override
      String text(String s, Random r) {
        return s + "\n" + "\u00e9$%^&*~`'|\\<?".repeat(10_000) + "\n";
      }
    },
    SUPPRESSION_BEFORE_EVERY_LINE {
      @Override
      String text(String s, Random r) {
        String[] codes = {"NETC113", "NETC112", "NETC101", "NETC999", ""};
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n", -1)) {
          if (!line.isBlank()) {
            String code = codes[r.nextInt(codes.length)];
            sb.append("# netc:ignore ").append(code).append(r.nextBoolean() ? " \"fuzz\"" : "")
                .append('\n');
          }
          sb.append(line).append(r.nextInt(4) == 0 ? " # netc:ignore NETC113 \"trailing\"" : "")
              .append('\n');
        }
        return sb.toString();
      }
    },
    NUL_IN_THE_MIDDLE {
      @Override
      byte[] make(String s, Random r) {
        return insert(s.getBytes(StandardCharsets.UTF_8), r, new byte[] {0});
      }
    },
    INVALID_UTF8_IN_THE_MIDDLE {
      @Override
      byte[] make(String s, Random r) {
        return insert(s.getBytes(StandardCharsets.UTF_8), r, BAD_UTF8[r.nextInt(BAD_UTF8.length)]);
      }
    },
    LATIN1_ENCODED {
      @Override
      byte[] make(String s, Random r) {
        return ("# caf\u00e9\n" + s).getBytes(StandardCharsets.ISO_8859_1);
      }
    },
    UTF16_ENCODED {
      @Override
      byte[] make(String s, Random r) {
        return s.getBytes(StandardCharsets.UTF_16);
      }
    };

    /** Whether the input is a megabyte or more: such a mutation is applied to one example only. */
    final boolean heavy;

    Fixed() {
      this(false);
    }

    Fixed(boolean heavy) {
      this.heavy = heavy;
    }

    String text(String s, Random r) {
      throw new UnsupportedOperationException();
    }

    byte[] make(String s, Random r) {
      return text(s, r).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] insert(byte[] b, Random r, byte[] ins) {
      int at = r.nextInt(b.length + 1);
      byte[] out = new byte[b.length + ins.length];
      System.arraycopy(b, 0, out, 0, at);
      System.arraycopy(ins, 0, out, at, ins.length);
      System.arraycopy(b, at, out, at + ins.length, b.length - at);
      return out;
    }
  }

  /**
   * The topology the regression cases are made from: examples/webshop.netc as it was when they
   * failed (a copy, since the examples may change).
   */
  private static final String REGRESSION_BASE = """
      # webshop.netc: a three-tier web shop on two networks, with least-privilege policies.
      #
      # The web tier is published on the host's loopback; the API and the database
      # sit on an internal network that has no route to the outside. Every endpoint
      # is isolated, and three rules admit exactly the flows the shop needs.
      topology webshop

      network front {
        driver bridge                 # bridge | overlay | macvlan; default bridge
        subnet 10.10.0.0/24
        gateway 10.10.0.1             # default: first usable address
      }

      network back {
        subnet 10.20.0.0/24
        internal                      # no route or NAT to the outside
      }

      container web {
        labels app=web tier=front
        attach front { ip 10.10.0.10 }
        attach back                   # address from the network's pool
        publish 127.0.0.1:8080 -> 80/tcp
      }

      container api {
        replicas 2                    # api-1, api-2
        labels app=api
        attach back
        expose 3000/tcp
      }

      container db {
        labels app=db
        attach back
        expose 5432/tcp
      }

      policy isolate-all {
        select all
        isolate ingress
      }

      policy web-to-api {
        select app=api
        allow ingress from app=web port 3000/tcp
      }

      policy api-to-db {
        select app=db
        allow ingress from app=api port 5432/tcp
      }
      """;

  /** Inputs that once broke lint (see {@link #regressions()}). */
  private static List<Case> regressionCases() {
    Example e = new Example("(regression)", REGRESSION_BASE.getBytes(StandardCharsets.UTF_8));
    List<Case> out = new ArrayList<>();
    // 87,450 duplicate declarations: Diagnostics.errorCount() was quadratic (20 s), and printing
    // every diagnostic took seconds more.
    out.add(new Case(0, e, "TEN_MB_WHOLE_COPIES", tenMegabytes(e.text(), true)));
    // One syntax error at the very end of 10 MB: the LL stage parsed the whole file again.
    out.add(new Case(1, e, "TEN_MB_CUT_ANYWHERE", tenMegabytes(e.text(), false)));
    // 249,999 diagnostics on one 1 MB line: each caret snippet copied and walked the whole line
    // (3 minutes).
    out.add(new Case(2, e, "MANY_LABELS_ON_ONE_LINE", Fixed.MANY_LABELS_ON_ONE_LINE.make(e.text(), null)));
    // Syntax errors inside a top-level item after others: the item "exits" while the SLL bail
    // strategy's exception unwinds it, and building its AST then failed (internal errors).
    String items = "topology t\nnetwork n\ncontainer a {\n  attach n\n}\n";
    out.add(new Case(3, e, "missing `=` in labels", (items + "container b {\n  labels app db\n}\n")
        .getBytes(StandardCharsets.UTF_8)));
    out.add(new Case(4, e, "keyword as a label key", (items + "container b {\n  labels to=db\n}\n")
        .getBytes(StandardCharsets.UTF_8)));
    out.add(new Case(5, e, "selector without a key", (items + "policy p {\n  select =db\n}\n")
        .getBytes(StandardCharsets.UTF_8)));
    // Suppressions: every suppression collected every block of the file again (17 s for 4 MB),
    // and every warning was tried against every suppression (4 s for 8,000 of each).
    String suppressed = REGRESSION_BASE
        + "\n# netc:ignore NETC113 \"kept for later\"\nnetwork spare {\n  subnet 10.99.0.0/24\n}\n";
    out.add(new Case(6, e, "TEN_MB_WHOLE_COPIES with a suppression", tenMegabytes(suppressed, true)));
    StringBuilder warnings = new StringBuilder("topology many\n");
    for (int i = 0; i < 8_000; i++) {
      String net = (i >> 8) + "." + (i & 255);
      warnings.append("network n").append(i).append(" {\n  subnet 10.").append(net).append(".0/24\n}\n")
          .append("# netc:ignore NETC113 \"spare ").append(i).append("\"\nnetwork s").append(i)
          .append(" {\n  subnet 11.").append(net).append(".0/24\n}\n");
    }
    out.add(new Case(7, e, "8,000 warnings and 8,000 suppressions",
        warnings.toString().getBytes(StandardCharsets.UTF_8)));
    return out;
  }

  /**
   * An example repeated to 10 MB: whole copies (syntax fine, every name declared thousands of
   * times) or cut at exactly 10 MB, wherever that falls.
   */
  private static byte[] tenMegabytes(String text, boolean whole) {
    byte[] one = text.endsWith("\n") ? text.getBytes(StandardCharsets.UTF_8)
        : (text + "\n").getBytes(StandardCharsets.UTF_8);
    int copies = Math.max(1, TEN_MB / Math.max(1, one.length) + (whole ? 1 : 2));
    byte[] out = new byte[whole ? copies * one.length : TEN_MB];
    for (int at = 0; at < out.length; at += one.length) {
      System.arraycopy(one, 0, out, at, Math.min(one.length, out.length - at));
    }
    return out;
  }

  private static String longLine(String what, int len) {
    return switch (what) {
      case "word" -> "w".repeat(len);
      case "comment" -> "# " + "c".repeat(len);
      case "string" -> "\"" + "s".repeat(len) + "\"";
      default -> "labels " + "k=v ".repeat(len / 4);
    };
  }

  // ------------------------------------------------------------------ tokens

  /** The text split on whitespace and punctuation; joining the pieces gives the text back. */
  private static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    if (out.isEmpty()) {
      out.add(text);
    }
    return out;
  }

  private static String join(List<String> tokens) {
    return String.join("", tokens);
  }

  /** A random piece that is not whitespace (any piece when there is none). */
  private static int word(List<String> t, Random rnd) {
    for (int tries = 0; tries < 20; tries++) {
      int i = rnd.nextInt(t.size());
      if (!t.get(i).isBlank()) {
        return i;
      }
    }
    return rnd.nextInt(t.size());
  }

  private static int nextWord(List<String> t, int from) {
    for (int i = from + 1; i < t.size(); i++) {
      if (!t.get(i).isBlank()) {
        return i;
      }
    }
    return from;
  }

  /** A piece made of digits if one is found quickly, else any word. */
  private static int numberOrWord(List<String> t, Random rnd) {
    for (int tries = 0; tries < 30; tries++) {
      int i = rnd.nextInt(t.size());
      if (t.get(i).matches("\\d+")) {
        return i;
      }
    }
    return word(t, rnd);
  }

  private String vocabulary(Random rnd) {
    List<String> words = List.of("topology", "import", "host", "network", "container", "pod",
        "service", "policy", "namespace", "labels", "attach", "publish", "expose", "replicas",
        "select", "allow", "deny", "ingress", "egress", "from", "to", "all", "in", "notin",
        "port", "ports", "cidr", "except", "ip", "alias", "{", "}", "(", ")", ",", ";", "=", "!=",
        "!", "->", "@host", "@outside", "\"", "\"x\"", "#", "# netc:ignore NETC101 \"why\"",
        "import \"missing.netc\"", "import \"/\"", "import \"\"", "\n", "-", ">", "0.0.0.0/0",
        "::/0", "10.0.0.0/8", "1-65535", "80/tcp", "53/udp", "1/sctp", "a=b", "driver overlay",
        "driver macvlan", "mode host", "mode none", "internal", "on", "weight", "node-port");
    if (rnd.nextInt(3) == 0) {
      // a piece of an example: words that exist in real topologies
      Example e = examples.get(rnd.nextInt(examples.size()));
      List<String> t = tokens(e.text());
      return t.get(word(t, rnd));
    }
    return words.get(rnd.nextInt(words.size()));
  }

  // ------------------------------------------------------------------ running and checking

  /**
   * Lints {@code c}, and again (up to three runs in all) while it costs more than the limit: the
   * machine may be shared with other work, and a real slowness or hang is slow every time. The
   * outcome is the cheapest run's, with every run's time in its list.
   */
  private Outcome lintTimed(Case c, String format) {
    if (c.input().length >= 1 << 20) {
      System.gc(); // not to charge a large input with collecting the garbage of the ones before
    }
    Outcome best = lint(c, format);
    List<String> times = new ArrayList<>(List.of(best.time()));
    while ((best.hung() || best.cost() > LIMIT_MS) && times.size() < 3) {
      System.gc();
      Outcome again = lint(c, format);
      times.add(again.time());
      if (!again.hung() && (best.hung() || again.cost() < best.cost())) {
        best = again;
      }
    }
    return times.size() == 1 ? best : best.withTimes(times);
  }

  private static long processCpuMillis() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1_000_000;
  }

  /** Lints {@code c}'s input on jimfs, beside its example so relative imports still resolve. */
  private Outcome lint(Case c, String format) {
    Path dir = fs.getPath("/examples").resolve(c.example().relative()).getParent();
    if (dir == null || c.example().relative().startsWith("(")) {
      dir = fs.getPath("/examples");
    }
    Path file = dir.resolve("fuzz-input.netc");
    try {
      Files.write(file, c.input());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Netc.Context ctx = new Netc.Context(fs, new PrintWriter(out), new PrintWriter(err), Terminal.NONE);
    String[] args = {"lint", "--format", format, file.toString()};
    long start = System.nanoTime();
    long cpu = processCpuMillis();
    Future<Integer> run = worker.submit(() -> Netc.run(args, ctx));
    try {
      int status;
      try {
        status = run.get(LIMIT_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException late) {
        // Over the limit already; let it finish (to say how slow, and so that its thread does not
        // slow the next inputs down), unless it is a hang.
        status = run.get(HANG_MS - LIMIT_MS, TimeUnit.MILLISECONDS);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      return new Outcome(status, out.toString(), err.toString(), ms, processCpuMillis() - cpu,
          null, false, List.of());
    } catch (TimeoutException hang) {
      run.cancel(true);
      worker.shutdownNow(); // the stuck thread is a daemon; the next input gets a fresh one
      worker = newWorker();
      long ms = (System.nanoTime() - start) / 1_000_000;
      return new Outcome(-1, "", "", ms, processCpuMillis() - cpu, null, true, List.of());
    } catch (ExecutionException e) {
      long ms = (System.nanoTime() - start) / 1_000_000;
      return new Outcome(-1, out.toString(), err.toString(), ms, processCpuMillis() - cpu,
          e.getCause(), false, List.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private List<String> check(Outcome o, String format) {
    List<String> problems = new ArrayList<>();
    if (o.hung()) {
      problems.add("no result after " + o.millis() + " ms: a hang" + runs(o));
      return problems;
    }
    if (o.escaped() != null) {
      StringWriter trace = new StringWriter();
      o.escaped().printStackTrace(new PrintWriter(trace));
      problems.add("an exception escaped: " + trace);
      return problems;
    }
    if (o.cost() > LIMIT_MS) {
      problems.add("took " + o.time() + ", limit " + LIMIT_MS + " ms" + runs(o));
    }
    if (o.status() != 0 && o.status() != 1) {
      problems.add("exit status " + o.status());
    }
    String err = o.err();
    if (!err.isEmpty()) {
      String line = err.endsWith("\n") ? err.substring(0, err.length() - 1) : err;
      if (line.contains("\n") || !line.startsWith("netc: ") || line.contains("internal error")) {
        problems.add("stderr is not one `netc: ` line: " + abbreviate(err, 2_000));
      }
    }
    String out = o.out();
    switch (format) {
      case "text" -> {
        String last = lastLine(out);
        if (!SUMMARY.matcher(last).matches()) {
          problems.add("stdout does not end with the summary: " + abbreviate(last, 300));
        }
        boolean shownError = out.contains("\nerror[NETC") || out.startsWith("error[NETC");
        if (err.isEmpty() && shownError != (o.status() == 1)) {
          problems.add("exit status " + o.status() + " but " + (shownError ? "an" : "no") + " error shown");
        }
      }
      case "json", "sarif" -> {
        try {
          JsonNode root = json.readTree(out);
          JsonNode list = format.equals("json") ? root.path("diagnostics") : root.path("runs").path(0).path("results");
          if (!list.isArray()) {
            problems.add("stdout has no diagnostics array: " + abbreviate(out, 300));
          } else if (err.isEmpty() && o.status() == 1 && list.isEmpty()) {
            problems.add("exit status 1 but no diagnostic in stdout");
          }
        } catch (IOException e) {
          problems.add("stdout is not JSON (" + e.getMessage() + "): " + abbreviate(out, 300));
        }
      }
      default -> {
        for (String line : out.split("\n", -1)) {
          if (!line.isEmpty() && !line.startsWith("::")) {
            problems.add("a github line is not a workflow command: " + abbreviate(line, 300));
            break;
          }
        }
        if (err.isEmpty() && o.status() == 1 && !out.contains("::error ")) {
          problems.add("exit status 1 but no ::error line");
        }
      }
    }
    return problems;
  }

  private static String runs(Outcome o) {
    return o.times().isEmpty() ? "" : "; the runs took " + String.join(", ", o.times());
  }

  /** A failure: what to rerun ({@code seed} null for a regression case), the input, the problems. */
  private static String report(Long seed, Case c, String format, Outcome o, List<String> problems) {
    byte[] head = java.util.Arrays.copyOf(c.input(), Math.min(200, c.input().length));
    return (seed == null ? "regression case #" + c.index()
            : "case #" + c.index() + " (seed " + seed + ", rerun alone with -Dfuzz.seed=" + seed
                + " -Dfuzz.case=" + c.index() + ")") + "\n"
        + "  example:  " + c.example().relative() + "\n"
        + "  mutation: " + abbreviate(c.mutation(), 500) + "\n"
        + "  lint --format " + format + ", " + c.input().length + " bytes, status " + o.status()
        + ", " + o.time() + "\n"
        + "  first 200 bytes: " + escape(head) + "\n"
        + "  problems:\n    - " + String.join("\n    - ", problems) + "\n"
        + "  stderr: " + abbreviate(o.err(), 500);
  }

  private static boolean warmedUp;

  /**
   * Runs lint until the JIT has compiled the lexer, parser and resolver, once per JVM: the limit
   * is for a warmed-up JVM (a cold one spends a second compiling), and the 10 MB inputs come
   * first in {@link #regressions()}.
   */
  private void warmUp() {
    if (warmedUp) {
      return;
    }
    Example e = examples.get(0);
    byte[] megabyte = java.util.Arrays.copyOf(tenMegabytes(e.text(), true), 1 << 20);
    for (int round = 0; round < 12; round++) {
      for (Example x : examples) {
        lint(new Case(-1, x, "warm-up", x.bytes()), "text");
      }
      lint(new Case(-1, e, "warm-up, 1 MB", megabyte), round % 2 == 0 ? "text" : "json");
    }
    warmedUp = true;
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "lint-fuzz-worker");
      t.setDaemon(true);
      return t;
    });
  }

  // ------------------------------------------------------------------ examples and text helpers

  private static List<Example> loadExamples() {
    Path root = Path.of(System.getProperty("netc.root", "..")).resolve("examples");
    List<Example> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".netc") && Files.isRegularFile(f))
          .sorted().toList()) {
        out.add(new Example(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the examples in " + root, e);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("no .netc examples under " + root);
    }
    return out;
  }

  private static String lastLine(String s) {
    String t = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    return t.substring(t.lastIndexOf('\n') + 1);
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "... (" + s.length() + " chars)";
  }

  private static String show(String token) {
    return "`" + escape(token.getBytes(StandardCharsets.UTF_8)) + "`";
  }

  private static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }

  /** Printable ASCII as is; newlines, tabs and every other byte escaped (at most ~2,000 chars). */
  private static String escape(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length && sb.length() < 2_000; i++) {
      int c = b[i] & 0xff;
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\\' -> sb.append("\\\\");
        default -> sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
      }
    }
    return sb.toString();
  }
}
