package dev.netc.runner.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What netc reads of nftables, over {@code NETLINK_NETFILTER} in the calling thread's namespace:
 * the tables that have a chain ({@code NFT_MSG_GETCHAIN}, as {@code nft -j list chains} tells),
 * and the number of rules of one table ({@code NFT_MSG_GETRULE} filtered by table). Neither
 * fetches a set element: nft 1.0.6 lists every element even for {@code list tables} and {@code
 * -t list table} (1.2 s with 100,000 elements).
 */
public final class NftDump {
  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFT_MSG_GETCHAIN = 4;
  private static final int NFT_MSG_GETRULE = 7;
  private static final int NFT_MSG_GETGEN = 16;
  private static final int NFTA_GEN_ID = 1;
  private static final int NFTA_CHAIN_TABLE = 1;
  private static final int NFTA_RULE_TABLE = 1;
  private static final int NFTA_RULE_CHAIN = 2;
  private static final int NFTA_RULE_EXPRESSIONS = 4;
  private static final int NFTA_RULE_USERDATA = 7;
  private static final int NFTA_EXPR_NAME = 1;
  private static final int NFTA_EXPR_DATA = 2;
  /** Expressions whose data traffic changes. */
  private static final Set<String> STATEFUL = Set.of("counter", "quota", "limit", "last", "connlimit");
  /** nftables families by {@code NFPROTO_*} number, as nft names them. */
  private static final Map<Integer, String> FAMILIES = Map.of(1, "inet", 2, "ip", 3, "arp", 5, "netdev", 7, "bridge", 10, "ip6");

  private NftDump() {}

  /** The tables of the calling thread's namespace that have a chain, as {@code FAMILY NAME}. */
  public static Set<String> tablesWithChains() throws IOException {
    Set<String> out = new TreeSet<>();
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
      for (ByteBuffer m : sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETCHAIN, header(0))) {
        Map<Integer, ByteBuffer> a = RouteDump.attributes(m, 4);
        if (a.containsKey(NFTA_CHAIN_TABLE)) {
          out.add(FAMILIES.getOrDefault(m.get(0) & 0xff, "family" + (m.get(0) & 0xff)) + " "
              + RouteDump.string(a.get(NFTA_CHAIN_TABLE)));
        }
      }
    }
    return out;
  }

  /**
   * Which nftables ruleset a namespace has: the generation its last transaction made ({@code
   * NFT_MSG_GETGEN}; every transaction that changes any table of the namespace makes the next
   * one) and the namespace's cookie (a namespace made anew starts counting again). The same
   * generation of the same namespace: not one rule, set or element of it changed in between.
   */
  public record Generation(long id, long cookie) {
    /** {@code ID COOKIE}, as the table's record keeps it. */
    public String text() {
      return id + " " + cookie;
    }
  }

  /** The tables that have a chain ({@link #tablesWithChains}), and the generation read with them. */
  public record Chains(Set<String> tables, java.util.Optional<Generation> generation) {}

  /**
   * The tables of the calling thread's namespace that have a chain, and its generation (empty
   * when it cannot be read: the tables are what the caller needs).
   */
  public static Chains chains() throws IOException {
    java.util.Optional<Generation> g;
    try {
      g = generation();
    } catch (IOException e) {
      g = java.util.Optional.empty();
    }
    return new Chains(tablesWithChains(), g);
  }

  /** A table's rules, and the generation read just before them. */
  public record Witness(java.util.Optional<Generation> generation, Rules rules) {}

  /** The generation of the calling thread's namespace; empty on a kernel without namespace cookies. */
  public static java.util.Optional<Generation> generation() throws IOException {
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
      java.util.OptionalLong cookie = sock.netnsCookie();
      if (cookie.isEmpty()) {
        return java.util.Optional.empty();
      }
      ByteBuffer gen = RouteDump.attributes(sock.query(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETGEN, header(0)), 4)
          .get(NFTA_GEN_ID);
      if (gen == null || gen.remaining() < 4) {
        throw new IOException("no generation in the answer to NFT_MSG_GETGEN");
      }
      return java.util.Optional.of(new Generation(Integer.toUnsignedLong(gen.duplicate().order(ByteOrder.BIG_ENDIAN).getInt()),
          cookie.getAsLong()));
    }
  }

  /**
   * The rules of a table, as a witness of "not edited since": their number, and a SHA-256 of
   * each rule's chain, expressions and comment, in the kernel's order (the handles left out; the
   * data of stateful expressions, counters, quotas, limits, left out too, which traffic changes).
   */
  public record Rules(int count, String sha256) {}

  /** The rules of table {@code family name} in the calling thread's namespace ({@link Rules}). */
  public static Rules rules(String family, String name) throws IOException {
    return rules(List.of(family), name);
  }

  /**
   * The rules of the tables named {@code name} of each of {@code families}, one after the other,
   * as one witness (a table that is missing has none). One dump per family: the kernel ends a
   * dump filtered by table name at the first table of that name, whatever the family.
   */
  public static Rules rules(List<String> families, String name) throws IOException {
    List<ByteBuffer> rules = new ArrayList<>();
    for (String family : families) {
      rules.addAll(dumpRules(family, name));
    }
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (ByteBuffer m : rules) {
      Map<Integer, ByteBuffer> a = RouteDump.attributes(m, 4);
      feed(d, a.get(NFTA_RULE_CHAIN));
      ByteBuffer exprs = a.get(NFTA_RULE_EXPRESSIONS);
      if (exprs != null) {
        for (Map.Entry<Integer, ByteBuffer> elem : RouteDump.attributeList(exprs, 0)) {
          Map<Integer, ByteBuffer> e = RouteDump.attributes(elem.getValue(), 0);
          ByteBuffer exprName = e.get(NFTA_EXPR_NAME);
          feed(d, exprName);
          if (exprName == null || !STATEFUL.contains(RouteDump.string(exprName))) {
            feed(d, e.get(NFTA_EXPR_DATA));
          }
        }
      }
      feed(d, a.get(NFTA_RULE_USERDATA));
      d.update((byte) '\n');
    }
    return new Rules(rules.size(), HexFormat.of().formatHex(d.digest()));
  }

  private static List<ByteBuffer> dumpRules(String family, String name) throws IOException {
    int f = FAMILIES.entrySet().stream().filter(e -> e.getValue().equals(family)).mapToInt(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new IOException("unknown nftables family " + family));
    byte[] table = name.getBytes(StandardCharsets.UTF_8);
    int len = 4 + table.length + 1;
    ByteBuffer p = ByteBuffer.allocate(4 + NetlinkSocket.align(len)).order(ByteOrder.nativeOrder());
    p.put(header(f)).putShort((short) len).putShort((short) NFTA_RULE_TABLE).put(table).put((byte) 0);
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
      return sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE, p.array());
    }
  }

  /** An attribute's bytes, after their length (absent: length -1). */
  private static void feed(MessageDigest d, ByteBuffer v) {
    int n = v == null ? -1 : v.remaining();
    d.update(new byte[] {(byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n});
    if (v != null) {
      d.update(v.duplicate());
    }
  }

  /** {@code struct nfgenmsg}: family, version 0, resource id 0. */
  private static byte[] header(int family) {
    return new byte[] {(byte) family, 0, 0, 0};
  }
}
