package dev.netc.backends.nftables;

import dev.netc.backends.Templates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a {@link Ruleset} as an {@code nft -f} file that replaces the table atomically: {@code
 * table inet X {}} (creates it when missing), {@code delete table inet X}, then the whole table,
 * all in the one transaction {@code nft -f} makes of a file.
 */
public final class NftFile {
  private NftFile() {}

  /** The file of one table, after {@code header} lines (printed as {@code #} comments). */
  public static String render(Ruleset r, List<String> header) {
    return render(List.of(r), header);
  }

  /**
   * The file of several tables (a host's {@code inet} table and its {@code bridge} companion),
   * each replaced as above, all in one transaction.
   */
  public static String render(List<Ruleset> tables, List<String> header) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("header", header);
    model.put("tables", tables.stream().map(NftFile::table).toList());
    return Templates.render("nft-table.ftl", model);
  }

  private static Map<String, Object> table(Ruleset r) {
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("family", r.family());
    model.put("table", r.table());
    model.put("comment", r.comment());
    List<Map<String, Object>> sets = new ArrayList<>();
    for (NftSet s : r.sets()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("kind", s.isMap() ? "map" : "set");
      m.put("comment", s.comment());
      m.put("type", s.typeLine());
      m.put("typeKeyword", s.typeof().isPresent() ? "typeof" : "type");
      m.put("interval", s.interval());
      m.put("elements", s.elements().stream().map(NftSet.Element::render).toList());
      sets.add(m);
    }
    model.put("sets", sets);
    List<Map<String, Object>> chains = new ArrayList<>();
    for (Chain c : r.chains()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("comment", c.comment());
      m.put("hook", c.hook().map(Chain.Hook::render).orElse(""));
      m.put("rules", c.rules().stream().map(Rule::render).toList());
      chains.add(m);
    }
    model.put("chains", chains);
    return model;
  }
}
