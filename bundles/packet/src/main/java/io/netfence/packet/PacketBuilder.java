package io.netfence.packet;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds complete frames with correct lengths and checksums, for tests, the traffic generator
 * and the control plane (it allocates; never use it per packet). For example
 * {@code PacketBuilder.ethernet(dst, src).ipv4(a, b).ttl(64).udp(1234, 53).payload(data).build()}.
 * Layers are chosen in order: Ethernet, optional VLAN tags, then one of ARP / IPv4 / IPv6 / a raw
 * EtherType, then for IP an optional transport header, then the payload.
 */
public final class PacketBuilder {
    private enum L3 { NONE, ARP, IPV4, IPV6 }

    private enum L4 { NONE, UDP, TCP, ICMP, ICMPV6, ESP, RAW }

    private record ExtHeader(int type, byte[] body) {
    }

    private final long dstMac;
    private final long srcMac;
    private final List<int[]> tags = new ArrayList<>();
    private int rawEthType = -1;

    private L3 l3 = L3.NONE;
    private int arpOp;
    private long arpSha;
    private int arpSpa;
    private long arpTha;
    private int arpTpa;
    private int v4Src;
    private int v4Dst;
    private long v6SrcHi;
    private long v6SrcLo;
    private long v6DstHi;
    private long v6DstLo;
    private int ttl = -1;
    private int tos;
    private int flowLabel;
    private int ipId;
    private int flagsFragment;
    private byte[] ipv4Options = new byte[0];
    private final List<ExtHeader> extHeaders = new ArrayList<>();
    private boolean nonFirstFragment;

    private L4 l4 = L4.NONE;
    private int rawProto = -1;
    private int sport;
    private int dport;
    private int tcpFlags;
    private int tcpSeq;
    private int tcpAck;
    private int tcpWindow = 65535;
    private int icmpType;
    private int icmpCode;
    private int icmpRest;
    private byte[] icmpBody = new byte[0];
    private int espSpi;
    private int espSeq;

    private byte[] payload = new byte[0];
    private int size = -1;

    private PacketBuilder(long dstMac, long srcMac) {
        this.dstMac = dstMac;
        this.srcMac = srcMac;
    }

    public static PacketBuilder ethernet(long dstMac, long srcMac) {
        return new PacketBuilder(dstMac, srcMac);
    }

    public static PacketBuilder ethernet(MacAddress dst, MacAddress src) {
        return new PacketBuilder(dst.bits(), src.bits());
    }

    public static PacketBuilder ethernet(String dst, String src) {
        return ethernet(MacAddress.parse(dst), MacAddress.parse(src));
    }

    /** Adds an 802.1Q tag; the first call gives the outer tag. */
    public PacketBuilder vlan(int id, int prio) {
        return vlan(Vlan.TPID_8021Q, id, prio);
    }

    /** Adds a tag with an explicit TPID (0x88a8 for a QinQ service tag). */
    public PacketBuilder vlan(int tpid, int id, int prio) {
        if (id < 0 || id > Vlan.MAX_VID) {
            throw new IllegalArgumentException("VLAN id " + id + " out of range 0-4095");
        }
        if (prio < 0 || prio > 7) {
            throw new IllegalArgumentException("VLAN priority " + prio + " out of range 0-7");
        }
        tags.add(new int[] {tpid, id, prio});
        return this;
    }

    /** An 802.1ad service tag (outer) followed by an 802.1Q customer tag (inner). */
    public PacketBuilder qinq(int serviceId, int customerId) {
        return vlan(Vlan.TPID_8021AD, serviceId, 0).vlan(Vlan.TPID_8021Q, customerId, 0);
    }

    /** A frame of this EtherType whose body is the payload. */
    public PacketBuilder ethType(int ethType) {
        l3 = L3.NONE;
        rawEthType = ethType & 0xFFFF;
        return this;
    }

    public PacketBuilder arp(int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        l3 = L3.ARP;
        arpOp = op;
        arpSha = senderMac;
        arpSpa = senderIp;
        arpTha = targetMac;
        arpTpa = targetIp;
        return this;
    }

    /** Who has {@code targetIp}? Tell {@code senderIp} (target MAC zero, as RFC 826 leaves it). */
    public PacketBuilder arpRequest(long senderMac, int senderIp, int targetIp) {
        return arp(Arp.OP_REQUEST, senderMac, senderIp, 0, targetIp);
    }

    public PacketBuilder arpReply(long senderMac, int senderIp, long targetMac, int targetIp) {
        return arp(Arp.OP_REPLY, senderMac, senderIp, targetMac, targetIp);
    }

    public PacketBuilder ipv4(int src, int dst) {
        l3 = L3.IPV4;
        v4Src = src;
        v4Dst = dst;
        return this;
    }

    public PacketBuilder ipv4(IpAddress src, IpAddress dst) {
        if (!src.isV4() || !dst.isV4()) {
            throw new IllegalArgumentException("ipv4() needs IPv4 addresses, got " + src + " and " + dst);
        }
        return ipv4(src.v4bits(), dst.v4bits());
    }

    public PacketBuilder ipv4(String src, String dst) {
        return ipv4(IpAddress.parse(src), IpAddress.parse(dst));
    }

    public PacketBuilder ipv6(long srcHi, long srcLo, long dstHi, long dstLo) {
        l3 = L3.IPV6;
        v6SrcHi = srcHi;
        v6SrcLo = srcLo;
        v6DstHi = dstHi;
        v6DstLo = dstLo;
        return this;
    }

    public PacketBuilder ipv6(IpAddress src, IpAddress dst) {
        if (src.isV4() || dst.isV4()) {
            throw new IllegalArgumentException("ipv6() needs IPv6 addresses, got " + src + " and " + dst);
        }
        return ipv6(src.hi(), src.lo(), dst.hi(), dst.lo());
    }

    public PacketBuilder ipv6(String src, String dst) {
        return ipv6(IpAddress.parse(src), IpAddress.parse(dst));
    }

    /** IPv4 TTL or IPv6 hop limit (default 64; 255 for Neighbor Discovery). */
    public PacketBuilder ttl(int ttl) {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("TTL " + ttl + " out of range 0-255");
        }
        this.ttl = ttl;
        return this;
    }

    public PacketBuilder hopLimit(int hopLimit) {
        return ttl(hopLimit);
    }

    /** IPv4 TOS or IPv6 traffic class. */
    public PacketBuilder tos(int tos) {
        this.tos = tos & 0xFF;
        return this;
    }

    public PacketBuilder flowLabel(int flowLabel) {
        this.flowLabel = flowLabel & 0xF_FFFF;
        return this;
    }

    public PacketBuilder id(int id) {
        this.ipId = id & 0xFFFF;
        return this;
    }

    public PacketBuilder dontFragment() {
        flagsFragment |= Ipv4.FLAG_DF;
        return this;
    }

    /** IPv4 options (padded with end-of-list to a multiple of 4 bytes, at most 40). */
    public PacketBuilder ipv4Options(byte[] options) {
        int padded = (options.length + 3) & ~3;
        if (padded > Ipv4.MAX_HEADER_LEN - Ipv4.MIN_HEADER_LEN) {
            throw new IllegalArgumentException("IPv4 options of " + options.length + " bytes exceed the 40-byte limit");
        }
        ipv4Options = java.util.Arrays.copyOf(options, padded);
        return this;
    }

    /**
     * Makes this an IPv4 fragment ({@code offset} in bytes, a multiple of 8) or, on an IPv6
     * packet, adds a fragment header. A non-first fragment carries no transport header: only
     * payload.
     */
    public PacketBuilder fragment(int offset, boolean more, int id) {
        if (offset < 0 || (offset & 7) != 0 || offset > 0xFFF8) {
            throw new IllegalArgumentException("fragment offset " + offset + " must be a multiple of 8 in 0-65528");
        }
        nonFirstFragment = offset != 0;
        if (l3 == L3.IPV6) {
            byte[] body = new byte[6];
            Bytes.put16(body, 0, offset | (more ? 1 : 0));
            Bytes.put32(body, 2, id);
            extHeaders.add(new ExtHeader(Ipv6.FRAGMENT, body));
        } else if (l3 == L3.IPV4) {
            flagsFragment = (flagsFragment & Ipv4.FLAG_DF) | (more ? Ipv4.FLAG_MF : 0) | (offset >>> 3);
            ipId = id & 0xFFFF;
        } else {
            throw new IllegalStateException("fragment() needs ipv4() or ipv6() first");
        }
        return this;
    }

    /**
     * Adds an IPv6 hop-by-hop, routing or destination options header of {@code length} bytes
     * (a multiple of 8). Options headers are filled with padding options; a routing header gets
     * type 253 (experimental, RFC 4727) with segments left 0, so nodes skip it.
     */
    public PacketBuilder extensionHeader(int type, int length) {
        if (l3 != L3.IPV6) {
            throw new IllegalStateException("extensionHeader() needs ipv6() first");
        }
        if (type != Ipv6.HOPOPTS && type != Ipv6.ROUTING && type != Ipv6.DSTOPTS) {
            throw new IllegalArgumentException("extension header type " + type + ": expected 0 (hop-by-hop), 43 (routing) or 60 (destination options)");
        }
        if (length < 8 || length > 2048 || (length & 7) != 0) {
            throw new IllegalArgumentException("extension header length " + length + " must be a multiple of 8 in 8-2048");
        }
        byte[] body = new byte[length - 2];
        if (type == Ipv6.ROUTING) {
            body[0] = (byte) 253;
        } else if (body.length == 1) {
            body[0] = 0; // Pad1
        } else {
            body[0] = 1; // PadN covering the rest
            body[1] = (byte) (body.length - 2);
        }
        extHeaders.add(new ExtHeader(type, body));
        return this;
    }

    /** Adds an IPv6 authentication header with a zero 12-byte ICV (RFC 4302; 24 bytes in all). */
    public PacketBuilder authenticationHeader(int spi, int seq) {
        if (l3 != L3.IPV6) {
            throw new IllegalStateException("authenticationHeader() needs ipv6() first");
        }
        byte[] body = new byte[22];
        Bytes.put32(body, 2, spi);
        Bytes.put32(body, 6, seq);
        extHeaders.add(new ExtHeader(Ipv6.AH, body));
        return this;
    }

    public PacketBuilder udp(int sport, int dport) {
        l4 = L4.UDP;
        this.sport = sport & 0xFFFF;
        this.dport = dport & 0xFFFF;
        return this;
    }

    public PacketBuilder tcp(int sport, int dport, int flags) {
        l4 = L4.TCP;
        this.sport = sport & 0xFFFF;
        this.dport = dport & 0xFFFF;
        this.tcpFlags = flags & 0x1FF;
        return this;
    }

    public PacketBuilder seq(int seq) {
        this.tcpSeq = seq;
        return this;
    }

    public PacketBuilder ack(int ack) {
        this.tcpAck = ack;
        return this;
    }

    public PacketBuilder window(int window) {
        this.tcpWindow = window & 0xFFFF;
        return this;
    }

    /** An ICMP message over IPv4: type, code and the 4-byte word after the checksum. */
    public PacketBuilder icmp(int type, int code, int restOfHeader) {
        l4 = L4.ICMP;
        icmpType = type;
        icmpCode = code;
        icmpRest = restOfHeader;
        icmpBody = new byte[0];
        return this;
    }

    public PacketBuilder icmpEcho(int id, int seq) {
        return icmp(Icmp.TYPE_ECHO_REQUEST, 0, (id << 16) | (seq & 0xFFFF));
    }

    public PacketBuilder icmpEchoReply(int id, int seq) {
        return icmp(Icmp.TYPE_ECHO_REPLY, 0, (id << 16) | (seq & 0xFFFF));
    }

    /** An ICMPv6 message: type, code and the 4-byte word after the checksum. */
    public PacketBuilder icmpv6(int type, int code, int restOfHeader) {
        l4 = L4.ICMPV6;
        icmpType = type;
        icmpCode = code;
        icmpRest = restOfHeader;
        icmpBody = new byte[0];
        return this;
    }

    public PacketBuilder icmpv6Echo(int id, int seq) {
        return icmpv6(Icmpv6.TYPE_ECHO_REQUEST, 0, (id << 16) | (seq & 0xFFFF));
    }

    public PacketBuilder icmpv6EchoReply(int id, int seq) {
        return icmpv6(Icmpv6.TYPE_ECHO_REPLY, 0, (id << 16) | (seq & 0xFFFF));
    }

    /** A neighbor solicitation for the target, with a source link-layer address option unless {@code sourceMac} is -1. */
    public PacketBuilder neighborSolicit(long targetHi, long targetLo, long sourceMac) {
        icmpv6(Icmpv6.TYPE_NEIGHBOR_SOLICIT, 0, 0);
        icmpBody = ndBody(targetHi, targetLo, Icmpv6.SOURCE_LL_ADDR, sourceMac);
        return this;
    }

    /** A neighbor advertisement ({@code flags} from {@link Icmpv6#NA_FLAG_ROUTER} etc.) with a target link-layer address option unless -1. */
    public PacketBuilder neighborAdvert(long targetHi, long targetLo, int flags, long targetMac) {
        icmpv6(Icmpv6.TYPE_NEIGHBOR_ADVERT, 0, flags);
        icmpBody = ndBody(targetHi, targetLo, Icmpv6.TARGET_LL_ADDR, targetMac);
        return this;
    }

    private static byte[] ndBody(long targetHi, long targetLo, int optionType, long mac) {
        byte[] body = new byte[mac < 0 ? 16 : 24];
        Bytes.put64(body, 0, targetHi);
        Bytes.put64(body, 8, targetLo);
        if (mac >= 0) {
            Icmpv6.writeLinkLayerOption(body, 16, optionType, mac);
        }
        return body;
    }

    public PacketBuilder esp(int spi, int seq) {
        l4 = L4.ESP;
        espSpi = spi;
        espSeq = seq;
        return this;
    }

    /** Any other IP protocol number; the payload follows the IP header directly. */
    public PacketBuilder protocol(int proto) {
        l4 = L4.RAW;
        rawProto = proto & 0xFF;
        return this;
    }

    public PacketBuilder payload(byte[] data) {
        payload = data.clone();
        return this;
    }

    /** Pads the payload with zeros so the whole frame is {@code totalFrameLength} bytes. */
    public PacketBuilder size(int totalFrameLength) {
        size = totalFrameLength;
        return this;
    }

    private int l4HeaderLength() {
        return switch (l4) {
            case NONE, RAW -> 0;
            case UDP -> Udp.HEADER_LEN;
            case TCP -> Tcp.MIN_HEADER_LEN;
            case ICMP, ICMPV6 -> Icmp.HEADER_LEN + icmpBody.length;
            case ESP -> Esp.HEADER_LEN;
        };
    }

    private int l4Protocol() {
        return switch (l4) {
            case NONE -> l3 == L3.IPV6 ? Ipv6.NONE : 253; // 253: experimentation (RFC 3692)
            case RAW -> rawProto;
            case UDP -> Udp.PROTO;
            case TCP -> Tcp.PROTO;
            case ICMP -> Ipv4.PROTO_ICMP;
            case ICMPV6 -> Icmpv6.PROTO;
            case ESP -> Esp.PROTO;
        };
    }

    /** The finished frame. */
    public byte[] build() {
        if (l4 != L4.NONE && l3 != L3.IPV4 && l3 != L3.IPV6) {
            throw new IllegalStateException("a transport header needs ipv4() or ipv6()");
        }
        if (nonFirstFragment && l4 != L4.NONE && l4 != L4.RAW) {
            throw new IllegalStateException("a non-first fragment carries no transport header: use protocol(n) and payload()");
        }
        if (l4 == L4.ICMP && l3 != L3.IPV4 || l4 == L4.ICMPV6 && l3 != L3.IPV6) {
            throw new IllegalStateException("ICMP goes over IPv4 and ICMPv6 over IPv6");
        }
        int l2Len = Ethernet.HEADER_LEN + Vlan.TAG_LEN * tags.size();
        int extLen = 0;
        for (ExtHeader h : extHeaders) {
            extLen += h.body.length + 2;
        }
        int l3Len = switch (l3) {
            case NONE -> 0;
            case ARP -> Arp.LEN;
            case IPV4 -> Ipv4.MIN_HEADER_LEN + ipv4Options.length;
            case IPV6 -> Ipv6.HEADER_LEN + extLen;
        };
        int l4Len = l4HeaderLength();
        int headers = l2Len + l3Len + l4Len;
        int payloadLen = payload.length;
        if (size >= 0) {
            if (size < headers + payload.length) {
                throw new IllegalArgumentException("size " + size + " is smaller than the headers and payload (" + (headers + payload.length) + " bytes)");
            }
            payloadLen = size - headers;
        }
        int frameLen = headers + payloadLen;
        if (l3 == L3.IPV4 && l3Len + l4Len + payloadLen > 0xFFFF || l3 == L3.IPV6 && extLen + l4Len + payloadLen > 0xFFFF) {
            throw new IllegalArgumentException("IP packet of " + (l3Len + l4Len + payloadLen) + " bytes exceeds 65535");
        }
        byte[] b = new byte[frameLen];

        int pos = 0;
        Bytes.putMac(b, 0, dstMac);
        Bytes.putMac(b, 6, srcMac);
        pos = 12;
        for (int[] t : tags) {
            Vlan.write(b, pos, t[0], t[1], t[2]);
            pos += Vlan.TAG_LEN;
        }
        int ethType = switch (l3) {
            case NONE -> rawEthType < 0 ? 0x88B5 : rawEthType; // 0x88B5: IEEE local experimental
            case ARP -> FlowKey.ETH_P_ARP;
            case IPV4 -> FlowKey.ETH_P_IPV4;
            case IPV6 -> FlowKey.ETH_P_IPV6;
        };
        Bytes.put16(b, pos, ethType);
        pos += 2;

        int l3Off = pos;
        int proto = l4Protocol();
        boolean nd = l4 == L4.ICMPV6 && Icmpv6.optionsOffset(icmpType) >= 0;
        int hop = ttl >= 0 ? ttl : nd ? Icmpv6.ND_HOP_LIMIT : 64;
        switch (l3) {
            case ARP -> Arp.write(b, pos, arpOp, arpSha, arpSpa, arpTha, arpTpa);
            case IPV4 -> {
                b[pos] = (byte) (0x40 | (l3Len >>> 2));
                b[pos + 1] = (byte) tos;
                Bytes.put16(b, pos + 2, l3Len + l4Len + payloadLen);
                Bytes.put16(b, pos + 4, ipId);
                Bytes.put16(b, pos + 6, flagsFragment);
                b[pos + 8] = (byte) hop;
                b[pos + 9] = (byte) proto;
                Bytes.put32(b, pos + 12, v4Src);
                Bytes.put32(b, pos + 16, v4Dst);
                System.arraycopy(ipv4Options, 0, b, pos + 20, ipv4Options.length);
                Ipv4.setChecksum(b, pos);
            }
            case IPV6 -> {
                int first = extHeaders.isEmpty() ? proto : extHeaders.get(0).type;
                Ipv6.writeHeader(b, pos, tos, extLen + l4Len + payloadLen, first, hop, v6SrcHi, v6SrcLo, v6DstHi, v6DstLo);
                Ipv6.setFlowLabel(b, pos, flowLabel);
                int h = pos + Ipv6.HEADER_LEN;
                for (int i = 0; i < extHeaders.size(); i++) {
                    ExtHeader e = extHeaders.get(i);
                    int next = i + 1 < extHeaders.size() ? extHeaders.get(i + 1).type : proto;
                    int total = e.body.length + 2;
                    b[h] = (byte) next;
                    b[h + 1] = (byte) switch (e.type) {
                        case Ipv6.FRAGMENT -> 0;
                        case Ipv6.AH -> total / 4 - 2;
                        default -> total / 8 - 1;
                    };
                    System.arraycopy(e.body, 0, b, h + 2, e.body.length);
                    h += total;
                }
            }
            case NONE -> {
            }
        }
        pos = l3Off + l3Len;
        int l4Off = pos;
        int segLen = l4Len + payloadLen;
        int payloadOff = l4Off + l4Len;
        System.arraycopy(payload, 0, b, payloadOff, payload.length);
        switch (l4) {
            case UDP -> {
                Udp.write(b, l4Off, sport, dport, segLen);
                if (l3 == L3.IPV4) {
                    Udp.setChecksumV4(b, l3Off, l4Off, segLen);
                } else {
                    Udp.setChecksumV6(b, l3Off, l4Off, segLen);
                }
            }
            case TCP -> {
                Tcp.write(b, l4Off, sport, dport, tcpSeq, tcpAck, tcpFlags, tcpWindow);
                if (l3 == L3.IPV4) {
                    Tcp.setChecksumV4(b, l3Off, l4Off, segLen);
                } else {
                    Tcp.setChecksumV6(b, l3Off, l4Off, segLen);
                }
            }
            case ICMP -> {
                Icmp.write(b, l4Off, icmpType, icmpCode, icmpRest);
                System.arraycopy(icmpBody, 0, b, l4Off + Icmp.HEADER_LEN, icmpBody.length);
                Icmp.setChecksum(b, l4Off, segLen);
            }
            case ICMPV6 -> {
                Icmpv6.write(b, l4Off, icmpType, icmpCode, icmpRest);
                System.arraycopy(icmpBody, 0, b, l4Off + Icmpv6.HEADER_LEN, icmpBody.length);
                Icmpv6.setChecksum(b, l3Off, l4Off, segLen);
            }
            case ESP -> Esp.write(b, l4Off, espSpi, espSeq);
            case NONE, RAW -> {
            }
        }
        return b;
    }

    /** Builds into {@code p} at its standard headroom (see {@link PacketBuffer#load}). */
    public PacketBuffer buildInto(PacketBuffer p) {
        byte[] frame = build();
        p.load(frame, 0, frame.length);
        return p;
    }
}
