package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netc.runner.netlink.NftDump;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * How a table's set elements changed by hand are named ({@link TableDrift}), with a recorded
 * reader of the kernel's elements: only the sets whose elements can be printed back are read.
 */
class TableDriftTest {
  @Test
  void aTypeofSetIsCountedWithoutReadingItsElements() {
    Runner.Target t = Kernel.target(Kernel.compile("examples/services.netc"), "nr-drift");
    String applied = t.nft().orElseThrow();
    String name = t.host().table().orElseThrow().id().name().split(" ")[1];
    String typeof = set(applied, "typeof ");
    String typed = set(applied, "type ");
    List<String> reads = new ArrayList<>();
    TableDrift drift = new TableDrift(new RecordingExecutor((a, in) -> new CommandExecutor.Result(1, "", "")),
        (ns, family, table, set) -> {
          reads.add(ns + " " + family + " " + table + " " + set);
          return Optional.of(List.<NftDump.SetElement>of());
        });
    // both sets' elements changed (the rules did not)
    Map<String, TableRules.SetElements> before = new LinkedHashMap<>();
    before.put("inet:" + typeof, new TableRules.SetElements(2, "0000000000000002"));
    before.put("inet:" + typed, new TableRules.SetElements(1, "0000000000000003"));
    Map<String, TableRules.SetElements> after = new LinkedHashMap<>();
    after.put("inet:" + typeof, new TableRules.SetElements(3, "0000000000000005"));
    after.put("inet:" + typed, new TableRules.SetElements(0, "0000000000000006"));
    TableRules was = new TableRules(10, Optional.of("a".repeat(64)), Optional.of(new TableRules.Elements(3, "0000000000000001", before)));
    TableRules now = new TableRules(10, Optional.of("a".repeat(64)), Optional.of(new TableRules.Elements(3, "0000000000000004", after)));
    String named = drift.named(t, Optional.of(applied), was, now, "set elements edited since apply");
    // the typeof map by its numbers, its elements not read; the other set read (empty now: its
    // element named deleted)
    assertEquals("set " + typeof + ": 3 elements, applied with 2, set bridges: \"br-shop\" (network shop) deleted since apply", named);
    assertEquals("bridges", typed);
    assertEquals(List.of(t.hostNs() + " inet " + name + " " + typed), reads);
  }

  /** The name of the first set or map of {@code text} whose type line starts with {@code keyword}. */
  private static String set(String text, String keyword) {
    Matcher m = Pattern.compile("(?m)^\\s*(?:set|map) (\\S+) \\{\\n\\s*" + keyword).matcher(text);
    assertTrue(m.find(), keyword + " in " + text);
    return m.group(1);
  }
}
