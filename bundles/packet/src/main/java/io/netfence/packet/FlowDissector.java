package io.netfence.packet;

/**
 * Parses a frame into its {@link FlowKey} and decides whether it is well formed. Every length a
 * header claims is checked against the bytes that are really there before anything behind it is
 * read, so no input can make it read out of bounds, loop or throw. It allocates nothing.
 *
 * <p>What is deliberately not done here: L4 checksums (forwarding must not pay for them; see
 * {@link #l4ChecksumValid}), trimming Ethernet padding (later stages use the IP lengths, not the
 * frame length), and route-dependent address checks (martians are a forwarding decision).
 */
public final class FlowDissector {
    /** Extension headers walked before the chain counts as hostile (a loop or a chain bomb). */
    public static final int MAX_IPV6_EXTENSION_HEADERS = 8;
    /** VLAN tags parsed; a third tag leaves {@link FlowKey#ethType} at its TPID. */
    public static final int MAX_VLAN_TAGS = 2;

    private static final int OK = -1;
    private static final int TRUNCATED_ETHERNET = DropReason.TRUNCATED_ETHERNET.ordinal();
    private static final int TRUNCATED_VLAN = DropReason.TRUNCATED_VLAN.ordinal();
    private static final int TRUNCATED_ARP = DropReason.TRUNCATED_ARP.ordinal();
    private static final int BAD_ARP = DropReason.BAD_ARP.ordinal();
    private static final int TRUNCATED_IPV4 = DropReason.TRUNCATED_IPV4.ordinal();
    private static final int BAD_IP_VERSION = DropReason.BAD_IP_VERSION.ordinal();
    private static final int BAD_IPV4_HEADER_LENGTH = DropReason.BAD_IPV4_HEADER_LENGTH.ordinal();
    private static final int BAD_IPV4_TOTAL_LENGTH = DropReason.BAD_IPV4_TOTAL_LENGTH.ordinal();
    private static final int BAD_IPV4_CHECKSUM = DropReason.BAD_IPV4_CHECKSUM.ordinal();
    private static final int BAD_IPV4_ADDRESS = DropReason.BAD_IPV4_ADDRESS.ordinal();
    private static final int TRUNCATED_IPV6 = DropReason.TRUNCATED_IPV6.ordinal();
    private static final int BAD_IPV6_PAYLOAD_LENGTH = DropReason.BAD_IPV6_PAYLOAD_LENGTH.ordinal();
    private static final int BAD_IPV6_EXTENSION_HEADER = DropReason.BAD_IPV6_EXTENSION_HEADER.ordinal();
    private static final int IPV6_EXTENSION_HEADER_LIMIT = DropReason.IPV6_EXTENSION_HEADER_LIMIT.ordinal();
    private static final int BAD_IPV6_ADDRESS = DropReason.BAD_IPV6_ADDRESS.ordinal();
    private static final int TRUNCATED_L4 = DropReason.TRUNCATED_L4.ordinal();
    private static final int BAD_L4_HEADER = DropReason.BAD_L4_HEADER.ordinal();
    private static final int RX_ERROR = DropReason.RX_ERROR.ordinal();

    private static final int PROTO_SCTP = 132;
    private static final int SCTP_COMMON_HEADER_LEN = 12;

    private FlowDissector() {
    }

    /**
     * Parses {@code p.data[p.offset, p.offset + p.length)} into {@code p.key} (cleared first).
     * Returns -1 if the packet is well formed, else the {@link DropReason} ordinal of the first
     * defect; the key then holds what was parsed before the defect. Does not touch
     * {@code p.dropReason}: the caller decides what to count.
     */
    public static int dissect(PacketBuffer p) {
        FlowKey k = p.key;
        k.clear();
        k.inPort = p.inPort;
        byte[] b = p.data;
        int pos = p.offset;
        int len = p.length;
        // A driver bug, not a hostile packet: the frame does not lie inside its buffer.
        if (pos < 0 || len < 0 || len > b.length - pos) {
            return RX_ERROR;
        }
        int end = pos + len;
        if (len < Ethernet.HEADER_LEN) {
            return TRUNCATED_ETHERNET;
        }
        k.l2Offset = pos;
        k.ethDst = Ethernet.dst(b, pos);
        k.ethSrc = Ethernet.src(b, pos);
        int type = Ethernet.type(b, pos);
        pos += Ethernet.HEADER_LEN;
        for (int tags = 0; tags < MAX_VLAN_TAGS && Vlan.isTpid(type); tags++) {
            // pos is just past the TPID: the TCI and the next EtherType follow.
            if (end - pos < Vlan.TAG_LEN) {
                return TRUNCATED_VLAN;
            }
            int tci = Bytes.u16(b, pos);
            if (tags == 0) {
                k.vlanId = tci & 0xFFF;
                k.vlanPrio = tci >>> 13;
            } else {
                k.cvlanId = tci & 0xFFF;
            }
            type = Bytes.u16(b, pos + 2);
            pos += Vlan.TAG_LEN;
        }
        k.ethType = type;
        k.l3Offset = pos;
        return switch (type) {
            case FlowKey.ETH_P_IPV4 -> ipv4(k, b, pos, end);
            case FlowKey.ETH_P_IPV6 -> ipv6(k, b, pos, end);
            case FlowKey.ETH_P_ARP -> arp(k, b, pos, end);
            default -> OK;
        };
    }

    /** ARP: only Ethernet/IPv4. Like Linux's flow dissector, op goes to ipProto and the protocol addresses to ipv4Src/Dst (ipVersion stays 0). */
    private static int arp(FlowKey k, byte[] b, int off, int end) {
        if (end - off < Arp.LEN) {
            return TRUNCATED_ARP;
        }
        if (!Arp.isEthernetIpv4(b, off)) {
            return BAD_ARP;
        }
        k.ipProto = Arp.op(b, off) & 0xFF;
        k.ipv4Src = Arp.senderIp(b, off);
        k.ipv4Dst = Arp.targetIp(b, off);
        k.payloadOffset = off + Arp.LEN;
        return OK;
    }

    private static int ipv4(FlowKey k, byte[] b, int off, int end) {
        int avail = end - off;
        if (avail < Ipv4.MIN_HEADER_LEN) {
            return TRUNCATED_IPV4;
        }
        int vihl = Bytes.u8(b, off);
        if ((vihl >>> 4) != 4) {
            return BAD_IP_VERSION;
        }
        int ihl = (vihl & 0x0F) << 2;
        if (ihl < Ipv4.MIN_HEADER_LEN) {
            return BAD_IPV4_HEADER_LENGTH;
        }
        if (ihl > avail) {
            return TRUNCATED_IPV4;
        }
        int total = Ipv4.totalLength(b, off);
        if (total < ihl || total > avail) {
            return BAD_IPV4_TOTAL_LENGTH;
        }
        if (Checksum.sum(b, off, ihl, 0) != 0xFFFF) {
            return BAD_IPV4_CHECKSUM;
        }
        int src = Ipv4.src(b, off);
        k.ipVersion = 4;
        k.tos = Ipv4.tos(b, off);
        k.ttl = Ipv4.ttl(b, off);
        k.ipv4Src = src;
        k.ipv4Dst = Ipv4.dst(b, off);
        int proto = Ipv4.protocol(b, off);
        k.ipProto = proto;
        // 224.0.0.0/4 and 255.255.255.255 can never be a sender (RFC 1812 section 5.3.7).
        if ((src & 0xF000_0000) == 0xE000_0000 || src == -1) {
            return BAD_IPV4_ADDRESS;
        }
        int ff = Ipv4.flagsFragment(b, off);
        int l4 = off + ihl;
        // An "atomic" datagram (offset 0, MF clear) is not a fragment.
        if ((ff & (Ipv4.FLAG_MF | Ipv4.FRAGMENT_OFFSET_MASK)) != 0) {
            k.fragment = true;
            if ((ff & Ipv4.FRAGMENT_OFFSET_MASK) != 0) {
                k.payloadOffset = l4;
                return OK;
            }
            k.firstFragment = true;
        }
        return transport(k, b, proto, l4, off + total, false);
    }

    private static int ipv6(FlowKey k, byte[] b, int off, int end) {
        int avail = end - off;
        if (avail < Ipv6.HEADER_LEN) {
            return TRUNCATED_IPV6;
        }
        if ((Bytes.u8(b, off) >>> 4) != 6) {
            return BAD_IP_VERSION;
        }
        int payloadLength = Ipv6.payloadLength(b, off);
        if (payloadLength > avail - Ipv6.HEADER_LEN) {
            return BAD_IPV6_PAYLOAD_LENGTH;
        }
        k.ipVersion = 6;
        k.tos = Ipv6.trafficClass(b, off);
        k.ttl = Ipv6.hopLimit(b, off);
        long srcHi = Ipv6.srcHi(b, off);
        k.ipv6SrcHi = srcHi;
        k.ipv6SrcLo = Ipv6.srcLo(b, off);
        k.ipv6DstHi = Ipv6.dstHi(b, off);
        k.ipv6DstLo = Ipv6.dstLo(b, off);
        int nh = Ipv6.nextHeader(b, off);
        k.ipProto = nh;
        if (Ipv6.isMulticast(srcHi)) {
            return BAD_IPV6_ADDRESS;
        }
        int l3End = off + Ipv6.HEADER_LEN + payloadLength;
        int pos = off + Ipv6.HEADER_LEN;
        int count = 0;
        while (Ipv6.isExtensionHeader(nh)) {
            if (++count > MAX_IPV6_EXTENSION_HEADERS) {
                return IPV6_EXTENSION_HEADER_LIMIT;
            }
            // Hop-by-hop options may only come first (RFC 8200 section 4.1).
            if (nh == Ipv6.HOPOPTS && count != 1) {
                return BAD_IPV6_EXTENSION_HEADER;
            }
            // Every extension header has at least 8 bytes (AH: 12, checked below).
            if (l3End - pos < 8) {
                return BAD_IPV6_EXTENSION_HEADER;
            }
            int hlen = Ipv6.extensionHeaderLength(b, pos, nh);
            if (hlen > l3End - pos || (nh == Ipv6.AH && hlen < 12)) {
                return BAD_IPV6_EXTENSION_HEADER;
            }
            int next = Bytes.u8(b, pos);
            if (nh == Ipv6.FRAGMENT) {
                int offMore = Bytes.u16(b, pos + 2);
                // An atomic fragment (offset 0, M clear; RFC 6946) is processed as a whole packet.
                if ((offMore & 0xFFF9) != 0) {
                    k.fragment = true;
                    if ((offMore & 0xFFF8) != 0) {
                        k.ipProto = next;
                        k.payloadOffset = pos + hlen;
                        return OK;
                    }
                    k.firstFragment = true;
                }
            }
            nh = next;
            pos += hlen;
        }
        k.ipProto = nh;
        if (nh == Ipv6.NONE) {
            k.payloadOffset = pos;
            return OK;
        }
        return transport(k, b, nh, pos, l3End, true);
    }

    /** L4 header checks; {@code end} is where the IP payload ends (from the IP header, not the frame). */
    private static int transport(FlowKey k, byte[] b, int proto, int off, int end, boolean v6) {
        k.l4Offset = off;
        int avail = end - off;
        switch (proto) {
            case Tcp.PROTO -> {
                if (avail < Tcp.MIN_HEADER_LEN) {
                    return TRUNCATED_L4;
                }
                int doff = Tcp.dataOffset(b, off);
                if (doff < Tcp.MIN_HEADER_LEN) {
                    return BAD_L4_HEADER;
                }
                if (doff > avail) {
                    return TRUNCATED_L4;
                }
                k.srcPort = Tcp.srcPort(b, off);
                k.dstPort = Tcp.dstPort(b, off);
                k.tcpFlags = Tcp.flags(b, off);
                k.payloadOffset = off + doff;
            }
            case Udp.PROTO -> {
                if (avail < Udp.HEADER_LEN) {
                    return TRUNCATED_L4;
                }
                int ulen = Udp.length(b, off);
                if (ulen < Udp.HEADER_LEN) {
                    return BAD_L4_HEADER;
                }
                // A first fragment carries the length of the whole datagram.
                if (ulen > avail && !k.fragment) {
                    return TRUNCATED_L4;
                }
                k.srcPort = Udp.srcPort(b, off);
                k.dstPort = Udp.dstPort(b, off);
                k.payloadOffset = off + Udp.HEADER_LEN;
            }
            case Esp.PROTO -> {
                if (avail < Esp.HEADER_LEN) {
                    return TRUNCATED_L4;
                }
                k.espSpi = Esp.spi(b, off);
                k.payloadOffset = off + Esp.HEADER_LEN;
            }
            case PROTO_SCTP -> {
                if (avail < SCTP_COMMON_HEADER_LEN) {
                    return TRUNCATED_L4;
                }
                k.srcPort = Bytes.u16(b, off);
                k.dstPort = Bytes.u16(b, off + 2);
                k.payloadOffset = off + SCTP_COMMON_HEADER_LEN;
            }
            default -> {
                // ICMP only counts as such over its own IP version.
                if ((proto == Ipv4.PROTO_ICMP && !v6) || (proto == Icmpv6.PROTO && v6)) {
                    return icmp(k, b, off, avail, v6);
                }
                k.payloadOffset = off;
            }
        }
        return OK;
    }

    private static int icmp(FlowKey k, byte[] b, int off, int avail, boolean v6) {
        if (avail < 4) {
            return TRUNCATED_L4;
        }
        int type = Bytes.u8(b, off);
        k.icmpType = type;
        k.icmpCode = Bytes.u8(b, off + 1);
        boolean echo = v6 ? Icmpv6.isEcho(type) : Icmp.isEcho(type);
        if (echo && avail < Icmp.HEADER_LEN) {
            return TRUNCATED_L4;
        }
        k.payloadOffset = off + Math.min(avail, Icmp.HEADER_LEN);
        return OK;
    }

    /**
     * Verifies the TCP, UDP, ICMP or ICMPv6 checksum of a packet that {@link #dissect} accepted,
     * for traffic addressed to the appliance itself. Lengths come from the IP header (UDP: from
     * its own length field), never from the frame, so Ethernet padding is not summed. Packets
     * without an L4 checksum (non-IP, ESP, other protocols) are valid; fragments are not
     * verifiable before reassembly and return false, as does a UDP/IPv6 checksum of 0.
     */
    public static boolean l4ChecksumValid(PacketBuffer p) {
        FlowKey k = p.key;
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int l4 = k.l4Offset;
        if (k.ipVersion == 0 || l4 < 0) {
            return !k.fragment;
        }
        if (k.fragment) {
            return false;
        }
        int l3End = k.ipVersion == 4 ? l3 + Ipv4.totalLength(b, l3) : l3 + Ipv6.HEADER_LEN + Ipv6.payloadLength(b, l3);
        int len = l3End - l4;
        int proto = k.ipProto;
        if (proto == Udp.PROTO) {
            int ulen = len >= Udp.HEADER_LEN ? Udp.length(b, l4) : 0;
            if (ulen < Udp.HEADER_LEN || ulen > len) {
                return false;
            }
            len = ulen;
        }
        if (k.ipVersion == 4) {
            return switch (proto) {
                case Tcp.PROTO -> Tcp.checksumValidV4(b, l3, l4, len);
                case Udp.PROTO -> Udp.checksumValidV4(b, l3, l4, len);
                case Ipv4.PROTO_ICMP -> Icmp.checksumValid(b, l4, len);
                default -> true;
            };
        }
        return switch (proto) {
            case Tcp.PROTO -> Tcp.checksumValidV6(b, l3, l4, len);
            case Udp.PROTO -> Udp.checksumValidV6(b, l3, l4, len);
            case Icmpv6.PROTO -> Icmpv6.checksumValid(b, l3, l4, len);
            default -> true;
        };
    }
}
