package dev.netc.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The difference between two nftables files of one table, as the backends print them
 * ({@code nft-table.ftl}), when only the elements of sets and maps differ: then the kernel's
 * table can be brought from the first to the second by one {@code nft -f} transaction of
 * {@code delete element} and {@code add element} commands instead of a whole-table replace, so
 * a change costs the elements that change, not the size of the table.
 *
 * <p>The rest of the two files (the table, the sets' and maps' types and flags, the chains and
 * their rules; {@code #} comments aside) must be the same, or there is no delta. An element is
 * one line of an {@code elements = { ... }} block; a changed element (another comment, another
 * map value) is deleted by its key and added again, in the one transaction. A file may hold
 * several tables (a topology's {@code inet} table and its {@code bridge} companion); the delta
 * then covers the sets of all of them.
 *
 * @param sets the changes by set, keyed by {@link SetRef}, in the order of the file
 * @param maps which of them are maps (named so in {@link #summary})
 */
public record TableDelta(Map<SetRef, Sets> sets, java.util.Set<SetRef> maps) {
  private static final Pattern TABLE = Pattern.compile("table (\\S+) (\\S+) \\{");
  private static final Pattern SET = Pattern.compile("(set|map) (\\S+) \\{");

  /** A set or map of a table: {@code inet netc_shop allow_in4}. */
  public record SetRef(String family, String table, String set) {
    @Override
    public String toString() {
      return family + " " + table + " " + set;
    }
  }

  /** The elements to delete (whole lines as printed) and to add, of one set or map. */
  public record Sets(List<String> delete, List<String> add) {
    public Sets {
      delete = List.copyOf(delete);
      add = List.copyOf(add);
    }
  }

  public TableDelta {
    sets = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sets));
    maps = java.util.Set.copyOf(maps);
  }

  /** The changes of {@code sets}, none of them a map. */
  public TableDelta(Map<SetRef, Sets> sets) {
    this(sets, java.util.Set.of());
  }

  /**
   * The delta from {@code applied} to {@code wanted}, if only elements differ. A set whose
   * elements are the same text in both is not taken apart: the sets a change leaves alone (a
   * policy's 100,000 addresses while another policy changes) cost a comparison of their text.
   */
  public static Optional<TableDelta> of(String applied, String wanted) {
    Parsed a = parse(applied);
    Parsed w = parse(wanted);
    if (a == null || w == null || !a.skeleton.toString().equals(w.skeleton.toString()) || a.tables == 0) {
      return Optional.empty();
    }
    Map<SetRef, Sets> out = new LinkedHashMap<>();
    for (Map.Entry<SetRef, List<int[]>> e : w.blocks.entrySet()) {
      List<int[]> was = a.blocks.getOrDefault(e.getKey(), List.of());
      if (sameText(applied, was, wanted, e.getValue())) {
        continue;
      }
      Sets d = difference(new Block(applied, was), new Block(wanted, e.getValue()));
      if (!d.delete().isEmpty() || !d.add().isEmpty()) {
        out.put(e.getKey(), d);
      }
    }
    java.util.Set<SetRef> maps = new java.util.HashSet<>(w.maps);
    maps.retainAll(out.keySet());
    return Optional.of(new TableDelta(out, maps));
  }

  /** Whether the element blocks {@code x} of {@code a} and {@code y} of {@code b} are the same text. */
  private static boolean sameText(String a, List<int[]> x, String b, List<int[]> y) {
    if (x.size() != y.size()) {
      return false;
    }
    for (int i = 0; i < x.size(); i++) {
      int[] u = x.get(i);
      int[] v = y.get(i);
      if (u[1] - u[0] != v[1] - v[0] || !a.regionMatches(u[0], b, v[0], u[1] - u[0])) {
        return false;
      }
    }
    return true;
  }

  /** How many lines apart {@link #difference} looks for the line where the two blocks agree again. */
  private static final int RESYNC = 8;

  /**
   * The elements of {@code was} that {@code now} lacks, and those of {@code now} that {@code was}
   * lacks, each in its block's order: what two sets of the elements would give, but without
   * taking apart the lines the two have in the same order. The blocks are walked side by side,
   * and where they part, the nearest line within {@link #RESYNC} where they agree again is taken
   * (a line added, a line gone, or lines replaced: a policy that gains a peer adds one line per
   * endpoint, spread over a block of 100,000); where none is near, the rest of both is compared
   * as sets. Only the lines not paired so become strings. Exact because an element stands once
   * in a block (the backends cut elements into disjoint ones, and nft refuses a key twice): a
   * line of both blocks is then either paired on both sides or on neither.
   */
  static Sets difference(Block was, Block now) {
    int i = 0;
    int j = 0;
    int na = was.size();
    int nb = now.size();
    List<String> onlyWas = new ArrayList<>();
    List<String> onlyNow = new ArrayList<>();
    while (i < na && j < nb) {
      if (was.same(i, now, j)) {
        i++;
        j++;
        continue;
      }
      int d = 1;
      for (; d <= RESYNC; d++) {
        if (j + d < nb && was.same(i, now, j + d)) {
          now.addTo(onlyNow, j, j + d);
          j += d;
          break;
        }
        if (i + d < na && was.same(i + d, now, j)) {
          was.addTo(onlyWas, i, i + d);
          i += d;
          break;
        }
        if (i + d < na && j + d < nb && was.same(i + d, now, j + d)) {
          was.addTo(onlyWas, i, i + d);
          now.addTo(onlyNow, j, j + d);
          i += d;
          j += d;
          break;
        }
      }
      if (d > RESYNC) {
        break; // no line near where they agree again: the rest as sets
      }
    }
    was.addTo(onlyWas, i, na);
    now.addTo(onlyNow, j, nb);
    Set<String> gone = new LinkedHashSet<>(onlyWas);
    Set<String> come = new LinkedHashSet<>(onlyNow);
    return new Sets(gone.stream().filter(x -> !come.contains(x)).toList(),
        come.stream().filter(x -> !gone.contains(x)).toList());
  }

  /** The element lines of the blocks {@code regions} of a text: where each starts and ends (without a trailing comma). */
  static final class Block {
    private final String text;
    private int[] bounds = new int[64];
    private int size;

    Block(String text, List<int[]> regions) {
      this.text = text;
      for (int[] r : regions) {
        Lines l = new Lines(text, r[0], r[1]);
        while (l.next()) {
          if (2 * size + 2 > bounds.length) {
            bounds = java.util.Arrays.copyOf(bounds, 2 * bounds.length);
          }
          bounds[2 * size] = l.a;
          bounds[2 * size + 1] = text.charAt(l.b - 1) == ',' ? l.b - 1 : l.b;
          size++;
        }
      }
    }

    int size() {
      return size;
    }

    /** Whether line {@code i} of this block is line {@code j} of {@code other}. */
    boolean same(int i, Block other, int j) {
      int len = bounds[2 * i + 1] - bounds[2 * i];
      return len == other.bounds[2 * j + 1] - other.bounds[2 * j]
          && text.regionMatches(bounds[2 * i], other.text, other.bounds[2 * j], len);
    }

    /** Adds lines {@code from} to {@code to} (exclusive), as strings, to {@code out}. */
    void addTo(List<String> out, int from, int to) {
      for (int k = from; k < to; k++) {
        out.add(text.substring(bounds[2 * k], bounds[2 * k + 1]));
      }
    }
  }

  /**
   * The lines of {@code text} from {@code from} to {@code end} that say something: after {@link
   * #next}, the line starts at {@code bol} and its text, without white space at either end, runs
   * from {@code a} to {@code b}. Empty lines and {@code #} comments are passed over.
   */
  private static final class Lines {
    private final String text;
    private final int end;
    private int from;
    int bol;
    int a;
    int b;

    Lines(String text, int from, int end) {
      this.text = text;
      this.from = from;
      this.end = end;
    }

    boolean next() {
      while (from <= end) {
        bol = from;
        int eol = text.indexOf('\n', from);
        if (eol < 0 || eol > end) {
          eol = end;
        }
        a = from;
        b = eol;
        from = eol + 1;
        while (a < b && Character.isWhitespace(text.charAt(a))) {
          a++;
        }
        while (b > a && Character.isWhitespace(text.charAt(b - 1))) {
          b--;
        }
        if (a < b && text.charAt(a) != '#') {
          return true;
        }
      }
      return false;
    }

    /** Where the line after this one starts ({@code end + 1} past the last). */
    int following() {
      return from;
    }
  }

  public boolean empty() {
    return sets.isEmpty();
  }

  /** {@code set allow_in4: +3 -1 elements, map published4: +1 -0 elements}. */
  public String summary() {
    List<String> parts = new ArrayList<>();
    sets.forEach((ref, d) -> parts.add((maps.contains(ref) ? "map " : "set ") + ref.set() + ": +" + d.add().size() + " -"
        + d.delete().size() + " elements"));
    return parts.isEmpty() ? "no element changes" : String.join(", ", parts);
  }

  /**
   * The {@code nft -f} input: every deletion, then every addition, one command per set; nft
   * makes one transaction of it.
   */
  public String script() {
    StringBuilder b = new StringBuilder();
    sets.forEach((ref, d) -> {
      if (!d.delete().isEmpty()) {
        b.append("delete element ").append(ref).append(" {\n");
        appendAll(b, d.delete().stream().map(TableDelta::key).toList());
      }
    });
    sets.forEach((ref, d) -> {
      if (!d.add().isEmpty()) {
        b.append("add element ").append(ref).append(" {\n");
        appendAll(b, d.add());
      }
    });
    return b.toString();
  }

  private static void appendAll(StringBuilder b, List<String> elements) {
    for (int i = 0; i < elements.size(); i++) {
      b.append("  ").append(elements.get(i)).append(i + 1 < elements.size() ? ",\n" : "\n");
    }
    b.append("}\n");
  }

  /** A set or map of a file as the backends print it: its {@code type} line and its element lines (without trailing commas). */
  record PrintedSet(String type, List<String> elements) {
    PrintedSet {
      elements = List.copyOf(elements);
    }
  }

  /** Set {@code ref} of {@code text} (a file as the backends print it); empty when the file is not as printed or has no such set. */
  static Optional<PrintedSet> printedSet(String text, SetRef ref) {
    Parsed p = parse(text);
    if (p == null || !p.blocks.containsKey(ref) || !p.types.containsKey(ref)) {
      return Optional.empty();
    }
    Block b = new Block(text, p.blocks.get(ref));
    List<String> lines = new ArrayList<>();
    b.addTo(lines, 0, b.size());
    return Optional.of(new PrintedSet(p.types.get(ref), lines));
  }

  /**
   * The table file {@code text} without its sets' elements (nor its {@code #} comments), still a
   * file nft loads: for a listing of its rules ({@link RuleDrift}). {@code text} itself when it
   * is not as netc prints it.
   */
  static String withoutElements(String text) {
    Parsed p = parse(text);
    return p == null ? text : p.skeleton.toString();
  }

  /** An element's key: the line without its comment and without a map's value. */
  static String key(String element) {
    String e = ElementDrift.element(element);
    int value = e.indexOf(" : ");
    return value >= 0 ? e.substring(0, value) : e;
  }

  private static final class Parsed {
    final StringBuilder skeleton = new StringBuilder();
    /** By set, where its elements are in the text: each {@code elements = { ... }} block's lines, from and to. */
    final Map<SetRef, List<int[]>> blocks = new LinkedHashMap<>();
    /** By set, its {@code type ...} or {@code typeof ...} line. */
    final Map<SetRef, String> types = new LinkedHashMap<>();
    /** The sets that are maps. */
    final java.util.Set<SetRef> maps = new java.util.HashSet<>();
    int tables;
  }

  /**
   * The file without its elements and comments, and where the elements of each set are; null
   * if not as printed. Scans the text in place: a line becomes a string of its own only when it
   * is outside the element blocks (a table of 100,000 elements is some 7 MB, and every change
   * reads two).
   */
  private static Parsed parse(String text) {
    Parsed p = new Parsed();
    String[] table = null;
    SetRef set = null;
    List<int[]> blocks = null;
    int blockStart = -1; // inside an elements block: where its first line starts
    int depth = 0;
    int n = text.length();
    Lines l = new Lines(text, 0, n);
    while (l.next()) {
      if (blockStart >= 0) {
        if (l.b - l.a == 1 && text.charAt(l.a) == '}') {
          blocks.add(new int[] {blockStart, l.bol});
          blockStart = -1;
        }
        continue;
      }
      String line = text.substring(l.a, l.b);
      if (set != null && line.equals("elements = {")) {
        blockStart = Math.min(l.following(), n);
        continue;
      }
      if (line.endsWith("{") && !line.endsWith("{}")) {
        depth++;
        Matcher t = TABLE.matcher(line);
        if (depth == 1) {
          if (!t.matches()) {
            return null;
          }
          table = new String[] {t.group(1), t.group(2)};
          p.tables++;
        }
        Matcher s = SET.matcher(line);
        if (depth == 2 && s.matches()) {
          set = new SetRef(table[0], table[1], s.group(2));
          if (s.group(1).equals("map")) {
            p.maps.add(set);
          }
          blocks = new ArrayList<>();
          if (p.blocks.put(set, blocks) != null) {
            return null;
          }
        }
      } else if (set != null && depth == 2 && (line.startsWith("type ") || line.startsWith("typeof "))) {
        p.types.put(set, line);
      } else if (line.equals("}")) {
        depth--;
        if (depth < 0) {
          return null;
        }
        if (depth == 1) {
          set = null;
        }
      }
      p.skeleton.append(line).append('\n');
    }
    return blockStart >= 0 || depth != 0 ? null : p;
  }
}
