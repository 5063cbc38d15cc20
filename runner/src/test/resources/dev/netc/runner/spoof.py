#!/usr/bin/env python3
"""Sends three forged frames from an interface, as a hostile container would (raw socket).

  spoof.py arp  IFACE DST_MAC CLAIMED_IP TARGET_IP      ARP reply: CLAIMED_IP is at IFACE's MAC
  spoof.py udp4 IFACE DST_MAC SRC_IP DST_IP PORT        UDP from a source that is not IFACE's
  spoof.py udp6 IFACE DST_MAC SRC_IP DST_IP PORT        the same over IPv6
  spoof.py mac  IFACE DST_MAC SRC_MAC SRC_IP DST_IP PORT UDP as udp4, from another MAC address
  spoof.py na   IFACE DST_MAC SRC_IP DST_IP CLAIMED_IP  neighbour advertisement (override):
                                                        CLAIMED_IP is at IFACE's MAC
"""
import ipaddress
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def ip4(text):
    return ipaddress.IPv4Address(text).packed


def ip6(text):
    return ipaddress.IPv6Address(text).packed


def ipv6_packet(src, dst, next_header, payload, hop_limit=64):
    pseudo = src + dst + struct.pack("!I3xB", len(payload), next_header)
    return struct.pack("!IHBB", 6 << 28, len(payload), next_header, hop_limit) + src + dst, pseudo


def main():
    mode, iface, dst_mac = sys.argv[1], sys.argv[2], mac(sys.argv[3])
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    own = s.getsockname()[4]
    if mode == "arp":
        claimed, target = ip4(sys.argv[4]), ip4(sys.argv[5])
        arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + own + claimed + dst_mac + target
        frame = dst_mac + own + struct.pack("!H", 0x0806) + arp
    elif mode in ("udp4", "mac"):
        if mode == "mac":
            own = mac(sys.argv[4])
            del sys.argv[4]
        src, dst, port = ip4(sys.argv[4]), ip4(sys.argv[5]), int(sys.argv[6])
        body = b"spoofed"
        udp = struct.pack("!HHHH", 40000, port, 8 + len(body), 0) + body
        header = struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0) + src + dst
        header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
        frame = dst_mac + own + struct.pack("!H", 0x0800) + header + udp
    elif mode == "udp6":
        src, dst, port = ip6(sys.argv[4]), ip6(sys.argv[5]), int(sys.argv[6])
        body = b"spoofed"
        udp = struct.pack("!HHHH", 40000, port, 8 + len(body), 0) + body
        header, pseudo = ipv6_packet(src, dst, 17, udp)
        udp = udp[:6] + struct.pack("!H", checksum(pseudo + udp)) + udp[8:]
        frame = dst_mac + own + struct.pack("!H", 0x86DD) + header + udp
    elif mode == "na":
        src, dst, claimed = ip6(sys.argv[4]), ip6(sys.argv[5]), ip6(sys.argv[6])
        # type 136, override flag, the claimed address, option 2: target link-layer address
        icmp = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + claimed + struct.pack("!BB", 2, 1) + own
        header, pseudo = ipv6_packet(src, dst, 58, icmp, hop_limit=255)
        icmp = icmp[:2] + struct.pack("!H", checksum(pseudo + icmp)) + icmp[4:]
        frame = dst_mac + own + struct.pack("!H", 0x86DD) + header + icmp
    else:
        sys.exit("unknown mode " + mode)
    for _ in range(3):
        s.send(frame)


if __name__ == "__main__":
    main()
