"""pcap_tcp.py - builds small Ethernet/IPv4/TCP captures for the
collector tests (softflowd reads them): packets with correct checksums,
whole connections, and the pcap file itself. Imported by the tests'
inline Python (sys.path gets this directory)."""
import struct

SYN, ACK, FIN, PSH = 0x02, 0x10, 0x01, 0x08


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip4(a):
    return bytes(int(x) for x in a.split('.'))


def tcp_pkt(src, dst, sp, dp, flags, payload=b''):
    """One Ethernet frame: IPv4 + TCP from src:sp to dst:dp."""
    th = struct.pack('!HHIIBBHHH', sp, dp, 1, 0, 5 << 4, flags, 65535, 0, 0)
    ph = ip4(src) + ip4(dst) + struct.pack('!BBH', 0, 6,
                                           len(th) + len(payload))
    th = th[:16] + struct.pack('!H', csum(ph + th + payload)) + th[18:]
    ih = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40 + len(payload), 1, 0, 64,
                     6, 0, ip4(src), ip4(dst))
    ih = ih[:10] + struct.pack('!H', csum(ih)) + ih[12:]
    eth = b'\x02\0\0\0\0\x01\x02\0\0\0\0\x02\x08\x00'
    return eth + ih + th + payload


def connection(t, client, server, sport, dport, up=200, down=900):
    """A complete connection (handshake, one exchange, close) starting
    at time t: a list of (time, frame)."""
    out = []
    for fl, a, b, sp, dp, pl in [
            (SYN, client, server, sport, dport, b''),
            (SYN | ACK, server, client, dport, sport, b''),
            (ACK, client, server, sport, dport, b''),
            (PSH | ACK, client, server, sport, dport, b'x' * up),
            (PSH | ACK, server, client, dport, sport, b'y' * down),
            (FIN | ACK, client, server, sport, dport, b''),
            (FIN | ACK, server, client, dport, sport, b''),
            (ACK, client, server, sport, dport, b'')]:
        out.append((t, tcp_pkt(a, b, sp, dp, fl, pl)))
        t += 0.01
    return out


def write_pcap(path, packets):
    """A classic pcap (microseconds, Ethernet) of (time, frame) pairs,
    in time order."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for ts, p in sorted(packets, key=lambda x: x[0]):
            sec = int(ts)
            f.write(struct.pack('<IIII', sec, int((ts - sec) * 1e6), len(p),
                                len(p)) + p)
