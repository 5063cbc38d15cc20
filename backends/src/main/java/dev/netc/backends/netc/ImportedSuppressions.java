package dev.netc.backends.netc;

import dev.netc.compiler.SuppressionScope;
import dev.netc.compiler.ast.Decl;
import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import dev.netc.compiler.front.Yaml;
import dev.netc.compiler.parse.Comment;
import dev.netc.compiler.parse.Formatter;
import dev.netc.compiler.parse.Parse;
import dev.netc.compiler.parse.ParsedFile;
import dev.netc.compiler.source.SourceFile;
import dev.netc.compiler.source.Span;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code # netc:ignore} comments of Kubernetes or Compose YAML, carried into the {@code .netc}
 * source {@code netc import} prints ({@link NetcPrinter}), so that {@code netc lint} of the
 * printed file suppresses what {@code netc lint} of the YAML suppresses, for the same reasons,
 * and nothing else.
 *
 * <p>A YAML comment covers YAML lines, and the statements printed from them stand elsewhere, so
 * the comments are placed by what they suppress. The YAML and the printed source compile to the
 * same topology and so give the same diagnostics (the front end's own aside: they concern the
 * YAML, which the printed source no longer has), told apart by code and message. A diagnostic
 * suppressed in the YAML gets a comment on a line of its own, with its code and the reason, above
 * the outermost printed statement that both holds the statement it is reported on and was made
 * from the lines the YAML comment covers (the declaration of a Deployment's pod, of a Compose
 * service): such a comment covers that statement and its block. Where that block holds a
 * diagnostic of the code that the YAML does not suppress for that reason, the comment goes
 * further in, and where no place fits, it is left out with a note. A YAML comment that matches no
 * diagnostic ({@code NETC112}) is carried as written above a statement made from the lines it
 * covers (else the nearest one before them in the same YAML document), where it matches nothing
 * either, so that lint reports it there too.
 */
public final class ImportedSuppressions {
  /** A well-formed {@code # netc:ignore CODE[, CODE...] "reason"}. */
  private static final Pattern SUPPRESSION =
      Pattern.compile("#\\s*netc:ignore\\b\\s*([A-Za-z0-9]+(?:\\s*,\\s*[A-Za-z0-9]+)*)\\s*\"([^\"]*)\"\\s*");

  private ImportedSuppressions() {}

  /** The printed source with the suppressions carried, and a note for each one left out. */
  public record Result(String text, List<String> notes) {
    public Result {
      notes = List.copyOf(notes);
    }
  }

  /**
   * Carries the suppressions of {@code sources}, the YAML that {@code decls} were read from, into
   * {@code printed}.
   *
   * @param sources the YAML files, as the front end read them
   * @param decls what the front end read
   * @param printed {@code decls} as {@link NetcPrinter#print} prints them
   * @param yaml the diagnostics of the YAML compiled with {@code decls}, suppressed ones marked
   * @param compile compiles a {@code .netc} file as the printed one will be (the same topology
   *     name and lock file) to its diagnostics
   */
  public static Result carry(List<SourceFile> sources, List<Decl> decls, String printed, List<Diagnostic> yaml,
      Function<SourceFile, List<Diagnostic>> compile) {
    SourceFile netc = new SourceFile("(imported)", printed);
    ParsedFile parsed = Parse.file(netc);
    Carrier carrier = new Carrier(netc, compile.apply(netc), new SuppressionScope(parsed));
    List<Written> written = new ArrayList<>();
    sources.forEach(f -> written.addAll(Written.in(f)));
    decls(decls, parsed.decls(), carrier.made);

    // the same diagnostic in the YAML and in the printed source: by code and message, in order
    Map<String, Deque<Diagnostic>> printedByKey = new HashMap<>();
    carrier.plain.stream().sorted(Diagnostic.ORDER)
        .forEach(d -> printedByKey.computeIfAbsent(key(d), k -> new ArrayDeque<>()).add(d));
    List<Diagnostic> stale = new ArrayList<>();
    for (Diagnostic d : yaml.stream().sorted(Diagnostic.ORDER).toList()) {
      if (d.code() == Code.NETC112 && d.suppressed().isEmpty()) {
        stale.add(d);
        continue;
      }
      Deque<Diagnostic> same = printedByKey.get(key(d));
      if (same == null || same.isEmpty()) {
        continue; // the front end's: not a diagnostic of the topology
      }
      Diagnostic there = same.poll();
      if (d.suppressed().isEmpty()) {
        continue;
      }
      Wanted w = new Wanted(d.code(), d.suppressed().get(), d.span(), coveredBy(written, d.span(), d.code(), List.of()));
      if (there.span().file() == netc) {
        carrier.wanted.put(there, w);
      } else {
        carrier.notes.add(note(w, "its diagnostic is reported in " + there.span().file().path()));
      }
    }
    // A diagnostic of the printed source alone: the YAML reports one where the printed source has
    // several (the pods of a Deployment share its place in the YAML, and a check that notes a
    // place once notes it once). It is suppressed as the one at its place in the YAML is.
    List<Span> unused = stale.stream().map(Diagnostic::span).toList();
    for (Deque<Diagnostic> left : printedByKey.values()) {
      for (Diagnostic x : left) {
        carrier.made.stream().filter(m -> m.printed().file() == netc && m.printed().start() == x.span().start())
            .findFirst()
            .flatMap(m -> coveredBy(written, m.read(), x.code(), unused).map(by -> new Wanted(x.code(), by.reason(),
                m.read(), Optional.of(by))))
            .ifPresent(w -> carrier.wanted.put(x, w));
      }
    }
    carrier.suppressed();
    for (Diagnostic d : stale) {
      written.stream().filter(w -> w.comment().span().equals(d.span())).findFirst()
          .ifPresentOrElse(carrier::stale, () -> carrier.notes.add(staleNote(d.span(), "it cannot be read")));
    }
    return new Result(carrier.text(), carrier.notes);
  }

  /**
   * The YAML comment that suppresses a diagnostic of {@code code} at {@code at}: the first written
   * that covers its line, as the compiler takes it; but none of {@code unused}, which match nothing.
   */
  private static Optional<Written> coveredBy(List<Written> written, Span at, Code code, List<Span> unused) {
    return written.stream().filter(w -> w.file() == at.file() && w.codes().contains(code)
        && w.lines().contains(at.line())).findFirst().filter(w -> !unused.contains(w.comment().span()));
  }

  /** A {@code # netc:ignore} comment of a YAML file, and the lines it covers there. */
  private record Written(SourceFile file, Comment comment, Set<Code> codes, String reason,
      SuppressionScope.Lines lines) {
    static List<Written> in(SourceFile file) {
      if (!file.text().contains("netc:ignore")) {
        return List.of();
      }
      List<Comment> comments = Yaml.comments(file);
      SuppressionScope scope = new SuppressionScope(ParsedFile.yaml(file, List.of(), comments));
      List<Written> out = new ArrayList<>();
      for (Comment c : comments) {
        Matcher m = SUPPRESSION.matcher(c.text());
        if (m.matches()) {
          Set<Code> codes = EnumSet.noneOf(Code.class);
          for (String name : m.group(1).split("\\s*,\\s*")) {
            Code.parse(name).ifPresent(codes::add);
          }
          out.add(new Written(file, c, codes, m.group(2), scope.of(c)));
        }
      }
      return out;
    }
  }

  /**
   * A diagnostic of the printed source to suppress: its code, the reason, where the YAML has it,
   * and the YAML comment that suppresses it there.
   */
  private record Wanted(Code code, String reason, Span yaml, Optional<Written> by) {}

  /** A statement of the YAML's declarations and where it is printed; {@code object} unless a namespace. */
  private record Made(Span read, Span printed, boolean object) {}

  /** Where the comments go in one printed source. */
  private static final class Carrier {
    final SourceFile netc;
    /** The diagnostics of the printed source, without comments. */
    final List<Diagnostic> plain;
    final SuppressionScope scope;
    final List<Made> made = new ArrayList<>();
    final Map<Diagnostic, Wanted> wanted = new IdentityHashMap<>();
    /** Above each line of the printed source: the codes to suppress by reason, and stale comments as written. */
    final Map<Integer, Map<String, EnumSet<Code>>> above = new TreeMap<>();
    final Map<Integer, List<String>> staleAbove = new TreeMap<>();
    final List<String> notes = new ArrayList<>();

    Carrier(SourceFile netc, List<Diagnostic> plain, SuppressionScope scope) {
      this.netc = netc;
      this.plain = plain;
      this.scope = scope;
    }

    /** Places a comment for every diagnostic to suppress, from the top. */
    void suppressed() {
      Set<Diagnostic> covered = Collections.newSetFromMap(new IdentityHashMap<>());
      for (Diagnostic d : wanted.keySet().stream().sorted(Diagnostic.ORDER).toList()) {
        if (covered.contains(d)) {
          continue;
        }
        Wanted w = wanted.get(d);
        int line = d.span().line();
        // outermost first: the statements made from what the YAML comment covers that hold d's line
        List<Integer> places = new ArrayList<>();
        w.by().ifPresent(by -> made.stream()
            .filter(m -> m.object() && m.read().file() == by.file() && by.lines().contains(m.read().line()))
            .map(m -> m.printed().line()).filter(at -> at < line).distinct().sorted()
            .forEach(places::add));
        places.add(line);
        Optional<Integer> at = places.stream().filter(p -> {
          List<Diagnostic> inScope = inScope(p, Set.of(d.code()));
          return inScope != null && inScope.contains(d) && inScope.stream()
              .allMatch(x -> wanted.containsKey(x) && wanted.get(x).reason().equals(w.reason()) && !covered.contains(x));
        }).findFirst();
        if (at.isEmpty()) {
          notes.add(note(w, "in the .netc, a comment above the statement it is reported on would also cover"
              + " a diagnostic that the YAML does not suppress for that reason"));
          continue;
        }
        above.computeIfAbsent(at.get(), k -> new LinkedHashMap<>())
            .computeIfAbsent(w.reason(), k -> EnumSet.noneOf(Code.class)).add(d.code());
        covered.addAll(inScope(at.get(), Set.of(d.code())));
      }
    }

    /**
     * The diagnostics of {@code codes} that a comment above {@code line} would cover, or null
     * when it would not cover that line itself (a comment line).
     */
    private List<Diagnostic> inScope(int line, Set<Code> codes) {
      SuppressionScope.Lines lines = scope.ownLineAbove(line);
      if (lines.from() != line) {
        return null;
      }
      return plain.stream().filter(d -> d.span().file() == netc && codes.contains(d.code())
          && lines.contains(d.span().line())).toList();
    }

    /**
     * Places {@code w}, which matches nothing in the YAML, above a statement made from the lines
     * it covers (else the nearest one before them in its YAML document), where it matches nothing.
     */
    void stale(Written w) {
      int first = w.lines().from();
      int document = documentStart(w.file(), first);
      Optional<Integer> at = made.stream()
          .filter(m -> m.object() && m.read().file() == w.file() && m.read().line() >= document
              && m.printed().file() == netc)
          .filter(m -> w.lines().contains(m.read().line()) || m.read().line() < first)
          .sorted(Comparator.comparing((Made m) -> w.lines().contains(m.read().line()) ? 0 : 1)
              .thenComparing(m -> Math.abs(m.read().line() - first))
              .thenComparing(m -> m.printed().line()))
          .map(m -> m.printed().line())
          .filter(line -> {
            List<Diagnostic> inScope = inScope(line, w.codes());
            return inScope != null && inScope.isEmpty();
          })
          .findFirst();
      if (at.isPresent()) {
        staleAbove.computeIfAbsent(at.get(), k -> new ArrayList<>()).add(w.comment().text().strip());
      } else {
        notes.add(staleNote(w.comment().span(), "nothing printed comes from its YAML object"));
      }
    }

    /** The printed source with the comments above their lines, formatted. */
    String text() {
      if (above.isEmpty() && staleAbove.isEmpty()) {
        return netc.text();
      }
      StringBuilder out = new StringBuilder();
      int n = 0;
      for (String line : netc.text().split("\n", -1)) {
        n++;
        String indent = line.substring(0, line.length() - line.stripLeading().length());
        for (Map.Entry<String, EnumSet<Code>> r : above.getOrDefault(n, Map.of()).entrySet()) {
          out.append(indent).append("# netc:ignore ")
              .append(String.join(", ", r.getValue().stream().map(Code::name).toList()))
              .append(" \"").append(r.getKey()).append("\"\n");
        }
        for (String comment : staleAbove.getOrDefault(n, List.of())) {
          out.append(indent).append(comment).append('\n');
        }
        out.append(line).append('\n');
      }
      out.setLength(out.length() - 1); // the split's last piece follows the last line break
      List<Diagnostic> problems = new ArrayList<>();
      return Formatter.format(new SourceFile(netc.path(), out.toString()), problems)
          .orElseThrow(() -> new IllegalStateException("printed .netc does not parse: " + problems));
    }
  }

  /**
   * The first line of the YAML document that holds {@code line}: after the last {@code ---} or
   * {@code ...} before it.
   */
  private static int documentStart(SourceFile f, int line) {
    for (int k = line; k >= 1; k--) {
      if (dev.netc.compiler.YamlBlocks.separator(f.lineText(k))) {
        return k + 1;
      }
    }
    return 1;
  }

  private static String note(Wanted w, String why) {
    return "the suppression of " + w.code().name() + " (\"" + w.reason() + "\") of the diagnostic at "
        + w.yaml().file().path() + ":" + w.yaml().line() + " is not carried: " + why;
  }

  private static String staleNote(Span comment, String why) {
    return "the suppression at " + comment.file().path() + ":" + comment.line()
        + " matches no diagnostic (NETC112) and is not carried: " + why;
  }

  private static String key(Diagnostic d) {
    return d.code().name() + " " + d.message();
  }

  // ------------------------------------------------------------------ what was printed from what

  /**
   * The statements of {@code read} (the front end's) and of {@code printed} (the printed source
   * parsed back), side by side: the printer keeps every list of statements in its order, so
   * the i-th of a list is printed from the i-th.
   */
  private static void decls(List<Decl> read, List<Decl> printed, List<Made> out) {
    for (int i = 0; i < Math.min(read.size(), printed.size()); i++) {
      decl(read.get(i), printed.get(i), out);
    }
  }

  private static void decl(Decl a, Decl b, List<Made> out) {
    if (a.kind() != b.kind()) {
      return;
    }
    // a namespace is made from the first object that names it: no place for that object's comments
    out.add(new Made(a.span(), b.span(), a.kind() != Decl.DeclKind.NAMESPACE));
    if (a instanceof Decl.Host x && b instanceof Decl.Host y) {
      zip(x.settings(), y.settings(), s -> s.span(), out);
      zip(x.labels(), y.labels(), l -> l.span(), out);
    } else if (a instanceof Decl.Network x && b instanceof Decl.Network y) {
      zip(x.settings(), y.settings(), s -> s.span(), out);
    } else if (a instanceof Decl.Namespace x && b instanceof Decl.Namespace y) {
      zip(x.labels(), y.labels(), l -> l.span(), out);
      decls(x.members(), y.members(), out);
    } else if (a instanceof Decl.Container x && b instanceof Decl.Container y) {
      zip(x.labels(), y.labels(), l -> l.span(), out);
      zip(x.settings(), y.settings(), s -> s.span(), out);
      zip(x.attaches(), y.attaches(), s -> s.span(), out);
      for (int i = 0; i < Math.min(x.attaches().size(), y.attaches().size()); i++) {
        zip(x.attaches().get(i).settings(), y.attaches().get(i).settings(), s -> s.span(), out);
      }
      zip(x.publishes(), y.publishes(), p -> p.span(), out);
      zip(x.exposes(), y.exposes(), s -> s.span(), out);
      for (int i = 0; i < Math.min(x.members().size(), y.members().size()); i++) {
        decl(x.members().get(i), y.members().get(i), out);
      }
    } else if (a instanceof Decl.Service x && b instanceof Decl.Service y) {
      zip(x.selects(), y.selects(), s -> s.span(), out);
      zip(x.addresses(), y.addresses(), s -> s.span(), out);
      zip(x.ports(), y.ports(), p -> p.span(), out);
      zip(x.backends(), y.backends(), p -> p.span(), out);
    } else if (a instanceof Decl.Policy x && b instanceof Decl.Policy y) {
      zip(x.selects(), y.selects(), s -> s.span(), out);
      zip(x.isolates(), y.isolates(), s -> s.span(), out);
      zip(x.rules(), y.rules(), r -> r.span(), out);
    }
  }

  private static <T> void zip(List<T> a, List<T> b, Function<T, Span> span, List<Made> out) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      out.add(new Made(span.apply(a.get(i)), span.apply(b.get(i)), true));
    }
  }
}
