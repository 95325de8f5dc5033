package io.netfence.port.udp.internal;

import io.netfence.packet.Arp;
import io.netfence.packet.Bytes;
import io.netfence.packet.Ethernet;
import io.netfence.packet.FlowKey;
import io.netfence.packet.Icmpv6;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.Udp;

/**
 * The frames a UDP port makes up: the Ethernet/IP/UDP headers in front of a received datagram,
 * and the ARP replies and neighbour advertisements that answer the dataplane's own solicitations.
 * Everything writes into a caller's array and allocates nothing.
 */
final class UdpFrames {
    static final int ETH = Ethernet.HEADER_LEN;
    /** Headers in front of an IPv4 datagram's payload: Ethernet, IPv4 without options, UDP. */
    static final int V4_HEADERS = ETH + Ipv4.MIN_HEADER_LEN + Udp.HEADER_LEN;
    /** Headers in front of an IPv6 datagram's payload: Ethernet, IPv6, UDP. */
    static final int V6_HEADERS = ETH + Ipv6.HEADER_LEN + Udp.HEADER_LEN;
    /** TTL / hop limit of a synthesized datagram, as if the peer were one hop away. */
    static final int TTL = 64;
    /** An ARP reply: Ethernet + ARP, unpadded. */
    static final int ARP_REPLY_LEN = ETH + Arp.LEN;
    /** A neighbour advertisement with a target link-layer address option. */
    static final int NA_LEN = ETH + Ipv6.HEADER_LEN + Icmpv6.ND_LEN + 8;
    /** ff02::1, the all-nodes group, and its Ethernet address. */
    static final long ALL_NODES_HI = 0xFF02_0000_0000_0000L;
    static final long ALL_NODES_LO = 1;
    static final long ALL_NODES_MAC = 0x3333_0000_0001L;

    private UdpFrames() {
    }

    /**
     * Writes Ethernet, IPv4 and UDP headers at {@code off} in front of the {@code payloadLength}
     * bytes already at {@code off + V4_HEADERS}. The UDP checksum is 0 (none, allowed over IPv4).
     */
    static void ipv4Udp(byte[] b, int off, long dstMac, long srcMac, int src, int sport, int dst, int dport, int payloadLength, int id) {
        Ethernet.write(b, off, dstMac, srcMac, FlowKey.ETH_P_IPV4);
        int udpLength = Udp.HEADER_LEN + payloadLength;
        Ipv4.writeHeader(b, off + ETH, 0, Ipv4.MIN_HEADER_LEN + udpLength, id, TTL, Udp.PROTO, src, dst);
        Udp.write(b, off + ETH + Ipv4.MIN_HEADER_LEN, sport, dport, udpLength);
    }

    /**
     * Writes Ethernet, IPv6 and UDP headers at {@code off} in front of the {@code payloadLength}
     * bytes already at {@code off + V6_HEADERS}, with the UDP checksum IPv6 requires.
     */
    static void ipv6Udp(byte[] b, int off, long dstMac, long srcMac, long srcHi, long srcLo, int sport, long dstHi, long dstLo,
            int dport, int payloadLength) {
        Ethernet.write(b, off, dstMac, srcMac, FlowKey.ETH_P_IPV6);
        int udpLength = Udp.HEADER_LEN + payloadLength;
        int ip = off + ETH;
        int udp = ip + Ipv6.HEADER_LEN;
        Ipv6.writeHeader(b, ip, 0, udpLength, Udp.PROTO, TTL, srcHi, srcLo, dstHi, dstLo);
        Udp.write(b, udp, sport, dport, udpLength);
        Udp.setChecksumV6(b, ip, udp, udpLength);
    }

    /**
     * If {@code b[off, off+len)} is an ARP request this port should answer, writes the reply
     * into {@code out} at 0 and returns its length; else returns 0. Every address is answered
     * except what is about this side rather than a peer: announcements (sender = target), probes
     * (RFC 5227: sender 0.0.0.0) for {@code ownV4} (the socket's address, or 0 when it is IPv6),
     * and 0.0.0.0 itself.
     */
    static int arpReply(byte[] b, int off, int len, long peerMac, int ownV4, byte[] out) {
        if (len < ARP_REPLY_LEN || Ethernet.type(b, off) != FlowKey.ETH_P_ARP) {
            return 0;
        }
        int a = off + ETH;
        if (!Arp.isEthernetIpv4(b, a) || Arp.op(b, a) != Arp.OP_REQUEST) {
            return 0;
        }
        long sha = Arp.senderMac(b, a);
        int spa = Arp.senderIp(b, a);
        int tpa = Arp.targetIp(b, a);
        if (tpa == 0 || tpa == spa || (spa == 0 && tpa == ownV4) || sha == 0 || Ethernet.isMulticast(sha)) {
            return 0;
        }
        Ethernet.write(out, 0, sha, peerMac, FlowKey.ETH_P_ARP);
        Arp.write(out, ETH, Arp.OP_REPLY, peerMac, tpa, sha, spa);
        return ARP_REPLY_LEN;
    }

    /**
     * If {@code b[off, off+len)} is an IPv6 neighbour solicitation this port should answer, writes
     * a neighbour advertisement for its target at {@code peerMac} into {@code out} at 0 and returns
     * its length; else returns 0. Every target is answered except a duplicate address detection
     * probe (source ::) for the socket's own address ({@code ownHi:ownLo} when {@code ownV6}):
     * answering that would declare the address a duplicate.
     */
    static int neighbourAdvert(byte[] b, int off, int len, long peerMac, boolean ownV6, long ownHi, long ownLo, byte[] out) {
        int ip = off + ETH;
        int icmp = ip + Ipv6.HEADER_LEN;
        if (len < ETH + Ipv6.HEADER_LEN + Icmpv6.ND_LEN || Ethernet.type(b, off) != FlowKey.ETH_P_IPV6
                || Ipv6.version(b, ip) != 6 || Ipv6.nextHeader(b, ip) != Icmpv6.PROTO || Ipv6.hopLimit(b, ip) != Icmpv6.ND_HOP_LIMIT) {
            return 0;
        }
        int payload = Ipv6.payloadLength(b, ip);
        if (payload < Icmpv6.ND_LEN || payload > len - ETH - Ipv6.HEADER_LEN
                || Icmpv6.type(b, icmp) != Icmpv6.TYPE_NEIGHBOR_SOLICIT || Icmpv6.code(b, icmp) != 0) {
            return 0;
        }
        long th = Icmpv6.targetHi(b, icmp);
        long tl = Icmpv6.targetLo(b, icmp);
        long sh = Ipv6.srcHi(b, ip);
        long sl = Ipv6.srcLo(b, ip);
        long ethSrc = Ethernet.src(b, off);
        boolean unspecified = sh == 0 && sl == 0;
        if (Ipv6.isMulticast(th) || (th == 0 && tl == 0) || (unspecified && ownV6 && th == ownHi && tl == ownLo)) {
            return 0;
        }
        if (!unspecified && (ethSrc == 0 || Ethernet.isMulticast(ethSrc))) {
            return 0;
        }
        // RFC 4861 section 7.2.4: a solicitation from :: is answered to all-nodes, and not marked solicited.
        long dh = unspecified ? ALL_NODES_HI : sh;
        long dl = unspecified ? ALL_NODES_LO : sl;
        int flags = Icmpv6.NA_FLAG_ROUTER | Icmpv6.NA_FLAG_OVERRIDE | (unspecified ? 0 : Icmpv6.NA_FLAG_SOLICITED);
        int naLength = Icmpv6.ND_LEN + 8;
        Ethernet.write(out, 0, unspecified ? ALL_NODES_MAC : ethSrc, peerMac, FlowKey.ETH_P_IPV6);
        Ipv6.writeHeader(out, ETH, 0, naLength, Icmpv6.PROTO, Icmpv6.ND_HOP_LIMIT, th, tl, dh, dl);
        int na = ETH + Ipv6.HEADER_LEN;
        Icmpv6.write(out, na, Icmpv6.TYPE_NEIGHBOR_ADVERT, 0, flags);
        Bytes.put64(out, na + 8, th);
        Bytes.put64(out, na + 16, tl);
        Icmpv6.writeLinkLayerOption(out, na + Icmpv6.ND_LEN, Icmpv6.TARGET_LL_ADDR, peerMac);
        Icmpv6.setChecksum(out, ETH, na, naLength);
        return NA_LEN;
    }
}
