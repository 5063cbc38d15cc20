# Sends three IPv6 router advertisements out of interface ARGV[1] to all nodes (ff02::1), as a
# rogue router would: router lifetime 1800 s, prefix 2001:db8:bad::/64 for autoconfiguration.
# Ipv6SwitchKernelTest runs it in a container's namespace (as root: a raw ICMPv6 socket).
import socket
import struct
import sys

ifname = sys.argv[1]
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
index = socket.if_nametoindex(ifname)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
# type 134, code 0, checksum (the kernel's), hop limit 64, no flags, lifetime 1800, reachable, retransmit
ra = struct.pack('!BBHBBHII', 134, 0, 0, 64, 0, 1800, 0, 0)
# prefix information: type 3, 4 x 8 bytes, /64, on-link and autonomous, valid and preferred lifetimes
prefix = struct.pack('!BBBBIII', 3, 4, 64, 0xc0, 86400, 14400, 0) + socket.inet_pton(socket.AF_INET6, '2001:db8:bad::')
for _ in range(3):
    s.sendto(ra + prefix, ('ff02::1', 0, 0, index))
