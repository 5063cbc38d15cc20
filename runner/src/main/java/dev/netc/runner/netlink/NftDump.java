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
 * the ruleset's generation ({@code NFT_MSG_GETGEN}), the tables that have a chain ({@code
 * NFT_MSG_GETCHAIN}, as {@code nft -j list chains} tells), the base chains with their hook and
 * policy (the same dump), the rules of one table ({@code NFT_MSG_GETRULE} filtered by table),
 * and, only when asked, its sets' elements ({@code NFT_MSG_GETSET}, {@code NFT_MSG_GETSETELEM}),
 * up to a number per set. Nothing else fetches a set element: nft 1.0.6 lists every element
 * even for {@code list tables} and {@code -t list table} (1.2 s with 100,000 elements).
 */
public final class NftDump {
  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFT_MSG_GETTABLE = 1;
  private static final int NFT_MSG_GETCHAIN = 4;
  private static final int NFT_MSG_GETRULE = 7;
  private static final int NFT_MSG_GETSET = 10;
  private static final int NFT_MSG_GETSETELEM = 13;
  private static final int NFT_MSG_GETGEN = 16;
  private static final int NFTA_SET_TABLE = 1;
  private static final int NFTA_SET_NAME = 2;
  private static final int NFTA_SET_FLAGS = 3;
  private static final int NFT_SET_ANONYMOUS = 1;
  /** The attributes of a set that make its shape: flags, key type and length, data type and length. */
  private static final int[] NFTA_SET_SHAPE = {3, 4, 5, 6, 7};
  private static final int NFTA_SET_ELEM_LIST_TABLE = 1;
  private static final int NFTA_SET_ELEM_LIST_SET = 2;
  private static final int NFTA_SET_ELEM_LIST_ELEMENTS = 3;
  /**
   * The attributes of an element that traffic or time change ({@code NFTA_SET_ELEM_TIMEOUT},
   * {@code _EXPIRATION}, {@code _EXPR}, {@code _PAD}, {@code _EXPRESSIONS}): left out of its digest.
   */
  private static final Set<Integer> ELEM_STATEFUL = Set.of(4, 5, 7, 8, 11);
  private static final int NFTA_SET_ELEM_KEY = 1;
  private static final int NFTA_SET_ELEM_DATA = 2;
  private static final int NFTA_SET_ELEM_FLAGS = 3;
  private static final int NFTA_SET_ELEM_KEY_END = 10;
  private static final int NFTA_DATA_VALUE = 1;
  /** The end of an interval, which the kernel keeps as an element of its own in a set of one field. */
  private static final int NFT_SET_ELEM_INTERVAL_END = 1;
  private static final int NFTA_GEN_ID = 1;
  private static final int NFTA_TABLE_NAME = 1;
  private static final int NFTA_TABLE_USERDATA = 6;
  /** The comment in a table's user data, as nft writes it ({@code NFTNL_UDATA_TABLE_COMMENT}). */
  private static final int NFTNL_UDATA_TABLE_COMMENT = 0;
  private static final int NFTA_CHAIN_TABLE = 1;
  private static final int NFTA_CHAIN_NAME = 3;
  private static final int NFTA_CHAIN_HOOK = 4;
  private static final int NFTA_CHAIN_POLICY = 5;
  private static final int NFTA_HOOK_HOOKNUM = 1;
  private static final int NFTA_HOOK_DEV = 3;
  /** The devices of a chain of several ({@code NFTA_DEVICE_NAME} each; a chain of one has {@code NFTA_HOOK_DEV} too). */
  private static final int NFTA_HOOK_DEVS = 4;
  /** A base chain's policy {@code drop} ({@code NF_DROP}; {@code NF_ACCEPT} is 1). */
  private static final int NF_DROP = 0;
  /**
   * The attributes of a chain that make its shape: its hook (hook number, priority, device),
   * policy, type, flags and comment ({@code NFTA_CHAIN_HOOK}, {@code _POLICY}, {@code _TYPE},
   * {@code _FLAGS}, {@code _USERDATA}); not its handle, its use count or its counters.
   */
  private static final int[] NFTA_CHAIN_SHAPE = {4, 5, 7, 10, 12};
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
   * The comment of every table of the calling thread's namespace, by {@code FAMILY NAME} ({@code
   * ""} for a table without one): {@code NFT_MSG_GETTABLE}, the comment read from the table's user
   * data as nft writes it (type, length, text ending in a zero byte).
   */
  public static Map<String, String> tableComments() throws IOException {
    Map<String, String> out = new java.util.TreeMap<>();
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
      for (ByteBuffer m : sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETTABLE, header(0))) {
        Map<Integer, ByteBuffer> a = RouteDump.attributes(m, 4);
        if (a.containsKey(NFTA_TABLE_NAME)) {
          out.put(FAMILIES.getOrDefault(m.get(0) & 0xff, "family" + (m.get(0) & 0xff)) + " "
              + RouteDump.string(a.get(NFTA_TABLE_NAME)), comment(a.get(NFTA_TABLE_USERDATA)));
        }
      }
    }
    return out;
  }

  /** The comment in a table's user data ({@code null}: none): a sequence of type, length, value. */
  static String comment(ByteBuffer userdata) {
    if (userdata == null) {
      return "";
    }
    ByteBuffer b = userdata.duplicate();
    while (b.remaining() >= 2) {
      int type = b.get() & 0xff;
      int length = b.get() & 0xff;
      if (length > b.remaining()) {
        break;
      }
      ByteBuffer value = b.slice();
      value.limit(length);
      b.position(b.position() + length);
      if (type == NFTNL_UDATA_TABLE_COMMENT) {
        return RouteDump.string(value);
      }
    }
    return "";
  }

  /**
   * A base chain: one that a hook of the kernel calls, so that it filters (or translates, or
   * routes) traffic whatever other tables do.
   *
   * @param family the table's family, as nft names it ({@code inet}, {@code ip}, {@code bridge}, ...)
   * @param hook the hook as nft names it ({@code forward}, {@code input}, {@code ingress}, ...)
   * @param devices the devices of a {@code netdev} (or {@code inet} ingress) chain; none for the others
   * @param policy {@code accept} or {@code drop}
   */
  public record BaseChain(String family, String table, String name, String hook, List<String> devices, String policy) {
    public BaseChain {
      devices = List.copyOf(devices);
    }
  }

  /**
   * The base chains of the calling thread's namespace ({@code NFT_MSG_GETCHAIN} of every family;
   * a chain with {@code NFTA_CHAIN_HOOK}), in the order the kernel lists them.
   */
  public static List<BaseChain> baseChains() throws IOException {
    List<BaseChain> out = new ArrayList<>();
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
      for (ByteBuffer m : sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETCHAIN, header(0))) {
        Map<Integer, ByteBuffer> a = RouteDump.attributes(m, 4);
        ByteBuffer hook = a.get(NFTA_CHAIN_HOOK);
        if (hook == null || !a.containsKey(NFTA_CHAIN_TABLE) || !a.containsKey(NFTA_CHAIN_NAME)) {
          continue; // a regular chain: only a jump or goto reaches it
        }
        Map<Integer, ByteBuffer> h = RouteDump.attributes(hook, 0);
        int family = m.get(0) & 0xff;
        String hookName = h.containsKey(NFTA_HOOK_HOOKNUM) ? hookName(family, be32(h.get(NFTA_HOOK_HOOKNUM))) : "hook";
        List<String> devices = new ArrayList<>();
        if (h.containsKey(NFTA_HOOK_DEVS)) {
          RouteDump.attributeList(h.get(NFTA_HOOK_DEVS), 0).forEach(d -> devices.add(RouteDump.string(d.getValue())));
        } else if (h.containsKey(NFTA_HOOK_DEV)) {
          devices.add(RouteDump.string(h.get(NFTA_HOOK_DEV)));
        }
        ByteBuffer policy = a.get(NFTA_CHAIN_POLICY);
        out.add(new BaseChain(FAMILIES.getOrDefault(family, "family" + family), RouteDump.string(a.get(NFTA_CHAIN_TABLE)),
            RouteDump.string(a.get(NFTA_CHAIN_NAME)), hookName, devices,
            policy == null ? "accept" : be32(policy) == NF_DROP ? "drop" : "accept"));
      }
    }
    return out;
  }

  /** A hook's name as nft gives it: {@code NF_INET_*}, {@code NF_ARP_*} or {@code NF_NETDEV_*} by family. */
  static String hookName(int family, int hook) {
    List<String> names = switch (family) {
      case 3 -> List.of("input", "output", "forward"); // arp
      case 5 -> List.of("ingress", "egress"); // netdev
      default -> List.of("prerouting", "input", "forward", "output", "postrouting", "ingress");
    };
    return hook >= 0 && hook < names.size() ? names.get(hook) : "hook " + hook;
  }

  /** A 32-bit attribute in network byte order, as nftables sends its numbers. */
  private static int be32(ByteBuffer v) {
    return v.duplicate().order(ByteOrder.BIG_ENDIAN).getInt(0);
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

  /**
   * The tables that have a chain ({@link #tablesWithChains}), the generation read with them, and
   * the comments of the namespace's tables ({@link #tableComments}).
   */
  public record Chains(Set<String> tables, java.util.Optional<Generation> generation, Map<String, String> comments) {
    public Chains {
      comments = Map.copyOf(comments);
    }
  }

  /**
   * The tables of the calling thread's namespace that have a chain, its generation (empty when it
   * cannot be read: the tables are what the caller needs), and its tables' comments.
   */
  public static Chains chains() throws IOException {
    java.util.Optional<Generation> g;
    try {
      g = generation();
    } catch (IOException e) {
      g = java.util.Optional.empty();
    }
    return new Chains(tablesWithChains(), g, tableComments());
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
   * data of stateful expressions, counters, quotas, limits, left out too, which traffic changes);
   * a SHA-256 of its chains' shape, {@code chains}: each chain's name, hook, priority, policy,
   * type, flags and comment, in the kernel's order (a policy changed by hand changes no rule);
   * and the elements of its sets ({@link Elements}).
   */
  public record Rules(int count, String sha256, String chains, java.util.Optional<Elements> elements) {}

  /**
   * The elements of a table's sets and maps, as a witness of "not edited since": their number
   * (an interval counts once, as nft counts it, though the kernel keeps its end as an element of
   * its own in a set of one field), and a digest that does not depend on the order the kernel lists them in (a hash set's order
   * changes when it is resized, which it may do a moment after a transaction): the sum of a
   * 64-bit hash of each element (its set, key, key end, flags, data, comment; not its timeout,
   * expiry or counters) and of each set's shape (name, flags, key and data types). An element
   * added or deleted by hand, or a set added, changes it. {@code sets}: the same of each set and
   * map, by {@code FAMILY:NAME} in the kernel's order; a set whose read stopped at its limit has
   * no digest ({@code ""}) and the number read until then, and the table's number and digest
   * are those of the other sets.
   */
  public record Elements(int count, String digest, Map<String, SetElements> sets) {
    public Elements {
      sets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sets));
    }

    /** Whether every set was read whole. */
    public boolean complete() {
      return sets.values().stream().allMatch(SetElements::whole);
    }
  }

  /** The elements of one set or map: their number and digest ({@link Elements}). */
  public record SetElements(int count, String digest) {
    public boolean whole() {
      return !digest.isEmpty();
    }
  }


  /**
   * The rules of the tables named {@code name} of each of {@code families}, one after the other,
   * as one witness (a table that is missing has none). One dump per family: the kernel ends a
   * dump filtered by table name at the first table of that name, whatever the family. Then their
   * elements, unless {@code maxElements} is negative ({@link #elements}).
   */
  public static Rules rules(List<String> families, String name, int maxElements) throws IOException {
    List<ByteBuffer> rules = new ArrayList<>();
    for (String family : families) {
      rules.addAll(dumpRules(family, name));
    }
    MessageDigest d = sha256();
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
    return new Rules(rules.size(), HexFormat.of().formatHex(d.digest()), chains(families, name),
        maxElements < 0 ? java.util.Optional.empty() : java.util.Optional.of(elements(families, name, maxElements)));
  }

  /**
   * The SHA-256 of the shape of the chains of the tables named {@code name} of each of {@code
   * families} ({@link Rules#chains}): one {@code NFT_MSG_GETCHAIN} dump per family (the kernel
   * filters a dump of chains by family only), the other tables' chains skipped.
   */
  private static String chains(List<String> families, String name) throws IOException {
    MessageDigest d = sha256();
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
      for (String family : families) {
        for (ByteBuffer m : sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETCHAIN, header(family(family)))) {
          Map<Integer, ByteBuffer> a = RouteDump.attributes(m, 4);
          ByteBuffer table = a.get(NFTA_CHAIN_TABLE);
          if (table == null || !RouteDump.string(table).equals(name)) {
            continue; // another table's chain
          }
          d.update(family.getBytes(StandardCharsets.UTF_8));
          feed(d, a.get(NFTA_CHAIN_NAME));
          for (int k : NFTA_CHAIN_SHAPE) {
            feed(d, a.get(k));
          }
          d.update((byte) '\n');
        }
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The elements of the sets and maps of the tables named {@code name} of each of {@code
   * families} ({@link Elements}): the sets of each family, then a dump of each set of the table,
   * each stopped after {@code maxPerSet} elements (that set is then not read: its digest is
   * {@code ""}, and the table's totals leave it out). The kernel dumps a set some 300 elements at
   * a time, and walks it from its first element for each (Linux 6.18): a set of 100,000 elements
   * takes some 800 ms, one of 10,000 some 25 ms.
   */
  public static Elements elements(List<String> families, String name, int maxPerSet) throws IOException {
    Digest64 total = new Digest64();
    Map<String, SetElements> sets = new java.util.LinkedHashMap<>();
    NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER);
    try {
      for (String family : families) {
        int f = family(family);
        for (ByteBuffer m : sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETSET, header(f))) {
          Map<Integer, ByteBuffer> a = RouteDump.attributes(m, 4);
          ByteBuffer table = a.get(NFTA_SET_TABLE);
          ByteBuffer set = a.get(NFTA_SET_NAME);
          if (table == null || set == null || !RouteDump.string(table).equals(name)) {
            continue; // another table's set
          }
          ByteBuffer flags = a.get(NFTA_SET_FLAGS);
          if (flags != null && flags.remaining() >= 4 && (flags.get(flags.position() + 3) & NFT_SET_ANONYMOUS) != 0) {
            continue; // a rule's own set ({ 80, 443 }): made with the rule, in the rules' digest by its name, never changed
          }
          // the set itself: a set added by hand counts, even empty
          long seed = Digest64.seed(family + " " + RouteDump.string(set));
          Digest64 one = new Digest64();
          one.start(seed);
          for (int k : NFTA_SET_SHAPE) {
            one.attribute(k, a.get(k));
          }
          one.add(false);
          byte[] filter = attributes(header(f), NFTA_SET_ELEM_LIST_TABLE, name, NFTA_SET_ELEM_LIST_SET, RouteDump.string(set));
          boolean whole = sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETSETELEM, filter, e -> {
            ByteBuffer list = RouteDump.attributes(e, 4).get(NFTA_SET_ELEM_LIST_ELEMENTS);
            if (list != null) {
              element(one, seed, list);
            }
            return one.count <= maxPerSet;
          });
          String key = family + ":" + RouteDump.string(set);
          if (whole) {
            sets.put(key, new SetElements(one.count, HexFormat.of().toHexDigits(one.sum)));
            total.sum += one.sum;
            total.count += one.count;
          } else {
            sets.put(key, new SetElements(one.count, ""));
            // the socket is left mid-dump: the next set gets a new one
            sock.close();
            sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER);
          }
        }
      }
    } finally {
      sock.close();
    }
    return new Elements(total.count, HexFormat.of().toHexDigits(total.sum), sets);
  }

  /**
   * One element of a set or map as the kernel keeps it: its key's bytes, the end of its range in
   * a set of several fields with ranges ({@code NFTA_SET_ELEM_KEY_END}, else null), a map's value
   * (else null), and whether it is the end of an interval of a set of one field (the kernel keeps
   * that end, one past the range, as an element of its own).
   */
  public record SetElement(byte[] key, byte[] keyEnd, byte[] data, boolean intervalEnd) {}

  /**
   * The elements of set {@code set} of table {@code FAMILY table}, in the kernel's order; empty
   * when it has more than {@code max}. Only what names an element is read: timeouts, counters and
   * comments are not.
   */
  public static java.util.Optional<List<SetElement>> setElements(String family, String table, String set, int max)
      throws IOException {
    List<SetElement> out = new ArrayList<>();
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
      byte[] filter = attributes(header(family(family)), NFTA_SET_ELEM_LIST_TABLE, table, NFTA_SET_ELEM_LIST_SET, set);
      boolean whole = sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETSETELEM, filter, m -> {
        ByteBuffer list = RouteDump.attributes(m, 4).get(NFTA_SET_ELEM_LIST_ELEMENTS);
        if (list != null) {
          for (Map.Entry<Integer, ByteBuffer> e : RouteDump.attributeList(list, 0)) {
            Map<Integer, ByteBuffer> a = RouteDump.attributes(e.getValue(), 0);
            ByteBuffer flags = a.get(NFTA_SET_ELEM_FLAGS);
            boolean end = flags != null && flags.remaining() >= 4 && (flags.get(3) & NFT_SET_ELEM_INTERVAL_END) != 0; // big-endian
            out.add(new SetElement(value(a.get(NFTA_SET_ELEM_KEY)), value(a.get(NFTA_SET_ELEM_KEY_END)),
                value(a.get(NFTA_SET_ELEM_DATA)), end));
          }
        }
        return out.size() <= max;
      });
      return whole ? java.util.Optional.of(out) : java.util.Optional.empty();
    }
  }

  /** The bytes of a nest's {@code NFTA_DATA_VALUE} (a key's, a key end's, a map value's); null when there is none (a verdict). */
  private static byte[] value(ByteBuffer nest) {
    if (nest == null) {
      return null;
    }
    ByteBuffer v = RouteDump.attributes(nest, 0).get(NFTA_DATA_VALUE);
    if (v == null) {
      return null;
    }
    byte[] b = new byte[v.remaining()];
    v.duplicate().get(b);
    return b;
  }

  /** Adds each element of {@code list} (a nest of {@code NFTA_LIST_ELEM}s) to {@code sum}, walked in place. */
  private static void element(Digest64 sum, long seed, ByteBuffer list) {
    int at = 0;
    while (at + 4 <= list.limit()) {
      int len = list.getShort(at) & 0xffff;
      if (len < 4 || at + len > list.limit()) {
        break;
      }
      sum.start(seed);
      boolean end = false;
      int in = at + 4;
      int run = in; // where the attributes not yet hashed begin: those left out end a run
      while (in + 4 <= at + len) {
        int alen = list.getShort(in) & 0xffff;
        int type = list.getShort(in + 2) & 0x3fff;
        if (alen < 4 || in + alen > at + len) {
          break;
        }
        if (ELEM_STATEFUL.contains(type)) {
          sum.bytes(list, run, in);
          run = Math.min(in + NetlinkSocket.align(alen), at + len);
        }
        if (type == NFTA_SET_ELEM_FLAGS && alen >= 8) {
          end = (list.get(in + 7) & NFT_SET_ELEM_INTERVAL_END) != 0; // a big-endian 32-bit flag word
        }
        in += NetlinkSocket.align(alen);
      }
      sum.bytes(list, run, Math.min(in, at + len));
      sum.add(!end);
      at += NetlinkSocket.align(len);
    }
  }

  /**
   * An order-independent digest: each entry (an element, or a set's shape) hashed to 64 bits
   * (its bytes' CRC-32 and CRC-32C, which the JVM computes in native code even before it
   * compiles anything, mixed with the set's seed by MurmurHash3's finalizer), and the hashes
   * summed over the entries.
   */
  private static final class Digest64 {
    private final java.util.zip.CRC32 a = new java.util.zip.CRC32();
    private final java.util.zip.CRC32C b = new java.util.zip.CRC32C();
    private long seed;
    long sum;
    int count;

    static long seed(String s) {
      long h = 0xcbf29ce484222325L;
      for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
        h = (h ^ (x & 0xff)) * 0x100000001b3L;
      }
      return h;
    }

    void start(long seed) {
      this.seed = seed;
      a.reset();
      b.reset();
    }

    /** An attribute of type {@code type} with value {@code v} (absent: nothing). */
    void attribute(int type, ByteBuffer v) {
      if (v != null) {
        byte[] t = {(byte) (type >> 8), (byte) type, (byte) (v.remaining() >> 8), (byte) v.remaining()};
        a.update(t);
        b.update(t);
        bytes(v, v.position(), v.limit());
      }
    }

    /** Bytes {@code from} to {@code to} of {@code v} (a buffer over an array). */
    void bytes(ByteBuffer v, int from, int to) {
      if (to > from) {
        a.update(v.array(), v.arrayOffset() + from, to - from);
        b.update(v.array(), v.arrayOffset() + from, to - from);
      }
    }

    /** Ends an entry: its hash into the sum; {@code counted}: an element as nft counts them. */
    void add(boolean counted) {
      sum += fmix((a.getValue() << 32 | b.getValue()) ^ seed);
      if (counted) {
        count++;
      }
    }

    private static long fmix(long k) {
      k ^= k >>> 33;
      k *= 0xff51afd7ed558ccdL;
      k ^= k >>> 33;
      k *= 0xc4ceb9fe1a85ec53L;
      k ^= k >>> 33;
      return k;
    }
  }

  /** {@code header} followed by string attributes, as {@code type, value} pairs. */
  private static byte[] attributes(byte[] header, Object... pairs) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(header);
    for (int i = 0; i < pairs.length; i += 2) {
      byte[] v = ((String) pairs[i + 1]).getBytes(StandardCharsets.UTF_8);
      int len = 4 + v.length + 1;
      ByteBuffer p = ByteBuffer.allocate(NetlinkSocket.align(len)).order(ByteOrder.nativeOrder());
      p.putShort((short) len).putShort((short) (int) (Integer) pairs[i]).put(v).put((byte) 0);
      out.writeBytes(p.array());
    }
    return out.toByteArray();
  }

  private static int family(String family) throws IOException {
    return FAMILIES.entrySet().stream().filter(e -> e.getValue().equals(family)).mapToInt(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new IOException("unknown nftables family " + family));
  }

  private static List<ByteBuffer> dumpRules(String family, String name) throws IOException {
    try (NetlinkSocket sock = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
      return sock.dump(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE, attributes(header(family(family)), NFTA_RULE_TABLE, name));
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
