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
 * gateway, protocol and table.
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
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private RouteDump() {}

  /** The four documents of {@code LiveReader}'s read, for the namespace the calling thread is in. */
  public static List<JsonNode> read() throws IOException {
    try (NetlinkSocket sock = NetlinkSocket.open()) {
      return read(sock);
    }
  }

  /** The same, over an open socket. */
  static List<JsonNode> read(NetlinkSocket sock) throws IOException {
    return documents(sock.dump(RTM_GETLINK, LINK_REQUEST), sock.dump(RTM_GETADDR, 8), sock.dump(RTM_GETROUTE, 12));
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
    ByteBuffer b = v.duplicate().order(ByteOrder.BIG_ENDIAN); // network order
    int at = b.position();
    return switch (b.remaining()) {
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

  private static List<JsonNode> documents(List<ByteBuffer> links, List<ByteBuffer> addrs, List<ByteBuffer> routes) {
    ArrayNode linkDoc = JSON.arrayNode();
    ArrayNode bridgeDoc = JSON.arrayNode();
    Map<Integer, String> names = new LinkedHashMap<>();
    List<Map<Integer, ByteBuffer>> linkAttrs = new ArrayList<>();
    for (ByteBuffer m : links) {
      Map<Integer, ByteBuffer> a = attributes(m, 16);
      linkAttrs.add(a);
      names.put(m.getInt(4), a.containsKey(3) ? string(a.get(3)) : "if" + m.getInt(4));
    }
    for (int i = 0; i < links.size(); i++) {
      ByteBuffer m = links.get(i);
      Map<Integer, ByteBuffer> a = linkAttrs.get(i);
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
      if (a.containsKey(4)) {
        l.put("mtu", u32(a.get(4)));
      }
      if (a.containsKey(10)) {
        int master = u32(a.get(10));
        l.put("master", names.getOrDefault(master, "if" + master));
      }
      l.put("link_type", type == 772 ? "loopback" : type == 1 ? "ether" : "type" + type);
      if (a.containsKey(1)) {
        l.put("address", mac(a.get(1)));
      }
      if (a.containsKey(20)) {
        l.put("ifalias", string(a.get(20)));
      }
      if (a.containsKey(5) && u32(a.get(5)) != 0 && u32(a.get(5)) != index) {
        int peer = u32(a.get(5));
        if (a.containsKey(37)) {
          l.put("link_index", peer);
          l.put("link_netnsid", u32(a.get(37)));
        } else {
          l.put("link", names.getOrDefault(peer, "if" + peer));
        }
      }
      if (a.containsKey(18)) {
        Map<Integer, ByteBuffer> info = attributes(a.get(18), 0);
        if (info.containsKey(1)) {
          String kind = string(info.get(1));
          ObjectNode li = l.putObject("linkinfo");
          li.put("info_kind", kind);
          if (info.containsKey(2)) {
            Map<Integer, ByteBuffer> d = attributes(info.get(2), 0);
            ObjectNode data = li.putObject("info_data");
            switch (kind) {
              case "vxlan" -> {
                if (d.containsKey(1)) {
                  data.put("id", u32(d.get(1)));
                }
                if (d.containsKey(4)) {
                  data.put("local", address(d.get(4)));
                }
                if (d.containsKey(17)) {
                  data.put("local6", address(d.get(17)));
                }
                if (d.containsKey(15)) {
                  data.put("port", ((d.get(15).get(0) & 0xff) << 8) | (d.get(15).get(1) & 0xff));
                }
                if (d.containsKey(3) && u32(d.get(3)) != 0) {
                  data.put("link", names.getOrDefault(u32(d.get(3)), "if" + u32(d.get(3))));
                }
              }
              case "macvlan" -> {
                if (d.containsKey(1)) {
                  data.put("mode", switch (u32(d.get(1))) {
                    case 1 -> "private";
                    case 2 -> "vepa";
                    case 4 -> "bridge";
                    case 8 -> "passthru";
                    case 16 -> "source";
                    default -> "mode" + u32(d.get(1));
                  });
                }
              }
              case "vlan" -> {
                if (d.containsKey(1)) {
                  data.put("id", d.get(1).getShort(0) & 0xffff);
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
        if (info.containsKey(4) && string(info.get(4)).equals("bridge") && info.containsKey(5)) {
          Map<Integer, ByteBuffer> port = attributes(info.get(5), 0);
          ObjectNode li = l.has("linkinfo") ? (ObjectNode) l.get("linkinfo") : l.putObject("linkinfo");
          li.put("info_slave_kind", "bridge");
          if (port.containsKey(4)) { // IFLA_BRPORT_MODE: hairpin
            li.putObject("info_slave_data").put("hairpin", port.get(4).get(0) != 0);
          }
        }
      }
      // IFLA_AF_SPEC > AF_INET6 > IFLA_INET6_CONF: the link's IPv6 settings, s32 by DEVCONF_*
      // index (DEVCONF_ACCEPT_RA 3, DEVCONF_DISABLE_IPV6 26, DEVCONF_ACCEPT_DAD 27,
      // DEVCONF_ADDR_GEN_MODE 47). netc's own
      // field, not ip's.
      if (a.containsKey(26)) {
        ByteBuffer inet6 = attributes(a.get(26), 0).get(AF_INET6);
        ByteBuffer conf = inet6 == null ? null : attributes(inet6, 0).get(2);
        if (conf != null && conf.limit() >= 4 * (DEVCONF_ACCEPT_DAD + 1)) {
          ObjectNode c = l.putObject(IPV6_CONF);
          c.put("disable_ipv6", conf.getInt(4 * DEVCONF_DISABLE_IPV6));
          c.put("accept_ra", conf.getInt(4 * DEVCONF_ACCEPT_RA));
          c.put("accept_dad", conf.getInt(4 * DEVCONF_ACCEPT_DAD));
          if (conf.limit() >= 4 * (DEVCONF_ADDR_GEN_MODE + 1)) { // since Linux 4.11
            c.put("addr_gen_mode", conf.getInt(4 * DEVCONF_ADDR_GEN_MODE));
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
      Map<Integer, ByteBuffer> a = attributes(m, 8);
      ByteBuffer local = a.containsKey(2) ? a.get(2) : a.get(1);
      if (local == null) {
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
      ai.put("local", address(local));
      ai.put("prefixlen", m.get(1) & 0xff);
      int scope = m.get(3) & 0xff;
      ai.put("scope", switch (scope) {
        case 0 -> "global";
        case 200 -> "site";
        case 253 -> "link";
        case 254 -> "host";
        case 255 -> "nowhere";
        default -> String.valueOf(scope);
      });
    }
    ArrayNode addrDoc = JSON.arrayNode();
    byName.values().forEach(addrDoc::add);
    ArrayNode routeDoc = JSON.arrayNode();
    for (ByteBuffer m : routes) {
      int family = m.get(0) & 0xff;
      if (family != AF_INET && family != AF_INET6) {
        continue;
      }
      Map<Integer, ByteBuffer> a = attributes(m, 12);
      int dstLen = m.get(1) & 0xff;
      int table = a.containsKey(15) ? u32(a.get(15)) : m.get(4) & 0xff;
      int protocol = m.get(5) & 0xff;
      ObjectNode r = JSON.objectNode();
      if (a.containsKey(1)) {
        String dst = address(a.get(1));
        r.put("dst", dstLen == (family == AF_INET ? 32 : 128) ? dst : dst + "/" + dstLen);
      } else {
        r.put("dst", dstLen == 0 ? "default" : (family == AF_INET ? "0.0.0.0/" : "::/") + dstLen);
      }
      if (a.containsKey(5)) {
        r.put("gateway", address(a.get(5)));
      }
      if (a.containsKey(4)) {
        int oif = u32(a.get(4));
        r.put("dev", names.getOrDefault(oif, "if" + oif));
      }
      r.put("protocol", switch (protocol) {
        case 2 -> "kernel";
        case 3 -> "boot";
        case 4 -> "static";
        default -> String.valueOf(protocol);
      });
      r.put("table", switch (table) {
        case 254 -> "main";
        case 255 -> "local";
        case 253 -> "default";
        default -> String.valueOf(table);
      });
      routeDoc.add(r);
    }
    return List.of(linkDoc, bridgeDoc, addrDoc, routeDoc);
  }
}
