package dev.netc.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.netc.backends.compose.ComposeExport;
import dev.netc.backends.k8s.K8sExport;
import dev.netc.backends.plan.Planner;
import dev.netc.backends.report.DiagnosticReport;
import dev.netc.compiler.CompileResult;
import dev.netc.compiler.Compiler;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.ir.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The examples of {@code docs/diagnostics.md} show what netc really prints.
 *
 * <p>For every {@code ## NETCxxx} section: the failing example (the code blocks from the paragraph
 * that starts with "Failing" up to the first {@code ```text} block) is compiled the way its output
 * was produced, {@code netc lint} for the compiler's codes, {@code netc emit --backend k8s} or
 * {@code compose} for {@code NETC501}-{@code NETC516}, {@code netc emit --backend ip|nft} (the
 * {@link Planner}) for {@code NETC52x}, and the diagnostics are rendered as the CLI prints them.
 * The documented block must equal that output, trimmed as "Reading the examples" in the doc
 * says: to the diagnostics of the section's code, the summary line kept only when nothing was
 * trimmed. Every later pair of code blocks and {@code ```text} block in the section (a second
 * failing example, a suppressed variant) is checked the same way, on its own. The fixed example
 * (the block after the paragraph that starts with "Fixed", and the blocks right after it that
 * name another file) must compile without errors and without an unsuppressed diagnostic of the
 * section's code.
 *
 * <p>Files: a block is {@code input.netc} ({@code ```netc}) or {@code input.yaml} ({@code
 * ```yaml}) unless the prose just before it names a file in backticks ({@code `common.netc`},
 * {@code `input.lock`}); the fixed example's files replace those of the failing example, the
 * others are kept ("{@code input.netc} unchanged"). The root is {@code input.netc}, or {@code
 * input.yaml} without one. {@code --locked} and {@code --sandbox NAME} in the prose before an
 * example (for the first, the section's introduction included) apply to it and to the examples
 * after it, as on the command line; the fixed example is {@code --locked} when its own prose says
 * so.
 *
 * <p>When an output differs, {@code backends/target/diagnostics-doc/} gets {@code NETCxxx-N.doc.txt}
 * (the documented block), {@code .actual.txt} (what it should be) and {@code .full.txt} (the
 * untrimmed output), to diff.
 */
class DiagnosticsDocTest {
  static final Path DOC = GoldenTest.ROOT.resolve("docs/diagnostics.md");

  /**
   * Sections whose failing example is not compared with its output, and why. Keep it short: an
   * example that cannot be checked is an example that can go stale.
   */
  static final Map<String, String> NOT_CHECKED = Map.of();

  /**
   * Sections whose output block shows the last N diagnostics and the summary line, instead of
   * the diagnostics of the section's code: NETC005's example has 50 syntax errors before its note.
   */
  static final Map<String, Integer> TAIL = Map.of("NETC005", 2);

  /**
   * NETC004's failing file is described, not shown: the block is the text an editor displays of
   * a file saved as Latin-1, so it is written in ISO-8859-1 (its `é` is the byte 0xe9).
   */
  static final Set<String> LATIN1 = Set.of("NETC004");

  private static final Pattern FILE = Pattern.compile("`([A-Za-z0-9_.-]+\\.(?:netc|lock|yaml|yml))`");
  private static final Pattern SANDBOX = Pattern.compile("--sandbox ([a-z0-9-]+)");
  private static final Pattern DIAG_CODE = Pattern.compile("^(?:error|warning|note)\\[(NETC\\d+)]");

  /** A fenced block: its language, its text (ending with a newline), the prose before it. */
  record Block(String lang, String text, List<String> prose) {
    boolean output() {
      return lang.equals("text");
    }

    /** The paragraph right before the block, which introduces it. */
    String intro() {
      return prose.isEmpty() ? "" : prose.get(prose.size() - 1);
    }

    /** The file the intro names first, or the default of the block's language. */
    String file() {
      Matcher m = FILE.matcher(intro());
      return m.find() ? m.group(1) : lang.equals("yaml") ? "input.yaml" : "input.netc";
    }

    boolean startsWith(String word) {
      return intro().startsWith(word);
    }
  }

  /** An example: its files, how it is compiled, and the output it is documented with. */
  record Example(Map<String, String> files, boolean locked, String sandbox, String output) {}

  record Section(String code, List<Block> blocks) {}

  static List<Section> sections() throws IOException {
    List<Section> out = new ArrayList<>();
    String code = null;
    List<Block> blocks = new ArrayList<>();
    List<String> prose = new ArrayList<>();
    StringBuilder para = null;
    List<String> lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.startsWith("## ")) {
        if (code != null) {
          out.add(new Section(code, blocks));
        }
        Matcher m = Pattern.compile("^## (NETC\\d+) ").matcher(l);
        code = m.find() ? m.group(1) : null;
        blocks = new ArrayList<>();
        prose = new ArrayList<>();
        para = null;
      } else if (l.startsWith("```") && l.length() > 3) {
        StringBuilder text = new StringBuilder();
        for (i++; !lines.get(i).equals("```"); i++) {
          text.append(lines.get(i)).append('\n');
        }
        blocks.add(new Block(l.substring(3).strip(), text.toString(), List.copyOf(prose)));
        prose = new ArrayList<>();
        para = null;
      } else if (l.isBlank()) {
        para = null;
      } else if (!l.startsWith("<")) { // prose; <details>, <summary> and anchors are not
        if (para == null) {
          para = new StringBuilder(l);
          prose.add("");
        } else {
          para.append(' ').append(l);
        }
        prose.set(prose.size() - 1, para.toString());
      }
    }
    if (code != null) {
      out.add(new Section(code, blocks));
    }
    return out;
  }

  /**
   * The failing example and every later example with an output block, in order. The blocks from
   * the failing one on fall into groups: a group ends at an output block, before a block whose
   * prose starts with "Fixed", and before a block of a file the group already has. A group that
   * an output block ends is an example.
   */
  static List<Example> examples(Section s) {
    List<Example> out = new ArrayList<>();
    List<Block> b = s.blocks();
    int start = -1;
    for (int i = 0; i < b.size(); i++) {
      if (!b.get(i).output() && b.get(i).startsWith("Failing")) {
        start = i;
        break;
      }
    }
    if (start < 0) {
      return out;
    }
    boolean locked = false;
    String sandbox = "";
    Map<String, String> files = new LinkedHashMap<>();
    for (int i = start; i < b.size(); i++) {
      Block x = b.get(i);
      if (x.output()) {
        if (!files.isEmpty()) {
          out.add(new Example(files, locked, sandbox, x.text()));
        }
        files = new LinkedHashMap<>();
        continue;
      }
      if (x.startsWith("Fixed") || files.containsKey(x.file())) {
        files = new LinkedHashMap<>();
      }
      files.put(x.file(), x.text());
      String prose = String.join(" ", x.prose());
      locked |= prose.contains("--locked");
      Matcher m = SANDBOX.matcher(prose);
      if (m.find()) {
        sandbox = m.group(1);
      }
    }
    return out;
  }

  /**
   * The fixed example: the block after the "Fixed" paragraph and the blocks right after it that
   * name another file, over the failing example's files; compiled with {@code --locked} when
   * its prose says so, for the failing example's sandbox. Empty when there is none.
   */
  static Optional<Example> fixed(Section s, Example failing) {
    List<Block> b = s.blocks();
    int at = -1;
    for (int i = 0; i < b.size(); i++) {
      if (!b.get(i).output() && b.get(i).startsWith("Fixed")) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      return Optional.empty();
    }
    Map<String, String> own = new LinkedHashMap<>();
    boolean locked = false;
    for (int i = at; i < b.size() && !b.get(i).output(); i++) {
      String f = b.get(i).file();
      if (i > at && (own.containsKey(f) || !FILE.matcher(b.get(i).intro()).find())) {
        break;
      }
      own.put(f, b.get(i).text());
      locked |= String.join(" ", b.get(i).prose()).contains("--locked");
    }
    Map<String, String> files = new LinkedHashMap<>(failing.files());
    files.putAll(own);
    return Optional.of(new Example(files, locked, failing.sandbox(), null));
  }

  /** What netc prints for the example: lint, export or plan diagnostics, and whether it compiled. */
  record Run(List<Diagnostic> lint, List<Diagnostic> stage, int files, boolean compiled) {
    String text() {
      return DiagnosticReport.text(stage, files, false);
    }
  }

  enum Stage {
    LINT, K8S, COMPOSE, PLAN;

    static Stage of(String code) {
      int n = Integer.parseInt(code.substring(4));
      return n >= 501 && n <= 509 ? K8S : n >= 511 && n <= 519 ? COMPOSE : n >= 520 && n <= 529 ? PLAN : LINT;
    }
  }

  static Run run(String code, Map<String, String> files, boolean locked, String sandbox, boolean latin1)
      throws IOException {
    try (FileSystem fs = Jimfs.newFileSystem(
        Configuration.unix().toBuilder().setWorkingDirectory("/case").build())) {
      Files.createDirectories(fs.getPath("/case"));
      for (var f : files.entrySet()) {
        Files.write(fs.getPath(f.getKey()),
            f.getValue().getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
      }
      String root = files.containsKey("input.netc") ? "input.netc" : "input.yaml";
      CompileResult r = new Compiler(Set.of(), locked).compile(fs.getPath(root));
      List<Diagnostic> lint = lintOrder(r.diagnostics());
      int n = r.sources().size();
      Stage stage = Stage.of(code);
      if (stage == Stage.LINT || r.topology().isEmpty()) {
        return new Run(lint, lint, n, r.topology().isPresent());
      }
      Topology t = r.topology().get();
      List<Diagnostic> more = switch (stage) {
        case K8S -> K8sExport.write(t).diagnostics();
        case COMPOSE -> ComposeExport.write(t).diagnostics();
        default -> Planner.plan(t, sandbox).diagnostics();
      };
      return new Run(lint, more, n, true);
    }
  }

  /** As {@code netc lint} orders them: repeats dropped, sorted. */
  private static List<Diagnostic> lintOrder(List<Diagnostic> all) {
    Set<String> seen = new HashSet<>();
    List<Diagnostic> out = new ArrayList<>();
    for (Diagnostic d : all) {
      if (seen.add(d.span().file().path() + ":" + d.span().start() + ":" + d.span().end() + ":"
          + d.code() + ":" + d.message())) {
        out.add(d);
      }
    }
    out.sort(Diagnostic.ORDER);
    return out;
  }

  /** The output as the doc shows it: the section's diagnostics, the summary if nothing is cut. */
  static String trimmed(String code, String full) {
    String body = full.substring(0, full.lastIndexOf("netc: "));
    String summary = full.substring(body.length());
    List<String> items = body.isEmpty() ? List.of() : List.of(body.split("\n\n"));
    if (TAIL.containsKey(code)) {
      List<String> tail = items.subList(Math.max(0, items.size() - TAIL.get(code)), items.size());
      return tail.stream().map(d -> d + "\n\n").collect(Collectors.joining()) + summary;
    }
    List<String> kept = items.stream().filter(d -> {
      Matcher m = DIAG_CODE.matcher(d);
      return m.find() && m.group(1).equals(code);
    }).toList();
    if (kept.size() == items.size()) {
      return full;
    }
    return String.join("\n\n", kept) + "\n";
  }

  @TestFactory
  Stream<DynamicTest> examples() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Section s : sections()) {
      List<Example> examples = examples(s);
      for (int i = 0; i < examples.size(); i++) {
        Example e = examples.get(i);
        int number = i + 1;
        boolean first = i == 0;
        if (first && NOT_CHECKED.containsKey(s.code())) {
          continue;
        }
        tests.add(DynamicTest.dynamicTest(s.code() + (first ? " failing" : " example " + number), () -> {
          Run r = run(s.code(), e.files(), e.locked(), e.sandbox(), first && LATIN1.contains(s.code()));
          String shown = trimmed(s.code(), r.text());
          if (!shown.equals(e.output())) {
            Path dir = Path.of("target", "diagnostics-doc");
            Files.createDirectories(dir);
            String name = s.code() + "-" + number;
            Files.writeString(dir.resolve(name + ".doc.txt"), e.output());
            Files.writeString(dir.resolve(name + ".actual.txt"), shown);
            Files.writeString(dir.resolve(name + ".full.txt"), r.text());
          }
          if (Stage.of(s.code()) != Stage.LINT && !r.compiled()) {
            fail(s.code() + ": the example does not compile:\n" + r.text());
          }
          assertEquals(e.output(), shown, s.code() + ": the documented output differs from what netc prints");
        }));
      }
      if (!examples.isEmpty()) {
        Optional<Example> fixed = fixed(s, examples.get(0));
        tests.add(DynamicTest.dynamicTest(s.code() + " fixed", () -> {
          assertTrue(fixed.isPresent(), s.code() + ": no fixed example (a paragraph starting with \"Fixed\")");
          Example x = fixed.get();
          Run r = run(s.code(), x.files(), x.locked(), x.sandbox(), false);
          List<Diagnostic> all = new ArrayList<>(r.lint());
          if (r.stage() != r.lint()) {
            all.addAll(r.stage());
          }
          List<Diagnostic> bad = all.stream().filter(d -> d.suppressed().isEmpty()
              && (d.isError() || d.code().name().equals(s.code()))).toList();
          assertTrue(r.compiled() && bad.isEmpty(), s.code() + ": the fixed example still reports:\n"
              + DiagnosticReport.text(all, r.files(), false));
        }));
      }
    }
    return tests.stream();
  }

  /** Every code has a section with a failing example (or a reason not to check it). */
  @Test
  void everySectionHasAFailingExample() throws IOException {
    List<Section> sections = sections();
    Set<String> found = new HashSet<>();
    List<String> missing = new ArrayList<>();
    for (Section s : sections) {
      found.add(s.code());
      if (examples(s).isEmpty() && !NOT_CHECKED.containsKey(s.code())) {
        missing.add(s.code());
      }
    }
    for (Code c : Code.values()) {
      if (!found.contains(c.name())) {
        missing.add(c.name() + " (no section)");
      }
    }
    assertTrue(missing.isEmpty(), "sections without a failing example and its output: " + missing);
    for (String c : NOT_CHECKED.keySet()) {
      assertTrue(found.contains(c), "NOT_CHECKED names " + c + ", which has no section");
    }
  }
}
