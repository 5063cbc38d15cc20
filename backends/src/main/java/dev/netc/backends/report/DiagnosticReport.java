package dev.netc.backends.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.backends.Templates;
import dev.netc.backends.json.Json;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.diag.Severity;
import dev.netc.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Renders diagnostics in the formats of {@code netc lint --format}: {@code text} (the source
 * line with a caret underline and the hint, as rustc and Elm show them), {@code json} (the shape
 * in ARCHITECTURE.md), {@code github} (workflow commands) and {@code sarif} (SARIF 2.1.0).
 */
public final class DiagnosticReport {
  private DiagnosticReport() {}

  /** The formats {@code lint} accepts. */
  public enum Format {
    TEXT,
    JSON,
    GITHUB,
    SARIF,
    MARKDOWN
  }

  public static String render(Format format, List<Diagnostic> diagnostics, int files,
      boolean color, String version) {
    return render(format, List.of(), diagnostics, files, color, version);
  }

  /**
   * As above, with the errors that are about no place in a topology, such as a file that cannot
   * be read ({@code failures}): every machine format carries them (first, as the JSON lists them);
   * {@code text} leaves them to the one line each that stderr gets.
   */
  public static String render(Format format, List<Failure> failures, List<Diagnostic> diagnostics,
      int files, boolean color, String version) {
    return switch (format) {
      case TEXT -> text(diagnostics, files, color);
      case JSON -> json(failures, diagnostics);
      case GITHUB -> github(failures, diagnostics);
      case SARIF -> sarif(failures, diagnostics, version);
      case MARKDOWN -> markdown(failures, diagnostics, files);
    };
  }

  // ------------------------------------------------------------------ markdown

  /**
   * A pull-request comment: the counts first, then one collapsible section per file with its
   * diagnostics in the sorted order, so that a re-post differs only where the findings do.
   */
  public static String markdown(List<Diagnostic> diagnostics, int files) {
    return markdown(List.of(), diagnostics, files);
  }

  /**
   * As above, the {@code failures} (files that cannot be read, ...) counted first in the heading
   * and listed, one line each, between the counts and the files' sections.
   */
  public static String markdown(List<Failure> failures, List<Diagnostic> diagnostics, int files) {
    int suppressed = 0;
    int[] counts = new int[Severity.values().length];
    Map<String, List<Map<String, Object>>> byFile = new java.util.TreeMap<>();
    List<Diagnostic> sorted = new ArrayList<>(diagnostics);
    sorted.sort(Diagnostic.ORDER);
    for (Diagnostic d : sorted) {
      if (d.suppressed().isPresent()) {
        suppressed++;
        continue;
      }
      counts[d.severity().ordinal()]++;
      Map<String, Object> m = new LinkedHashMap<>();
      Span s = d.span();
      m.put("where", Markdown.code(s.file().path() + ":" + s.line() + ":" + s.column()));
      m.put("severity", d.severity().label());
      m.put("code", d.code().name());
      m.put("message", Markdown.prose(words(d.message())));
      m.put("hint", d.hint().map(h -> Markdown.prose(words(h))).orElse(""));
      byFile.computeIfAbsent(s.file().path(), k -> new ArrayList<>()).add(m);
    }
    List<Map<String, Object>> sections = new ArrayList<>();
    byFile.forEach((file, items) -> {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("file", Markdown.html(file));
      f.put("count", items.size());
      f.put("items", items);
      sections.add(f);
    });
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("errors", counts[Severity.ERROR.ordinal()]);
    model.put("warnings", counts[Severity.WARNING.ordinal()]);
    model.put("notes", counts[Severity.NOTE.ordinal()]);
    model.put("suppressed", suppressed);
    model.put("files", files);
    int n = failures.size();
    // (no "no problems in 0 files" beside files that could not be read: nothing was linted)
    String notRead = n + (n == 1 ? " file" : " files") + " not read";
    model.put("summary", n == 0 ? summary(counts, suppressed, files)
        : files == 0 && suppressed == 0 && counts[Severity.ERROR.ordinal()] + counts[Severity.WARNING.ordinal()]
            + counts[Severity.NOTE.ordinal()] == 0 ? notRead : notRead + ", " + summary(counts, suppressed, files));
    List<Map<String, Object>> failed = new ArrayList<>();
    for (Failure f : failures) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("message", Markdown.prose(words(f.message())));
      m.put("hint", f.hint().map(h -> Markdown.prose(words(h))).orElse(""));
      failed.add(m);
    }
    model.put("failures", failed);
    model.put("sections", sections);
    return Templates.render("diagnostics-markdown.ftl", model);
  }

  // ------------------------------------------------------------------ text

  /** The caret form for people, with a summary line. */
  public static String text(List<Diagnostic> diagnostics, int files, boolean color) {
    return text(diagnostics, files, color, UnaryOperator.identity());
  }

  /**
   * As above, every file named as {@code file} names it (a command that compiled a copy of a file
   * in a temporary folder names the file it copied: {@code netc review}'s {@code REV:path}).
   */
  public static String text(List<Diagnostic> diagnostics, int files, boolean color, UnaryOperator<String> file) {
    List<Map<String, Object>> items = new ArrayList<>();
    int suppressed = 0;
    int[] counts = new int[Severity.values().length];
    for (Diagnostic d : diagnostics) {
      if (d.suppressed().isPresent()) {
        suppressed++;
        continue;
      }
      counts[d.severity().ordinal()]++;
      items.add(textItem(d, file));
    }
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("items", items);
    model.put("c", colors(color));
    model.put("summary", summary(counts, suppressed, files));
    model.put("clean", items.isEmpty());
    return Templates.render("diagnostics-text.ftl", model);
  }

  /**
   * How many diagnostics {@code diagnostics} has of each severity, as the text report's summary
   * counts them (suppressed ones left out): {@code 2 errors, 1 warning}; {@code no problems}.
   */
  public static String count(List<Diagnostic> diagnostics) {
    int[] counts = new int[Severity.values().length];
    diagnostics.stream().filter(d -> d.suppressed().isEmpty()).forEach(d -> counts[d.severity().ordinal()]++);
    String all = summary(counts, 0, 1);
    return all.substring(0, all.length() - " in 1 file".length());
  }

  private static String summary(int[] counts, int suppressed, int files) {
    List<String> parts = new ArrayList<>();
    plural(parts, counts[Severity.ERROR.ordinal()], "error");
    plural(parts, counts[Severity.WARNING.ordinal()], "warning");
    plural(parts, counts[Severity.NOTE.ordinal()], "note");
    String what = parts.isEmpty() ? "no problems" : String.join(", ", parts);
    String in = files == 1 ? "1 file" : files + " files";
    String sup = suppressed == 0 ? "" : " (" + suppressed + " suppressed)";
    return what + " in " + in + sup;
  }

  private static void plural(List<String> parts, int n, String word) {
    if (n > 0) {
      parts.add(n + " " + word + (n == 1 ? "" : "s"));
    }
  }

  private static Map<String, String> colors(boolean on) {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("error", on ? "\u001b[1;31m" : "");
    c.put("warning", on ? "\u001b[1;33m" : "");
    c.put("note", on ? "\u001b[1;36m" : "");
    c.put("bold", on ? "\u001b[1m" : "");
    c.put("blue", on ? "\u001b[1;34m" : "");
    c.put("reset", on ? "\u001b[0m" : "");
    return c;
  }

  private static Map<String, Object> textItem(Diagnostic d, UnaryOperator<String> file) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("severity", d.severity().label());
    m.put("code", d.code().name());
    m.put("message", words(d.message()));
    int width = digits(d.span().line());
    for (Diagnostic.Related r : d.related()) {
      width = Math.max(width, digits(r.span().line()));
    }
    m.put("gutter", " ".repeat(width));
    m.put("snippet", snippet(d.span(), width, '^', "", file));
    List<Map<String, Object>> related = new ArrayList<>();
    for (Diagnostic.Related r : d.related()) {
      related.add(snippet(r.span(), width, '-', words(r.message()), file));
    }
    m.put("related", related);
    d.hint().ifPresent(h -> m.put("hint", words(h)));
    return m;
  }

  private static int digits(int n) {
    return Integer.toString(n).length();
  }

  private static Map<String, Object> snippet(Span span, int width, char mark, String label, UnaryOperator<String> file) {
    Map<String, Object> s = new LinkedHashMap<>();
    int line = span.line();
    s.put("location", file.apply(span.file().path()) + ":" + line + ":" + span.column());
    s.put("lineNo", String.format("%" + width + "d", line));
    // At most 300 characters of the line, read without copying the rest: a file may hold
    // thousands of diagnostics on one line of a megabyte.
    String raw = span.file().lineText(line, 300);
    int startCol = span.column();
    int endCol = span.endLine() == line ? span.endColumn() : raw.codePointCount(0, raw.length()) + 1;
    String shown = clean(raw.replace("\t", "    "));
    int pad = displayWidth(raw, startCol - 1);
    int marks = Math.max(1, displayWidth(raw, endCol - 1) - pad);
    s.put("source", shown);
    s.put("pad", " ".repeat(Math.min(pad, 400)));
    s.put("marks", String.valueOf(mark).repeat(Math.min(marks, 200)));
    s.put("label", label);
    return s;
  }

  /**
   * The display width of the first {@code codePoints} code points, a tab counting four; past the
   * end of {@code line} (which may be cut short) each counts one, added at once.
   */
  private static int displayWidth(String line, int codePoints) {
    int w = 0;
    int i = 0;
    for (int cp = 0; cp < codePoints; cp++) {
      if (i >= line.length()) {
        w += codePoints - cp;
        break;
      }
      int c = line.codePointAt(i);
      w += c == '\t' ? 4 : 1;
      i += Character.charCount(c);
    }
    return w;
  }

  /** The longest quoted value a message shows whole, in characters. */
  static final int LONGEST_QUOTED = 120;

  /** A quoted value: the backquotes pair up from the start of the text, first with second. */
  private static final java.util.regex.Pattern QUOTED = java.util.regex.Pattern.compile("`([^`]*)`");

  /** A message, hint or label as people read it: {@link #shorten}ed, then {@link #clean}ed. */
  static String words(String s) {
    return clean(shorten(s));
  }

  /**
   * Shortens every value quoted in {@code s} (between backquotes) that is longer than {@link
   * #LONGEST_QUOTED} characters to its start and end and its length, so that a name of 50 MB
   * given by mistake (or to see what happens) gives a readable line, not 50 MB of it on a
   * terminal or in a pull request's comment: {@code `aaaa…aaaa` (200000 characters)}. The JSON and
   * SARIF outputs keep the whole message.
   */
  static String shorten(String s) {
    if (s.length() <= LONGEST_QUOTED) {
      return s;
    }
    java.util.regex.Matcher m = QUOTED.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = m.group(1);
      int n = v.codePointCount(0, v.length());
      if (n <= LONGEST_QUOTED) {
        // (the text between two quoted values is not one: it is left whole however long)
        m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(m.group()));
        continue;
      }
      String head = v.substring(0, v.offsetByCodePoints(0, 60));
      String tail = v.substring(v.offsetByCodePoints(0, n - 20));
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement("`" + head + "\u2026" + tail + "` (" + n + " characters)"));
    }
    m.appendTail(out);
    // a value with a backquote of its own pairs the quotes after it the other way round, and so
    // escapes the above: any run of text without a quote that no message writes is cut the same way
    java.util.regex.Matcher r = UNQUOTED_RUN.matcher(out);
    StringBuilder cut = new StringBuilder();
    while (r.find()) {
      String v = r.group();
      int n = v.codePointCount(0, v.length());
      r.appendReplacement(cut, java.util.regex.Matcher.quoteReplacement(v.substring(0, v.offsetByCodePoints(0, 60))
          + "\u2026" + v.substring(v.offsetByCodePoints(0, n - 20)) + " (" + n + " characters)"));
    }
    r.appendTail(cut);
    return cut.toString();
  }

  /** A run of text longer than any message writes itself: a value, whatever its quotes. */
  private static final java.util.regex.Pattern UNQUOTED_RUN = java.util.regex.Pattern.compile("[^`]{" + (10 * LONGEST_QUOTED + 1) + ",}");

  /** Replaces control characters so that no input can drive the terminal. */
  static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(c -> {
      if ((c < 0x20 && c != '\t') || (c >= 0x7f && c < 0xa0)) {
        sb.append('\ufffd');
      } else {
        sb.appendCodePoint(c);
      }
    });
    return sb.toString();
  }

  // ------------------------------------------------------------------ json

  /**
   * An error of a command that is about no place in a topology, and so has no code of the
   * registry and no position: its {@link Kind} stands for the code, its message is the line the
   * command prints on stderr (without {@code netc: }), and it may have a hint, and the file it
   * is about, as the command line names it (a file {@code lint} cannot read; the JSON leaves it
   * out, its message names it, and the other formats of {@code lint} place the error there).
   */
  public record Failure(Kind kind, String message, Optional<String> hint, Optional<String> file) {
    /** What went wrong, written as the code (lower case: no code of the registry is). */
    public enum Kind {
      /** The command line does not parse: an unknown option, a missing or malformed parameter. */
      USAGE,
      /** The command cannot do its work: a file it cannot read, a name the topology lacks, ... */
      FAILED,
      /** A bug of netc. */
      INTERNAL;

      public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
      }
    }

    public Failure(Kind kind, String message, Optional<String> hint) {
      this(kind, message, hint, Optional.empty());
    }

    public Failure(Kind kind, String message) {
      this(kind, message, Optional.empty());
    }
  }

  /** {@code {"diagnostics": [...]}}, as in ARCHITECTURE.md. */
  public static String json(List<Diagnostic> diagnostics) {
    return json(List.of(), diagnostics);
  }

  /** As above, {@code failures} first (they have no position: code, severity, message, hint). */
  public static String json(List<Failure> failures, List<Diagnostic> diagnostics) {
    return json(failures, diagnostics, UnaryOperator.identity());
  }

  /**
   * As above, every file named as {@code file} names it (a command that compiled a copy of a file
   * in a temporary folder names the file it copied).
   */
  public static String json(List<Failure> failures, List<Diagnostic> diagnostics, UnaryOperator<String> file) {
    ObjectNode root = Json.object();
    ArrayNode list = root.putArray("diagnostics");
    for (Failure f : failures) {
      ObjectNode o = list.addObject();
      o.put("code", f.kind().label());
      o.put("severity", Severity.ERROR.label());
      o.put("message", f.message());
      f.hint().ifPresent(h -> o.put("hint", h));
    }
    for (Diagnostic d : diagnostics) {
      ObjectNode o = list.addObject();
      o.put("code", d.code().name());
      o.put("severity", d.severity().label());
      o.put("message", d.message());
      position(o, d.span(), file);
      d.hint().ifPresent(h -> o.put("hint", h));
      if (!d.related().isEmpty()) {
        ArrayNode rel = o.putArray("related");
        for (Diagnostic.Related r : d.related()) {
          ObjectNode ro = rel.addObject();
          ro.put("message", r.message());
          position(ro, r.span(), file);
        }
      }
      d.suppressed().ifPresent(reason -> o.putObject("suppressed").put("reason", reason));
    }
    return Json.pretty(root);
  }

  private static void position(ObjectNode o, Span s, UnaryOperator<String> file) {
    o.put("file", file.apply(s.file().path()));
    o.put("line", s.line());
    o.put("column", s.column());
    o.put("endLine", s.endLine());
    o.put("endColumn", s.endColumn());
  }

  // ------------------------------------------------------------------ github

  /** GitHub Actions workflow commands: one {@code ::error file=...::message} line each. */
  public static String github(List<Diagnostic> diagnostics) {
    return github(List.of(), diagnostics);
  }

  /**
   * As above, an {@code ::error} first for each of {@code failures}, on its file when it has one
   * (without a line: the annotation is about the whole file).
   */
  public static String github(List<Failure> failures, List<Diagnostic> diagnostics) {
    List<Map<String, Object>> failed = new ArrayList<>();
    for (Failure f : failures) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("properties", f.file().map(x -> "file=" + property(x) + ",").orElse("")
          + "title=" + property(f.kind() == Failure.Kind.FAILED ? "file not read" : f.kind().label()));
      m.put("message", data(shorten(f.message()) + f.hint().map(h -> " (help: " + shorten(h) + ")").orElse("")));
      failed.add(m);
    }
    List<Map<String, Object>> items = new ArrayList<>();
    for (Diagnostic d : diagnostics) {
      if (d.suppressed().isPresent()) {
        continue;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("command", switch (d.severity()) {
        case ERROR -> "error";
        case WARNING -> "warning";
        case NOTE -> "notice";
      });
      Span s = d.span();
      m.put("file", property(s.file().path()));
      m.put("line", s.line());
      m.put("col", s.column());
      m.put("endLine", s.endLine());
      m.put("endColumn", s.endColumn());
      m.put("title", property(d.code().name() + " " + d.code().title()));
      String text = d.code().name() + ": " + shorten(d.message()) + d.hint().map(h -> " (help: " + shorten(h) + ")").orElse("");
      m.put("message", data(text));
      items.add(m);
    }
    return Templates.render("diagnostics-github.ftl", Map.of("failures", failed, "items", items));
  }

  private static String data(String s) {
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  private static String property(String s) {
    return data(s).replace(":", "%3A").replace(",", "%2C");
  }

  // ------------------------------------------------------------------ sarif

  /** A SARIF 2.1.0 log with one run, rules for every code that occurs. */
  public static String sarif(List<Diagnostic> diagnostics, String version) {
    return sarif(List.of(), diagnostics, version);
  }

  /**
   * As above, the run's invocation saying whether netc did its whole work: with {@code
   * failures} (files it cannot read, ...), it did not ({@code executionSuccessful: false}), and
   * each is an error among the invocation's {@code toolExecutionNotifications}, at its file
   * when it has one. (Results that are errors do not make the execution unsuccessful.)
   */
  public static String sarif(List<Failure> failures, List<Diagnostic> diagnostics, String version) {
    ObjectNode root = Json.object();
    root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "netc");
    driver.put("semanticVersion", version);
    TreeSet<Code> codes = new TreeSet<>();
    diagnostics.forEach(d -> codes.add(d.code()));
    List<Code> ruleOrder = new ArrayList<>(codes);
    ArrayNode rules = driver.putArray("rules");
    for (Code c : ruleOrder) {
      ObjectNode r = rules.addObject();
      r.put("id", c.name());
      r.put("name", ruleName(c));
      r.putObject("shortDescription").put("text", c.title());
      r.putObject("fullDescription").put("text", c.title() + " (see docs/diagnostics.md#"
          + c.name().toLowerCase(java.util.Locale.ROOT) + ")");
      r.putObject("defaultConfiguration").put("level", level(c.severity()));
    }
    ObjectNode invocation = run.putArray("invocations").addObject();
    invocation.put("executionSuccessful", failures.isEmpty());
    if (!failures.isEmpty()) {
      ArrayNode notifications = invocation.putArray("toolExecutionNotifications");
      for (Failure f : failures) {
        ObjectNode n = notifications.addObject();
        n.put("level", "error");
        n.putObject("message").put("text", f.message() + f.hint().map(h -> "\nhelp: " + h).orElse(""));
        f.file().ifPresent(file -> n.putArray("locations").addObject().putObject("physicalLocation")
            .putObject("artifactLocation").put("uri", uri(file)));
      }
    }
    run.put("columnKind", "unicodeCodePoints");
    ArrayNode results = run.putArray("results");
    for (Diagnostic d : diagnostics) {
      ObjectNode r = results.addObject();
      r.put("ruleId", d.code().name());
      r.put("ruleIndex", ruleOrder.indexOf(d.code()));
      r.put("level", level(d.severity()));
      String text = d.message() + d.hint().map(h -> "\nhelp: " + h).orElse("");
      r.putObject("message").put("text", text);
      r.putArray("locations").add(location(d.span()));
      if (!d.related().isEmpty()) {
        ArrayNode rel = r.putArray("relatedLocations");
        int id = 1;
        for (Diagnostic.Related x : d.related()) {
          ObjectNode loc = location(x.span());
          loc.put("id", id++);
          loc.putObject("message").put("text", x.message());
          rel.add(loc);
        }
      }
      d.suppressed().ifPresent(reason -> {
        ObjectNode s = r.putArray("suppressions").addObject();
        s.put("kind", "inSource");
        s.put("justification", reason);
      });
    }
    return Json.pretty(root);
  }

  private static ObjectNode location(Span s) {
    ObjectNode loc = Json.object();
    ObjectNode phys = loc.putObject("physicalLocation");
    phys.putObject("artifactLocation").put("uri", uri(s.file().path()));
    ObjectNode region = phys.putObject("region");
    region.put("startLine", s.line());
    region.put("startColumn", s.column());
    region.put("endLine", s.endLine());
    region.put("endColumn", Math.max(s.endColumn(), s.column()));
    return loc;
  }

  /** A relative URI reference for a path (SARIF wants URIs; forward slashes, escaped). */
  private static String uri(String path) {
    StringBuilder sb = new StringBuilder();
    for (String part : path.replace('\\', '/').split("/", -1)) {
      if (sb.length() > 0 || path.startsWith("/")) {
        sb.append('/');
      }
      sb.append(java.net.URLEncoder.encode(part, java.nio.charset.StandardCharsets.UTF_8)
          .replace("+", "%20"));
    }
    return sb.toString().replaceFirst("^//", "/");
  }

  private static String level(Severity s) {
    return switch (s) {
      case ERROR -> "error";
      case WARNING -> "warning";
      case NOTE -> "note";
    };
  }

  /** A rule name in PascalCase from the code's title ("unknown reference" → UnknownReference). */
  private static String ruleName(Code c) {
    StringBuilder sb = new StringBuilder();
    for (String w : c.title().split("[^A-Za-z0-9]+")) {
      if (!w.isEmpty()) {
        sb.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
      }
    }
    return sb.toString();
  }
}
