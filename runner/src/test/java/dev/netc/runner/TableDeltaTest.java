package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Element deltas between two table files as the backends print them. */
class TableDeltaTest {
  private static String file(String allow, String published, String rule) {
    return """
        # netc emit --backend nft: 3 rules, N elements
        table inet netc_t {}
        delete table inet netc_t
        table inet netc_t {
          comment "netc:t"

          # allow ingress rules
          set allow_in4 {
            type ipv4_addr . ipv4_addr . inet_proto . inet_service
            flags interval
        %s  }

          # published ports
          map published4 {
            type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
        %s  }

          chain policy_check {
            %s
            accept comment "admitted"
          }
        }
        """.formatted(allow, published, rule);
  }

  private static String elements(String... lines) {
    if (lines.length == 0) {
      return "";
    }
    return "    elements = {\n      " + String.join(",\n      ", lines) + "\n    }\n";
  }

  private static final String RULE = "ip daddr @isolated_in4 ip saddr . ip daddr . meta l4proto . th dport != @allow_in4 drop comment \"x\"";

  @Test
  void onlyTheChangedElementsAreDeletedAndAddedDeletionsFirst() {
    String a = file(elements("10.0.0.2 . 10.0.0.3 . tcp . 80 comment \"p t.netc:4\"",
        "10.0.0.4-10.0.0.5 . 10.0.0.3 . tcp . 443 comment \"q t.netc:9\""),
        elements("198.18.0.1 . tcp . 8080 comment \"web t.netc:2\" : 10.0.0.3 . 80"), RULE);
    String b = file(elements("10.0.0.2 . 10.0.0.3 . tcp . 80 comment \"p t.netc:4\"",
        "10.0.0.4-10.0.0.5 . 10.0.0.3 . tcp . 444 comment \"q t.netc:9\"",
        "10.0.0.6 . 10.0.0.3 . udp . 53 comment \"r t.netc:12\""),
        elements("198.18.0.1 . tcp . 8080 comment \"web t.netc:2\" : 10.0.0.7 . 80"), RULE);
    TableDelta d = TableDelta.of(a, b).orElseThrow();
    assertEquals("set allow_in4: +2 -1 elements, map published4: +1 -1 elements", d.summary());
    assertEquals("""
        delete element inet netc_t allow_in4 {
          10.0.0.4-10.0.0.5 . 10.0.0.3 . tcp . 443
        }
        delete element inet netc_t published4 {
          198.18.0.1 . tcp . 8080
        }
        add element inet netc_t allow_in4 {
          10.0.0.4-10.0.0.5 . 10.0.0.3 . tcp . 444 comment "q t.netc:9",
          10.0.0.6 . 10.0.0.3 . udp . 53 comment "r t.netc:12"
        }
        add element inet netc_t published4 {
          198.18.0.1 . tcp . 8080 comment "web t.netc:2" : 10.0.0.7 . 80
        }
        """, d.script());
  }

  @Test
  void aSetThatEmptiesOrFillsAndCommentsAlone() {
    String full = file(elements("10.0.0.2 . 10.0.0.3 . tcp . 80"), "", RULE);
    String empty = file("", "", RULE);
    assertEquals("set allow_in4: +0 -1 elements", TableDelta.of(full, empty).orElseThrow().summary());
    assertEquals("set allow_in4: +1 -0 elements", TableDelta.of(empty, full).orElseThrow().summary());
    TableDelta same = TableDelta.of(full, "# another header\n" + full).orElseThrow();
    assertTrue(same.empty());
    assertEquals("", same.script());
  }

  @Test
  void otherRulesOrTypesOrSetsHaveNoDelta() {
    String a = file(elements("10.0.0.2 . 10.0.0.3 . tcp . 80"), "", RULE);
    assertEquals(Optional.empty(), TableDelta.of(a, file(elements("10.0.0.2 . 10.0.0.3 . tcp . 80"), "", "drop")));
    assertEquals(Optional.empty(), TableDelta.of(a, a.replace("flags interval\n", "")));
    assertEquals(Optional.empty(), TableDelta.of(a, a.replace("map published4", "map published6")));
    assertEquals(Optional.empty(), TableDelta.of(a, a.substring(0, a.length() - 3)));
  }

  @Test
  void serviceMapsTakeDeltasWhileTheirChainsAndTheirNumgenRangeStayTheSame() throws Exception {
    String shop = java.nio.file.Files.readString(
        Kernel.root().resolve("golden-tests/examples/k8s/shop/plan-nft.txt"));
    // an endpoint of backend/api moved: one element of its numgen map, deleted by its key
    String moved = shop.replace("1 comment \"backend/api-2 (1 in 2)\" : 10.244.0.5 . 3000",
        "1 comment \"backend/api-2 (1 in 2)\" : 10.244.0.9 . 3000");
    TableDelta d = TableDelta.of(shop, moved).orElseThrow();
    assertEquals("map svc_backend_api_80_tcp_4: +1 -1 elements", d.summary());
    assertTrue(d.script().startsWith("delete element inet netc_shop svc_backend_api_80_tcp_4 {\n  1\n}\n"), d.script());
    // a service's line moved in its file: the verdict map's element, deleted by its key alone
    String line = shop.replace("services.yaml:21\" : goto", "services.yaml:22\" : goto");
    TableDelta l = TableDelta.of(shop, line).orElseThrow();
    assertTrue(l.script().startsWith("delete element inet netc_shop services4 {\n  10.96.0.20 . tcp . 80\n}\n"), l.script());
    // a third endpoint: the map's numgen range changes, so the whole table is replaced
    assertEquals(Optional.empty(), TableDelta.of(shop, shop.replace("typeof numgen random mod 2 : ip daddr . tcp dport",
        "typeof numgen random mod 3 : ip daddr . tcp dport")));
  }

  private static String withBridge(String inet, String... ports) {
    return inet + """

        table bridge netc_t {}
        delete table bridge netc_t
        table bridge netc_t {
          comment "netc:t"

          # ports
          set ports {
            type ifname
        %s  }

          chain prerouting {
            type filter hook prerouting priority filter; policy accept;
            iifname != @ports accept comment "x"
          }
        }
        """.formatted(elements(ports));
  }

  @Test
  void theSetsOfBothTablesOfAFileAreUpdatedEachInItsTable() {
    String a = withBridge(file(elements("10.0.0.2 . 10.0.0.3 . tcp . 80"), "", RULE), "\"ve-a\"", "\"ve-b\"");
    String b = withBridge(file(elements("10.0.0.2 . 10.0.0.3 . tcp . 81"), "", RULE), "\"ve-a\"", "\"ve-c\"");
    TableDelta d = TableDelta.of(a, b).orElseThrow();
    assertEquals("set allow_in4: +1 -1 elements, set ports: +1 -1 elements", d.summary());
    assertEquals("""
        delete element inet netc_t allow_in4 {
          10.0.0.2 . 10.0.0.3 . tcp . 80
        }
        delete element bridge netc_t ports {
          "ve-b"
        }
        add element inet netc_t allow_in4 {
          10.0.0.2 . 10.0.0.3 . tcp . 81
        }
        add element bridge netc_t ports {
          "ve-c"
        }
        """, d.script());
    // a file that gains or loses the bridge table is no element delta: replaced whole
    assertEquals(Optional.empty(), TableDelta.of(file("", "", RULE), withBridge(file("", "", RULE))));
    assertEquals(Optional.empty(), TableDelta.of(withBridge(file("", "", RULE)), file("", "", RULE)));
  }

  @Test
  void aSetWhoseTextIsTheSameIsLeftAloneAndOtherLayoutOfTheSameElementsIsNoChange() {
    String a = withBridge(file(elements("10.0.0.2 . 10.0.0.3 . tcp . 80", "10.0.0.4 . 10.0.0.3 . tcp . 80"), "", RULE), "\"ve-a\"");
    // the set's elements in another order, with a comment line and blank lines among them, and
    // a last comma: the same elements, no change; the bridge table's set changed alone
    String b = withBridge(file("""
            elements = {

              # the same two, the other way round
              10.0.0.4 . 10.0.0.3 . tcp . 80,
              10.0.0.2 . 10.0.0.3 . tcp . 80,
            }
        """, "", RULE), "\"ve-b\"");
    TableDelta d = TableDelta.of(a, b).orElseThrow();
    assertEquals("set ports: +1 -1 elements", d.summary());
    // a block not closed is no file as printed
    assertEquals(Optional.empty(), TableDelta.of(a, file("    elements = {\n      10.0.0.2 . 10.0.0.3 . tcp . 80\n", "", RULE)));
    // two element blocks of one set count as one
    String twice = file(elements("10.0.0.2 . 10.0.0.3 . tcp . 80") + elements("10.0.0.4 . 10.0.0.3 . tcp . 80"), "", RULE);
    assertTrue(TableDelta.of(file(elements("10.0.0.4 . 10.0.0.3 . tcp . 80", "10.0.0.2 . 10.0.0.3 . tcp . 80"), "", RULE), twice)
        .orElseThrow().empty());
  }

  /** A block of {@code lines} as the file has it: one a line, indented, commas between, a comment and a blank line among them. */
  private static TableDelta.Block block(List<String> lines, java.util.Random r) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < lines.size(); k++) {
      if (r.nextInt(50) == 0) {
        b.append(r.nextBoolean() ? "\n" : "      # a comment\n");
      }
      b.append("      ").append(lines.get(k)).append(k + 1 < lines.size() ? ",\n" : "\n");
    }
    return new TableDelta.Block(b.toString(), List.of(new int[] {0, b.length()}));
  }

  @Test
  void theDifferenceOfTwoBlocksIsTheDifferenceOfTheirSets() {
    java.util.Random r = new java.util.Random(20261123);
    int fresh = 0;
    for (int round = 0; round < 3000; round++) {
      List<String> was = new java.util.ArrayList<>();
      for (int k = r.nextInt(round % 10 == 0 ? 3 : 400); k > 0; k--) {
        was.add("10.0." + (fresh / 250) + "." + (fresh % 250) + " . 10.1.0.2 . tcp . " + (fresh++ % 7 + 80) + " comment \"p t.netc:4\"");
      }
      List<String> now = new java.util.ArrayList<>(was);
      int edits = r.nextInt(round % 3 == 0 ? 40 : 6);
      for (int k = 0; k < edits; k++) {
        int op = r.nextInt(6);
        int at = now.isEmpty() ? 0 : r.nextInt(now.size());
        if (op == 0 && !now.isEmpty()) {
          now.remove(at); // an element gone
        } else if (op == 1) {
          now.add(Math.min(at, now.size()), "172.16." + (fresh / 250) + "." + (fresh++ % 250) + " . 10.1.0.2 . tcp . 80"); // one new
        } else if (op == 2 && !now.isEmpty()) {
          now.set(at, now.get(at).replace("p t.netc:4", "q t.netc:" + fresh++)); // another comment
        } else if (op == 3 && now.size() > 1) {
          java.util.Collections.swap(now, at, r.nextInt(now.size())); // moved
        } else if (op == 4 && now.size() > 20) {
          int from = r.nextInt(now.size() - 10);
          List<String> run = new java.util.ArrayList<>(now.subList(from, from + 10));
          now.subList(from, from + 10).clear();
          now.addAll(r.nextInt(now.size() + 1), run); // ten moved together, far
        } else if (op == 5 && r.nextInt(20) == 0) {
          java.util.Collections.shuffle(now, r); // another order altogether
        }
      }
      java.util.Set<String> before = new java.util.LinkedHashSet<>(was);
      java.util.Set<String> after = new java.util.LinkedHashSet<>(now);
      TableDelta.Sets expected = new TableDelta.Sets(before.stream().filter(x -> !after.contains(x)).toList(),
          after.stream().filter(x -> !before.contains(x)).toList());
      assertEquals(expected, TableDelta.difference(block(was, r), block(now, r)), "round " + round);
    }
  }
}
