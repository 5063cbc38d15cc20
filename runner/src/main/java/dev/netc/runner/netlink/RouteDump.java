package dev.netc.runner.netlink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.netc.compiler.ir.IpAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rtnetlink conversation in the network namespace of the calling thread: dumps of the links
 * ({@code RTM_GETLINK}), addresses ({@code RTM_GETADDR}) and routes of every table
 * ({@code RTM_GETROUTE}), turned into the JSON documents {@code ip -j -d} prints for {@code link
 * show}, {@code link show type bridge}, {@code address show} and {@code route show table all},
 * with the members netc reads (see {@code LiveReader}): names, indexes, flags, MTU, master, MAC,
 * alias, peer, kind, the VXLAN (with its underlay device), macvlan and VLAN details and a bridge
 * port's hairpin mode; addresses with their prefix and scope; routes with their destination,
 * TOS, gateway (or a multipath route's nexthops), type, metric, protocol and table, and what
 * makes them again as they are (scope, preferred source, {@code onlink}, realms, metrics, IPv6
 * preference), only those LiveReader reads (not the kernel's
 * own): a container's other routes (the local table's local and broadcast routes, its subnets',
 * IPv6 multicast) are two thirds of the dump. A fifth document, netc's own, has the policy routing
 * rules of both families ({@code RTM_GETRULE}), each as the arguments of {@code ip rule}.
 */
public final class RouteDump {
  /**
   * The field of a link document with some of its IPv6 settings ({@code disable_ipv6},
   * {@code accept_ra}, {@code accept_dad}, {@code addr_gen_mode}, by their sysctl names): netc's, not one {@code ip -j} prints.
   */
  public static final String IPV6_CONF = "netc_ipv6_conf";
  private static final int DEVCONF_ACCEPT_RA = 3;
  private static final int DEVCONF_DISABLE_IPV6 = 26;
  private static final int DEVCONF_ACCEPT_DAD = 27;
  private static final int DEVCONF_ADDR_GEN_MODE = 47;

  private static final int RTM_GETLINK = 18;
  private static final int RTM_GETADDR = 22;
  private static final int RTM_GETROUTE = 26;
  private static final int RTM_GETRULE = 34;
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private RouteDump() {}

  /** The five documents of {@code LiveReader}'s read, for the namespace the calling thread is in. */
  public static List<JsonNode> read() throws IOException {
    try (NetlinkSocket sock = NetlinkSocket.open()) {
      return read(sock);
    }
  }

  /** The same, over an open socket. */
  static List<JsonNode> read(NetlinkSocket sock) throws IOException {
    List<JsonNode> docs = new ArrayList<>(
        documents(sock.dump(RTM_GETLINK, LINK_REQUEST), sock.dump(RTM_GETADDR, 8), sock.dump(RTM_GETROUTE, 12)));
    // a zeroed fib_rule_hdr (AF_UNSPEC): the rules of every family, a handful a namespace
    ArrayNode rules = rules(sock.dump(RTM_GETRULE, 12));
    boolean rules6 = false;
    for (JsonNode r : rules) {
      rules6 |= r.path("family").asText().equals("inet6");
    }
    if (!rules6) {
      // none of IPv6: every one deleted by hand, or a kernel without IPv6 policy routing, whose
      // dump of them alone fails (EAFNOSUPPORT): then marked so (RULES6_UNREAD)
      byte[] inet6 = new byte[12];
      inet6[0] = AF_INET6;
      try {
        sock.dump(RTM_GETRULE, inet6);
      } catch (IOException e) {
        rules.addObject().put("family", "inet6").put(RULES6_UNREAD, true);
      }
    }
    docs.add(rules);
    return docs;
  }

  private static final int IFLA_EXT_MASK = 29;
  private static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

  /**
   * The link dump's request: a zeroed {@code ifinfomsg} and {@code IFLA_EXT_MASK} with {@code
   * RTEXT_FILTER_SKIP_STATS}, as {@code ip link show} sends without {@code -s}: the kernel then
   * neither sums each link's counters over the CPUs nor sends them (the link's and its IPv4 and
   * IPv6 statistics, about half of each message), none of which netc reads.
   */
  private static final byte[] LINK_REQUEST = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder())
      .putShort(16, (short) 8).putShort(18, (short) IFLA_EXT_MASK).putInt(20, RTEXT_FILTER_SKIP_STATS).array();

  /** The attributes of a message from {@code from}, in order, repeated types included: type (without the nested flag) and payload. */
  static List<Map.Entry<Integer, ByteBuffer>> attributeList(ByteBuffer m, int from) {
    List<Map.Entry<Integer, ByteBuffer>> out = new ArrayList<>();
    int at = from;
    while (at + 4 <= m.limit()) {
      int len = m.getShort(at) & 0xffff;
      int type = m.getShort(at + 2) & 0x3fff;
      if (len < 4 || at + len > m.limit()) {
        break;
      }
      ByteBuffer v = m.duplicate().order(m.order());
      v.position(at + 4).limit(at + len);
      out.add(Map.entry(type, v.slice().order(m.order())));
      at += NetlinkSocket.align(len);
    }
    return out;
  }

  /** The attributes of a message from {@code from}: type (without the nested flag) to payload (the first of a type). */
  static Map<Integer, ByteBuffer> attributes(ByteBuffer m, int from) {
    Map<Integer, ByteBuffer> out = new HashMap<>();
    attributeList(m, from).forEach(e -> out.putIfAbsent(e.getKey(), e.getValue()));
    return out;
  }

  static String string(ByteBuffer v) {
    byte[] b = new byte[v.remaining()];
    v.duplicate().get(b);
    int end = 0;
    while (end < b.length && b[end] != 0) {
      end++;
    }
    return new String(b, 0, end, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static int u32(ByteBuffer v) {
    return v.getInt(0);
  }

  /**
   * An address attribute as {@code ip} writes it: a dotted quad, or IPv6 in its shortest form
   * (RFC 5952, as the IR's {@link IpAddress} writes it); empty for another length.
   */
  static String address(ByteBuffer v) {
    return address(v, v.position(), v.remaining());
  }

  /** The same, of the {@code len} bytes at {@code at} of {@code buf} (whatever its byte order: read in network order). */
  static String address(ByteBuffer buf, int at, int len) {
    ByteBuffer b = buf.duplicate().order(ByteOrder.BIG_ENDIAN); // network order
    return switch (len) {
      case 4 -> IpAddress.v4(b.getInt(at) & 0xffffffffL).toString();
      case 16 -> new IpAddress(IpAddress.Family.V6, b.getLong(at), b.getLong(at + 8)).toString();
      default -> "";
    };
  }

  private static final java.util.HexFormat MAC = java.util.HexFormat.ofDelimiter(":");

  /** A link-layer address as ip prints it, {@code aa:bb:...} (a formatter per byte costs a millisecond per hundred links). */
  private static String mac(ByteBuffer v) {
    byte[] b = new byte[v.remaining()];
    v.duplicate().get(b);
    return MAC.formatHex(b);
  }

  /**
   * The attributes of a netlink message between two offsets of its buffer, found without copying
   * anything: a few ints a message (the maps of buffer slices made before cost 50 MB of garbage
   * in a read of 1,000 namespaces, and the collection that came with it). The first of a type
   * counts, as {@link #attributes} keeps it.
   */
  static final class Attrs {
    private final ByteBuffer buf;
    /** Type, payload offset and payload length, three ints an attribute, in order. */
    private int[] found = new int[3 * 16];
    private int count;

    Attrs(ByteBuffer buf, int from, int to) {
      this.buf = buf;
      int at = from;
      while (at + 4 <= to) {
        int len = buf.getShort(at) & 0xffff;
        int type = buf.getShort(at + 2) & 0x3fff;
        if (len < 4 || at + len > to) {
          break;
        }
        if (3 * count == found.length) {
          found = java.util.Arrays.copyOf(found, found.length * 2);
        }
        found[3 * count] = type;
        found[3 * count + 1] = at + 4;
        found[3 * count + 2] = len - 4;
        count++;
        at += NetlinkSocket.align(len);
      }
    }

    /** Those of a whole message whose family header is {@code header} bytes long. */
    static Attrs of(ByteBuffer m, int header) {
      return new Attrs(m, header, m.limit());
    }

    private int index(int type) {
      for (int i = 0; i < count; i++) {
        if (found[3 * i] == type) {
          return i;
        }
      }
      return -1;
    }

    boolean has(int type) {
      return index(type) >= 0;
    }

    private int offset(int type) {
      return found[3 * index(type) + 1];
    }

    int length(int type) {
      return found[3 * index(type) + 2];
    }

    int u32(int type) {
      return buf.getInt(offset(type));
    }

    int u16(int type) {
      return buf.getShort(offset(type)) & 0xffff;
    }

    int u8(int type) {
      return buf.get(offset(type)) & 0xff;
    }

    /** A network-order 16-bit value (a port). */
    int be16(int type) {
      int at = offset(type);
      return ((buf.get(at) & 0xff) << 8) | (buf.get(at + 1) & 0xff);
    }

    /** A NUL-terminated string (UTF-8). */
    String string(int type) {
      int at = offset(type);
      int n = length(type);
      int end = 0;
      while (end < n && buf.get(at + end) != 0) {
        end++;
      }
      byte[] b = new byte[end];
      buf.get(at, b);
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** An address as {@code ip} writes it (see {@link RouteDump#address}). */
    String address(int type) {
      return RouteDump.address(buf, offset(type), length(type));
    }

    /** A link-layer address as ip prints it, {@code aa:bb:...}. */
    String mac(int type) {
      byte[] b = new byte[length(type)];
      buf.get(offset(type), b);
      return MAC.formatHex(b);
    }

    /** The attributes nested in attribute {@code type}. */
    Attrs nested(int type) {
      int at = offset(type);
      return new Attrs(buf, at, at + length(type));
    }
  }

  private static final int RT_TABLE_COMPAT = 252;
  private static final int RT_TABLE_DEFAULT = 253;
  private static final int RT_TABLE_MAIN = 254;
  private static final int RT_TABLE_LOCAL = 255;
  private static final int RTPROT_KERNEL = 2;

  /** The documents of {@link #read} from the messages of the three dumps. */
  static List<JsonNode> documents(List<ByteBuffer> links, List<ByteBuffer> addrs, List<ByteBuffer> routes) {
    ArrayNode linkDoc = JSON.arrayNode();
    ArrayNode bridgeDoc = JSON.arrayNode();
    Map<Integer, String> names = new HashMap<>();
    List<Attrs> linkAttrs = new ArrayList<>(links.size());
    for (ByteBuffer m : links) {
      Attrs a = Attrs.of(m, 16);
      linkAttrs.add(a);
      names.put(m.getInt(4), a.has(3) ? a.string(3) : "if" + m.getInt(4));
    }
    for (int i = 0; i < links.size(); i++) {
      ByteBuffer m = links.get(i);
      Attrs a = linkAttrs.get(i);
      int index = m.getInt(4);
      int type = m.getShort(2) & 0xffff;
      int flags = m.getInt(8);
      ObjectNode l = JSON.objectNode();
      l.put("ifindex", index);
      l.put("ifname", names.get(index));
      ArrayNode f = l.putArray("flags");
      if ((flags & 0x1) != 0) {
        f.add("UP");
      }
      if ((flags & 0x8) != 0) {
        f.add("LOOPBACK");
      }
      if (a.has(4)) {
        l.put("mtu", a.u32(4));
      }
      if (a.has(10)) {
        int master = a.u32(10);
        l.put("master", names.getOrDefault(master, "if" + master));
      }
      l.put("link_type", linkType(type));
      if (a.has(1)) {
        l.put("address", a.mac(1));
      }
      if (a.has(20)) {
        l.put("ifalias", a.string(20));
      }
      // IFLA_LINK: a veth's peer, a sub-interface's parent (in another namespace, IFLA_LINK_NETNSID,
      // it may have the link's own index: only one without a peer elsewhere names itself)
      if (a.has(5) && a.u32(5) != 0 && (a.u32(5) != index || a.has(37))) {
        int peer = a.u32(5);
        if (a.has(37)) {
          l.put("link_index", peer);
          l.put("link_netnsid", a.u32(37));
        } else {
          l.put("link", names.getOrDefault(peer, "if" + peer));
        }
      }
      if (a.has(18)) {
        Attrs info = a.nested(18);
        if (info.has(1)) {
          String kind = info.string(1);
          ObjectNode li = l.putObject("linkinfo");
          li.put("info_kind", kind);
          if (info.has(2)) {
            Attrs d = info.nested(2);
            ObjectNode data = li.putObject("info_data");
            switch (kind) {
              case "vxlan" -> {
                if (d.has(1)) {
                  data.put("id", d.u32(1));
                }
                if (d.has(4)) {
                  data.put("local", d.address(4));
                }
                if (d.has(17)) {
                  data.put("local6", d.address(17));
                }
                if (d.has(15)) {
                  data.put("port", d.be16(15));
                }
                if (d.has(3) && d.u32(3) != 0) {
                  data.put("link", names.getOrDefault(d.u32(3), "if" + d.u32(3)));
                }
              }
              case "macvlan" -> {
                if (d.has(1)) {
                  data.put("mode", switch (d.u32(1)) {
                    case 1 -> "private";
                    case 2 -> "vepa";
                    case 4 -> "bridge";
                    case 8 -> "passthru";
                    case 16 -> "source";
                    default -> "mode" + d.u32(1);
                  });
                }
              }
              case "vlan" -> {
                if (d.has(1)) {
                  data.put("id", d.u16(1));
                }
              }
              default -> { }
            }
          }
          if (kind.equals("bridge")) {
            bridgeDoc.add(l);
          }
        }
        // a bridge port's settings: IFLA_INFO_SLAVE_KIND bridge, IFLA_INFO_SLAVE_DATA
        if (info.has(4) && info.string(4).equals("bridge") && info.has(5)) {
          Attrs port = info.nested(5);
          ObjectNode li = l.has("linkinfo") ? (ObjectNode) l.get("linkinfo") : l.putObject("linkinfo");
          li.put("info_slave_kind", "bridge");
          if (port.has(4)) { // IFLA_BRPORT_MODE: hairpin
            li.putObject("info_slave_data").put("hairpin", port.u8(4) != 0);
          }
        }
      }
      // IFLA_AF_SPEC > AF_INET6 > IFLA_INET6_CONF: the link's IPv6 settings, s32 by DEVCONF_*
      // index (DEVCONF_ACCEPT_RA 3, DEVCONF_DISABLE_IPV6 26, DEVCONF_ACCEPT_DAD 27,
      // DEVCONF_ADDR_GEN_MODE 47). netc's own field, not ip's.
      if (a.has(26)) {
        Attrs spec = a.nested(26);
        if (spec.has(AF_INET6)) {
          Attrs inet6 = spec.nested(AF_INET6);
          if (inet6.has(2) && inet6.length(2) >= 4 * (DEVCONF_ACCEPT_DAD + 1)) {
            int conf = inet6.offset(2);
            ObjectNode c = l.putObject(IPV6_CONF);
            c.put("disable_ipv6", m.getInt(conf + 4 * DEVCONF_DISABLE_IPV6));
            c.put("accept_ra", m.getInt(conf + 4 * DEVCONF_ACCEPT_RA));
            c.put("accept_dad", m.getInt(conf + 4 * DEVCONF_ACCEPT_DAD));
            if (inet6.length(2) >= 4 * (DEVCONF_ADDR_GEN_MODE + 1)) { // since Linux 4.11
              c.put("addr_gen_mode", m.getInt(conf + 4 * DEVCONF_ADDR_GEN_MODE));
            }
          }
        }
      }
      linkDoc.add(l);
    }
    Map<String, ObjectNode> byName = new LinkedHashMap<>();
    for (ByteBuffer m : addrs) {
      int family = m.get(0) & 0xff;
      if (family != AF_INET && family != AF_INET6) {
        continue;
      }
      Attrs a = Attrs.of(m, 8);
      int local = a.has(2) ? 2 : a.has(1) ? 1 : -1;
      if (local < 0) {
        continue;
      }
      String name = names.getOrDefault(m.getInt(4), "if" + m.getInt(4));
      ObjectNode entry = byName.computeIfAbsent(name, n -> {
        ObjectNode o = JSON.objectNode();
        o.put("ifname", n);
        o.putArray("addr_info");
        return o;
      });
      ObjectNode ai = ((ArrayNode) entry.get("addr_info")).addObject();
      ai.put("family", family == AF_INET ? "inet" : "inet6");
      ai.put("local", a.address(local));
      ai.put("prefixlen", m.get(1) & 0xff);
      ai.put("scope", scopeName(m.get(3) & 0xff));
    }
    ArrayNode addrDoc = JSON.arrayNode();
    byName.values().forEach(addrDoc::add);
    ArrayNode routeDoc = JSON.arrayNode();
    for (ByteBuffer m : routes) {
      int family = m.get(0) & 0xff;
      int headerTable = m.get(4) & 0xff;
      int protocol = m.get(5) & 0xff;
      // what LiveReader reads of routes: those of every table, not the kernel's own; the others
      // (the local table's local and broadcast routes, a subnet's, IPv6 multicast) are left here
      if (family != AF_INET && family != AF_INET6 || protocol == RTPROT_KERNEL) {
        continue;
      }
      Attrs a = Attrs.of(m, 12);
      int table = a.has(15) ? a.u32(15) : headerTable;
      int dstLen = m.get(1) & 0xff;
      ObjectNode r = JSON.objectNode();
      // as ip -d names them (a route without a gateway: a blackhole, or through a device only)
      r.put("type", routeType(m.get(7) & 0xff));
      if (a.has(1)) {
        String dst = a.address(1);
        r.put("dst", dstLen == (family == AF_INET ? 32 : 128) ? dst : dst + "/" + dstLen);
      } else {
        r.put("dst", dstLen == 0 ? "default" : (family == AF_INET ? "0.0.0.0/" : "::/") + dstLen);
      }
      int tos = m.get(3) & 0xff;
      if (tos != 0) {
        // an IPv4 route's TOS, part of its key in the kernel, as ip prints one it has no name for
        r.put("tos", String.format("0x%02x", tos));
      }
      if (a.has(5)) {
        r.put("gateway", a.address(5));
      }
      if (a.has(6)) {
        // RTA_PRIORITY, as ip prints it: an IPv4 route has none at metric 0
        r.put("metric", a.u32(6) & 0xffffffffL);
      }
      if (family == AF_INET6) {
        // ip prints it for IPv6 routes only: the sign of a default route's family without a gateway
        // (RTA_PREF: ICMPV6_ROUTER_PREF_MEDIUM 0, HIGH 1, LOW 3)
        int pref = a.has(20) ? a.u8(20) : 0;
        r.put("pref", pref == 1 ? "high" : pref == 3 ? "low" : "medium");
      }
      // what makes the route beyond its identity and what it goes through, as ip -j -d prints it
      // (LiveReader#attributes): its scope, preferred source, flags, realms and metrics
      r.put("scope", scopeName(m.get(6) & 0xff));
      if (a.has(7)) {
        r.put("prefsrc", a.address(7));
      }
      if ((m.getInt(8) & RTNH_F_ONLINK) != 0) {
        r.putArray("flags").add("onlink");
      }
      if (a.has(11)) { // RTA_FLOW: realms, FROM << 16 | TO
        int flow = a.u32(11);
        ObjectNode f = r.putObject("flow");
        if ((flow >>> 16) != 0) {
          f.put("from", String.valueOf(flow >>> 16));
        }
        f.put("to", String.valueOf(flow & 0xffff));
      }
      if (a.has(8)) {
        metrics(r, a.nested(8));
      }
      if (a.has(30)) {
        // RTA_NH_ID: the nexthop object it goes through (ip route add ... nhid N), as ip -j prints it
        r.put("nhid", a.u32(30) & 0xffffffffL);
      }
      if (a.has(4)) {
        int oif = a.u32(4);
        r.put("dev", names.getOrDefault(oif, "if" + oif));
      }
      if (a.has(9)) {
        // RTA_MULTIPATH, as ip -j prints it: each struct rtnexthop (length, flags, hops, ifindex)
        // then its own attributes (its gateway)
        ArrayNode hops = r.putArray("nexthops");
        int at = a.offset(9);
        int end = at + a.length(9);
        while (at + 8 <= end) {
          int len = m.getShort(at) & 0xffff;
          if (len < 8 || at + len > end) {
            break;
          }
          ObjectNode h = hops.addObject();
          Attrs nh = new Attrs(m, at + 8, at + len);
          if (nh.has(5)) {
            h.put("gateway", nh.address(5));
          }
          int oif = m.getInt(at + 4);
          h.put("dev", names.getOrDefault(oif, "if" + oif));
          h.put("weight", (m.get(at + 3) & 0xff) + 1);
          at += NetlinkSocket.align(len);
        }
      }
      r.put("protocol", protocolName(protocol));
      r.put("table", tableName(table));
      routeDoc.add(r);
    }
    return List.of(linkDoc, bridgeDoc, addrDoc, routeDoc);
  }

  private static final int RTNH_F_ONLINK = 4;
  /** The metrics of a route ({@code RTAX_*}) that ip prints as numbers, by number, with ip's names. */
  private static final String[] METRICS = {null, null, "mtu", "window", "rtt", "rttvar", "ssthresh", "cwnd", "advmss",
      "reordering", "hoplimit", "initcwnd", "features", "rto_min", "initrwnd", "quickack", "congestion",
      "fastopen_no_cookie"};
  private static final int RTAX_LOCK = 1;
  private static final int RTAX_RTT = 4;
  private static final int RTAX_RTTVAR = 5;
  private static final int RTAX_FEATURES = 12;
  private static final int RTAX_CC_ALGO = 16;
  private static final int RTAX_FEATURE_ECN = 1;

  /**
   * A route's metrics ({@code RTA_METRICS}) into {@code r} as {@code ip -j -d} prints them: one
   * object in the array {@code metrics}, each metric by its name ({@code rtt} in milliseconds, the
   * kernel's value over 8, {@code rttvar} over 4; {@code ecn} for the feature; {@code congestion}
   * the algorithm's name); and the metrics the route locks, which ip's JSON leaves out, in netc's
   * own {@link #LOCKED} (by the same names), and the kernel's own values of {@code rtt} and {@code
   * rttvar}, which ip's JSON gives rounded down ({@code rtt 100}, as {@code ip route add} takes a
   * value without unit, is 12), in netc's own {@link #RAW}.
   */
  private static void metrics(ObjectNode r, Attrs m) {
    ObjectNode out = JSON.objectNode();
    int locked = m.has(RTAX_LOCK) ? m.u32(RTAX_LOCK) : 0;
    ArrayNode locks = JSON.arrayNode();
    ObjectNode raw = JSON.objectNode();
    for (int i = 2; i < METRICS.length; i++) {
      if (!m.has(i)) {
        continue;
      }
      if (i == RTAX_CC_ALGO) {
        out.put(METRICS[i], m.string(i));
      } else if (i == RTAX_FEATURES) {
        if ((m.u32(i) & RTAX_FEATURE_ECN) != 0) {
          out.putNull("ecn");
        }
      } else {
        long v = m.u32(i) & 0xffffffffL;
        out.put(METRICS[i], i == RTAX_RTT ? v / 8 : i == RTAX_RTTVAR ? v / 4 : v);
        if (i == RTAX_RTT || i == RTAX_RTTVAR) {
          raw.put(METRICS[i], v);
        }
      }
      if ((locked & (1 << i)) != 0) {
        locks.add(METRICS[i]);
      }
    }
    if (!out.isEmpty()) {
      r.putArray("metrics").add(out);
    }
    if (!locks.isEmpty()) {
      r.set(LOCKED, locks);
    }
    if (!raw.isEmpty()) {
      r.set(RAW, raw);
    }
  }

  /**
   * netc's field of a route document: the kernel's values of its {@code rtt} and {@code rttvar}
   * ({@code {"rtt":100}}), which {@code metrics} gives as ip does, in milliseconds rounded down;
   * not one {@code ip -j} prints.
   */
  public static final String RAW = "netc_raw";

  /**
   * The key of the object in a namespace's rules ({@link #rules}: {@code family} {@code inet6})
   * that says its IPv6 rules could not be read, as on a kernel without IPv6 policy routing (no
   * {@code IPV6_MULTIPLE_TABLES}); the read through ip marks it so too ({@code ip -6 rule show}
   * failed). A namespace without IPv6 rules but without it has none: deleted by hand.
   */
  public static final String RULES6_UNREAD = "netc_rules6_unread";

  /** netc's field of a route document: the names of the metrics it locks ({@code mtu lock 1400}); not one {@code ip -j} prints. */
  public static final String LOCKED = "netc_locked";

  /*
   * The names the read gives numbers (the same whatever /etc/iproute2 says: LiveReader turns the
   * numbers of `ip -N` into these, so that a read through ip gives the same words)
   */

  /**
   * A routing table as the read names it: the three every namespace has ({@code main}, {@code
   * local}, {@code default}, as {@code ip} names them) by name, every other by number (not by a
   * name {@code /etc/iproute2/rt_tables} may give it).
   */
  public static String tableName(int table) {
    return switch (table) {
      case RT_TABLE_MAIN -> "main";
      case RT_TABLE_DEFAULT -> "default";
      case RT_TABLE_LOCAL -> "local";
      default -> Integer.toUnsignedString(table);
    };
  }

  /** A route's type ({@code rtm_type}) as {@code ip -d} names it: {@code unicast}, {@code blackhole} ..., else its number. */
  public static String routeType(int type) {
    return switch (type) {
      case 1 -> "unicast";
      case 2 -> "local";
      case 3 -> "broadcast";
      case 4 -> "anycast";
      case 5 -> "multicast";
      case 6 -> "blackhole";
      case 7 -> "unreachable";
      case 8 -> "prohibit";
      case 9 -> "throw";
      default -> String.valueOf(type);
    };
  }

  /**
   * A route's protocol ({@code rtm_protocol}) as the read names it: {@code kernel}, {@code boot}
   * ({@code ip route add}'s) and {@code static}, every other by number (not by a name of {@code
   * /etc/iproute2/rt_protos}: {@code 16}, not {@code dhcp}).
   */
  public static String protocolName(int protocol) {
    return switch (protocol) {
      case 0 -> "unspec";
      case RTPROT_KERNEL -> "kernel";
      case 3 -> "boot";
      case 4 -> "static";
      default -> String.valueOf(protocol);
    };
  }

  /** An address's scope ({@code ifa_scope}) as {@code ip} names it: {@code global}, {@code link} ..., else its number. */
  public static String scopeName(int scope) {
    return switch (scope) {
      case 0 -> "global";
      case 200 -> "site";
      case 253 -> "link";
      case 254 -> "host";
      case 255 -> "nowhere";
      default -> String.valueOf(scope);
    };
  }

  /** A link's type ({@code ifi_type}): {@code loopback}, {@code ether}, else {@code typeN}. */
  public static String linkType(int type) {
    return type == 772 ? "loopback" : type == 1 ? "ether" : "type" + type;
  }

  private static final int FIB_RULE_INVERT = 2;
  private static final int FR_ACT_TO_TBL = 1;
  private static final int FR_ACT_GOTO = 2;
  private static final int FR_ACT_NOP = 3;
  private static final int FR_ACT_BLACKHOLE = 6;
  private static final int FR_ACT_UNREACHABLE = 7;
  private static final int FR_ACT_PROHIBIT = 8;

  /**
   * The rules of a {@code RTM_GETRULE} dump, one object each: {@code family} ({@code inet},
   * {@code inet6}), {@code priority} and {@code rule}, what follows {@code pref N} in {@code ip
   * rule add} to make it again (and in {@code ip rule del} to delete exactly it): its selectors
   * ({@code not}, {@code from} (a prefix, or {@code all}), {@code to}, {@code tos}, {@code fwmark},
   * {@code iif}, {@code oif}, {@code uidrange}, {@code ipproto}, {@code sport}, {@code dport},
   * {@code l3mdev}, {@code realms}, {@code tun_id}) then its action ({@code lookup TABLE},
   * {@code goto N}, {@code nop}, {@code blackhole}, {@code unreachable}, {@code prohibit}) and
   * what suppresses it ({@code suppress_prefixlength}, {@code suppress_ifgroup}).
   */
  static ArrayNode rules(List<ByteBuffer> rules) {
    ArrayNode doc = JSON.arrayNode();
    for (ByteBuffer m : rules) {
      int family = m.get(0) & 0xff;
      if (family != AF_INET && family != AF_INET6) {
        continue;
      }
      int dstLen = m.get(1) & 0xff;
      int srcLen = m.get(2) & 0xff;
      int tos = m.get(3) & 0xff;
      int headerTable = m.get(4) & 0xff;
      int action = m.get(7) & 0xff;
      int flags = m.getInt(8);
      Attrs a = Attrs.of(m, 12);
      StringBuilder b = new StringBuilder();
      if ((flags & FIB_RULE_INVERT) != 0) {
        b.append("not ");
      }
      b.append("from ").append(a.has(2) && srcLen > 0 ? a.address(2) + "/" + srcLen : "all");
      if (dstLen > 0 && a.has(1)) {
        b.append(" to ").append(a.address(1)).append('/').append(dstLen);
      }
      if (tos != 0) {
        b.append(" tos 0x").append(Integer.toHexString(tos));
      }
      if (a.has(10) || a.has(16)) { // FRA_FWMARK, FRA_FWMASK
        b.append(" fwmark 0x").append(Integer.toHexString(a.has(10) ? a.u32(10) : 0));
        if (a.has(16)) {
          b.append("/0x").append(Integer.toHexString(a.u32(16)));
        }
      }
      if (a.has(3)) {
        b.append(" iif ").append(a.string(3));
      }
      if (a.has(17)) {
        b.append(" oif ").append(a.string(17));
      }
      if (a.has(20) && a.length(20) >= 8) { // FRA_UID_RANGE: start, end
        b.append(" uidrange ").append(Integer.toUnsignedString(a.u32(20))).append('-')
            .append(Integer.toUnsignedString(m.getInt(a.offset(20) + 4)));
      }
      if (a.has(22)) {
        b.append(" ipproto ").append(a.u8(22));
      }
      if (a.has(23) && a.length(23) >= 4) {
        b.append(" sport ").append(portRange(m, a.offset(23)));
      }
      if (a.has(24) && a.length(24) >= 4) {
        b.append(" dport ").append(portRange(m, a.offset(24)));
      }
      if (a.has(11)) { // FRA_FLOW
        b.append(" realms ").append(Integer.toUnsignedString(a.u32(11)));
      }
      if (a.has(12)) { // FRA_TUN_ID, 64 bits in network order
        b.append(" tun_id ").append(Long.toUnsignedString(m.duplicate().order(ByteOrder.BIG_ENDIAN).getLong(a.offset(12))));
      }
      boolean l3mdev = a.has(19) && a.u8(19) != 0;
      int table = a.has(15) ? a.u32(15) : headerTable;
      switch (action) {
        case FR_ACT_TO_TBL -> b.append(l3mdev ? " l3mdev" : " lookup " + tableName(table));
        case FR_ACT_GOTO -> b.append(" goto ").append(a.has(4) ? Integer.toUnsignedString(a.u32(4)) : "0");
        case FR_ACT_NOP -> b.append(" nop");
        case FR_ACT_BLACKHOLE -> b.append(" blackhole");
        case FR_ACT_UNREACHABLE -> b.append(" unreachable");
        case FR_ACT_PROHIBIT -> b.append(" prohibit");
        default -> b.append(" type ").append(action);
      }
      if (a.has(14) && a.u32(14) != -1) {
        b.append(" suppress_prefixlength ").append(a.u32(14));
      }
      if (a.has(13) && a.u32(13) != -1) {
        b.append(" suppress_ifgroup ").append(a.u32(13));
      }
      ObjectNode r = doc.addObject();
      r.put("family", family == AF_INET ? "inet" : "inet6");
      r.put("priority", a.has(6) ? a.u32(6) & 0xffffffffL : 0);
      r.put("rule", b.toString());
      if (a.has(21) && a.u8(21) != 0) { // FRA_PROTOCOL: what made it, not part of what it matches
        r.put("protocol", protocolName(a.u8(21)));
      }
    }
    return doc;
  }

  /** A port range attribute ({@code struct fib_rule_port_range}, host order): {@code A} or {@code A-B}. */
  private static String portRange(ByteBuffer m, int at) {
    int start = m.getShort(at) & 0xffff;
    int end = m.getShort(at + 2) & 0xffff;
    return start == end ? String.valueOf(start) : start + "-" + end;
  }
}
