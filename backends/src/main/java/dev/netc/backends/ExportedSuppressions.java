package dev.netc.backends;

import dev.netc.compiler.diag.Code;
import dev.netc.compiler.diag.Diagnostic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The {@code # netc:ignore} suppressions of a topology, carried into the Kubernetes manifests or
 * the Compose file that {@code netc emit} writes, in the form the YAML front ends read ({@code #
 * netc:ignore CODE "reason"} on a line of its own above a Kubernetes object or a Compose
 * service), so that {@code netc lint} of the export suppresses what {@code netc lint} of the
 * source suppresses, for the same reason.
 *
 * <p>The export read back is not the source (one flat pod network, names in namespaces ...), so
 * its diagnostics are matched by place: a block of the export (an object, a service) gets a
 * comment for code {@code C} when the export read back reports {@code C} in it and the
 * declarations it was written from have a diagnostic of {@code C}, every one of them suppressed,
 * for one reason. Where the source suppresses some of them and not others, or for two reasons, no
 * comment can say the same, and a note says so. A comment that then matches nothing (NETC112) is
 * taken out again, with a note.
 */
public final class ExportedSuppressions {
  private ExportedSuppressions() {}

  /** The export's text with the suppressions carried, and a note for each one left out. */
  public record Result(String text, List<String> notes) {
    public Result {
      notes = List.copyOf(notes);
    }
  }

  /**
   * @param export what the export backend wrote, with its blocks
   * @param source the diagnostics of the topology's source, suppressed ones marked
   * @param compile the diagnostics of a text as the front end reads the written file
   */
  public static Result carry(Export export, List<Diagnostic> source, Function<String, List<Diagnostic>> compile) {
    List<Diagnostic> suppressed = source.stream().filter(d -> d.suppressed().isPresent()).toList();
    if (suppressed.isEmpty() || export.blocks().isEmpty()) {
      return new Result(export.text(), List.of());
    }
    List<Diagnostic> read = compile.apply(export.text());
    // (a set: the blocks written from one declaration, replicas or pod members, share its notes)
    Set<String> notes = new LinkedHashSet<>();
    // the comments to write above each block's first line: code -> reason
    Map<Export.Block, Map<Code, String>> comments = new LinkedHashMap<>();
    for (Export.Block b : export.blocks()) {
      Set<Code> codes = new LinkedHashSet<>();
      suppressed.stream().filter(d -> b.from(d.span())).forEach(d -> codes.add(d.code()));
      for (Code c : codes) {
        boolean there = read.stream().anyMatch(d -> d.code() == c && d.suppressed().isEmpty()
            && b.line() <= d.span().line() && d.span().line() <= b.last());
        if (!there) {
          continue; // the export does not have what the finding is about
        }
        List<Diagnostic> mine = source.stream().filter(d -> d.code() == c && b.from(d.span())).toList();
        Set<String> reasons = new LinkedHashSet<>();
        mine.forEach(d -> reasons.add(d.suppressed().orElse("")));
        if (reasons.size() != 1 || reasons.contains("")) {
          mine.stream().filter(d -> d.suppressed().isPresent()).forEach(d -> notes.add(note(d,
              "its declaration has other " + c + " findings " + (reasons.contains("") ? "that it does not suppress"
                  : "suppressed for other reasons") + ", and one comment in the export would cover them all")));
          continue;
        }
        comments.computeIfAbsent(b, k -> new TreeMap<>()).put(c, reasons.iterator().next());
      }
    }
    String text = write(export.text(), comments);
    // a comment that suppresses nothing read back (NETC112) is taken out
    List<Diagnostic> stale = compile.apply(text).stream()
        .filter(d -> d.code() == Code.NETC112 && d.suppressed().isEmpty()).toList();
    if (!stale.isEmpty()) {
      List<Integer> lines = commentLines(export.text(), comments);
      int i = 0;
      for (Map.Entry<Export.Block, Map<Code, String>> e : comments.entrySet()) {
        for (Map.Entry<Code, String> c : new ArrayList<>(e.getValue().entrySet())) {
          int line = lines.get(i++);
          if (stale.stream().anyMatch(d -> d.span().line() == line)) {
            e.getValue().remove(c.getKey());
            notes.add("the suppression of " + c.getKey() + " (\"" + c.getValue() + "\") is left out of the"
                + " export at line " + line + ": there it would match nothing");
          }
        }
      }
      text = write(export.text(), comments);
    }
    return new Result(text, List.copyOf(notes));
  }

  private static String note(Diagnostic d, String why) {
    return "the suppression of " + d.code() + " at " + d.span().file().path() + ":" + d.span().line() + ":"
        + d.span().column() + " is left out of the export: " + why;
  }

  /** {@code text} with each block's comments on lines of their own above its first line. */
  private static String write(String text, Map<Export.Block, Map<Code, String>> comments) {
    Map<Integer, List<String>> above = new TreeMap<>();
    comments.forEach((b, codes) -> codes.forEach((c, reason) -> above.computeIfAbsent(b.line(), k -> new ArrayList<>())
        .add(b.indent() + "# netc:ignore " + c + " \"" + reason + "\"")));
    StringBuilder out = new StringBuilder();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      above.getOrDefault(i + 1, List.of()).forEach(l -> out.append(l).append('\n'));
      out.append(lines.get(i)).append('\n');
    }
    return out.toString();
  }

  /** The line of each comment {@link #write} writes, in the order of {@code comments}. */
  private static List<Integer> commentLines(String text, Map<Export.Block, Map<Code, String>> comments) {
    List<int[]> order = new ArrayList<>(); // block line, index within the block
    comments.forEach((b, codes) -> {
      for (int k = 0; k < codes.size(); k++) {
        order.add(new int[] {b.line(), k});
      }
    });
    List<Integer> out = new ArrayList<>();
    for (int[] o : order) {
      // comments above earlier lines shift this one down
      int before = comments.entrySet().stream().filter(e -> e.getKey().line() < o[0])
          .mapToInt(e -> e.getValue().size()).sum();
      out.add(o[0] + before + o[1]);
    }
    return out;
  }

}
