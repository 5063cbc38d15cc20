package dev.netc.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The chains of nft's listings, and how two of them differ, in exact words. */
class RuleDriftTest {
  private static final String LOADED = """
      table inet netc_shop {
      \tcomment "netc:shop"
      \tset allow_in4 {
      \t\ttype ipv4_addr . inet_service
      \t}

      \tchain forward {
      \t\ttype filter hook forward priority filter; policy accept;
      \t\tct state established,related accept
      \t\tct state invalid drop
      \t\tjump policy_check
      \t}

      \tchain policy_check {
      \t\tip saddr . tcp dport @allow_in4 accept
      \t\tdrop
      \t}
      }
      table inet someone_else {
      \tchain forward {
      \t\ttype filter hook forward priority filter; policy drop;
      \t}
      }
      table bridge netc_shop {
      \tchain prerouting {
      \t\ttype filter hook prerouting priority filter; policy accept;
      \t\tiifname != @ports accept
      \t}
      }
      """;

  private static Optional<String> differ(String now) {
    return RuleDrift.describe(RuleDrift.chains(LOADED, "netc_shop"), RuleDrift.chains(now, "netc_shop"));
  }

  @Test
  void theChainsOfTheTablesOfThatNameOnly() {
    Map<String, List<String>> chains = RuleDrift.chains(LOADED, "netc_shop");
    assertEquals(List.of("inet forward", "inet policy_check", "bridge prerouting"), List.copyOf(chains.keySet()));
    assertEquals(List.of("type filter hook forward priority filter; policy accept;", "ct state established,related accept",
        "ct state invalid drop", "jump policy_check"), chains.get("inet forward"));
    assertEquals(Optional.empty(), differ(LOADED));
  }

  @Test
  void rulesAddedDeletedFlushedAndReorderedAreNamed() {
    assertEquals(Optional.of("chain forward: `ct state established accept` added, `ct state established,related accept` deleted"),
        differ(LOADED.replace("ct state established,related accept", "ct state established accept")));
    assertEquals(Optional.of("chain policy_check flushed (2 rules)"),
        differ(LOADED.replace("\t\tip saddr . tcp dport @allow_in4 accept\n\t\tdrop\n", "")));
    assertEquals(Optional.of("rules of chain forward reordered"),
        differ(LOADED.replace("ct state invalid drop\n\t\tjump policy_check", "jump policy_check\n\t\tct state invalid drop")));
    // a chain's policy is one of its lines
    assertEquals(Optional.of("chain forward: `type filter hook forward priority filter; policy drop;` added,"
        + " `type filter hook forward priority filter; policy accept;` deleted"),
        differ(LOADED.replaceFirst("policy accept;", "policy drop;")));
    // the bridge table's chains say their family; a rule twice is a rule added
    assertEquals(Optional.of("chain prerouting (bridge): `iifname != @ports accept` added"),
        differ(LOADED.replace("\t\tiifname != @ports accept\n", "\t\tiifname != @ports accept\n\t\tiifname != @ports accept\n")));
    String four = LOADED.replace("\t\tdrop\n", "\t\tip saddr 10.0.0.1 accept\n\t\tip saddr 10.0.0.2 accept\n"
        + "\t\tip saddr 10.0.0.3 accept\n\t\tip saddr 10.0.0.4 accept\n\t\tdrop\n");
    assertEquals(Optional.of("chain policy_check: `ip saddr 10.0.0.1 accept`, `ip saddr 10.0.0.2 accept`,"
        + " `ip saddr 10.0.0.3 accept` and 1 more added"), differ(four));
  }

  @Test
  void chainsAddedAndDeletedThreeNamed() {
    String more = LOADED.replace("\tchain policy_check {", "\tchain a {\n\t}\n\tchain b {\n\t}\n\tchain c {\n\t}\n\tchain policy_check {");
    assertEquals(Optional.of("chain a added, chain b added, chain c added"), differ(more));
    assertEquals(Optional.of("chain forward: `drop` added, chain a added, chain b added and 1 more chains"),
        differ(more.replace("\t\tjump policy_check\n", "\t\tjump policy_check\n\t\tdrop\n")));
    assertEquals(Optional.of("chain prerouting (bridge) deleted"), differ(LOADED.substring(0, LOADED.indexOf("table bridge"))));
  }

  @Test
  void theLoadedFileWithoutItsElements() {
    String file = """
        table inet netc_shop {
        \tset allow_in4 {
        \t\ttype ipv4_addr
        \t\telements = {
        \t\t\t10.0.0.1,
        \t\t\t10.0.0.2
        \t\t}
        \t}
        \tchain forward {
        \t\tdrop
        \t}
        }
        """;
    assertEquals("table inet netc_shop {\nset allow_in4 {\ntype ipv4_addr\n}\nchain forward {\ndrop\n}\n}\n",
        RuleDrift.withoutElements(file));
  }
}
