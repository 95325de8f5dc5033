package io.netfence.backend.software.esp;

import io.netfence.crypto.EspTransform;
import io.netfence.packet.Bytes;
import io.netfence.packet.Esp;
import io.netfence.packet.IpAddress;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.Udp;
import io.netfence.xfrm.api.OutboundSequence;
import io.netfence.xfrm.api.ReplayWindow;
import io.netfence.xfrm.api.XfrmMode;

/**
 * One direction of an ESP SA (RFC 4303), in place on a packet buffer, for IPv4 and IPv6, tunnel
 * and transport mode, optionally in UDP (RFC 3948). One instance per SA direction, used by one
 * thread at a time; nothing is allocated per packet.
 *
 * <p>Tunnel mode wraps an IPv4 or IPv6 packet (next header 4 or 41) in an outer header of the SA's
 * family, either way round. Transport mode keeps the packet's IP header in front and inserts ESP
 * behind it; over IPv6 also behind hop-by-hop and routing headers and destination options not
 * preceded by a routing header, where RFC 4303 section 3.1.1 and Linux put it, so both ends agree
 * on what is encrypted.
 *
 * <p>Outer header choices (RFC 4301 section 5.1.2, as Linux does them, so offloads can match):
 * DSCP copied from the inner packet; ECN copied, CE included (RFC 6040 normal mode); TTL or hop
 * limit 64. IPv4 outer: DF copied from an IPv4 inner packet and set for an IPv6 one (routers never
 * fragment IPv6, so its source must learn the path MTU). IPv6 outer: the inner IPv6 flow label is
 * copied (it already hashes the inner flow for ECMP; RFC 6437 allows it), 0 for an IPv4 inner
 * packet. On decapsulation the outer ECN is merged into the inner per the RFC 6040 table, except
 * that CE over a Not-ECT inner packet is delivered unchanged rather than dropped, as Linux does.
 *
 * <p>In UDP, the checksum is zero over IPv4 (RFC 3948 section 2.1) and computed over IPv6,
 * where a zero one is refused on input (RFC 8200 section 8.1). Transport mode in UDP does not
 * correct the inner TCP/UDP checksums for what a NAT rewrote (RFC 3948 section 3.1.2): as Linux
 * does, the receiver must treat them as already checked. Inbound checks run in the order
 * that keeps a forged packet from costing much or moving anything: lengths, the replay window,
 * then the ICV, then the trailer, and only then does the window advance.
 */
public final class EspSa {
    /** Next header values of the ESP trailer in tunnel mode, and of a dummy packet (RFC 4303 section 2.6). */
    public static final int NEXT_IPV4 = 4;
    public static final int NEXT_IPV6 = 41;
    public static final int NEXT_NONE = 59;
    private static final int OUTER_TTL = 64;

    /** {@link #encapsulate} refusals from the sequence number: the SA must be replaced, or the store is behind. */
    public static final int EXHAUSTED = (int) OutboundSequence.EXHAUSTED;
    public static final int NOT_DURABLE = (int) OutboundSequence.NOT_DURABLE;

    /** {@link #decapsulate} refusals, each counted under its own reason by the caller. */
    public static final int REPLAYED = (int) ReplayWindow.REPLAYED;
    public static final int TOO_OLD = (int) ReplayWindow.TOO_OLD;
    public static final int ZERO_SEQUENCE = (int) ReplayWindow.ZERO;
    /** The ICV did not verify. */
    public static final int AUTH_FAILED = -4;
    /** Padding, pad length, next header or inner length inconsistent after decryption. */
    public static final int BAD_TRAILER = -5;
    /**
     * The packet is shorter than its IP header says, or the ESP payload is not a whole number of
     * cipher blocks, or too short. From {@link #encapsulate}: the result would not fit the IP length field.
     */
    public static final int BAD_LENGTH = -6;
    /** UDP on the ESP port that carries the non-ESP marker or a keepalive: for IKE, not the dataplane. */
    public static final int NOT_ESP = -7;
    /** Tunnel mode: the outer header is not of the family of the SA's addresses. */
    public static final int WRONG_FAMILY = -8;
    /** ESP in UDP over IPv6 with a zero or wrong UDP checksum. */
    public static final int BAD_CHECKSUM = -9;
    /**
     * Not IPv4 or IPv6, or its header chain does not lead to ESP (or UDP) at the given offset.
     * From {@link #encapsulate}: not an IPv4 or IPv6 packet that fits the given length.
     */
    public static final int BAD_HEADER = -10;
    /** A valid dummy packet (next header 59): the window advanced, there is nothing to deliver. */
    public static final int DUMMY = -11;

    private final EspTransform transform;
    private final int spi;
    private final boolean tunnel;
    /** Tunnel mode: the family (4 or 6) of the outer header; transport mode: 0. */
    private final int family;
    /** Tunnel endpoints; an IPv4 address in the low 32 bits of the low half. */
    private final long localHi;
    private final long localLo;
    private final long remoteHi;
    private final long remoteLo;
    private final OutboundSequence out;
    private final ReplayWindow in;
    private final int ivBytes;
    private final int icvBytes;
    private final int block;
    /** RFC 3948 UDP encapsulation (NAT traversal): the ports, or 0 for plain ESP. */
    private int natSourcePort;
    private int natDestinationPort;
    private int ipId;

    /**
     * An outbound SA ({@code out} given, {@code in} null; {@code remote} is the tunnel destination)
     * or an inbound one ({@code in} given, {@code out} null). Tunnel mode needs {@code local} and
     * {@code remote} of one family, which is the outer header's; transport mode ignores them
     * (they may be null), since the packet keeps its own header.
     */
    public EspSa(EspTransform transform, int spi, XfrmMode mode, IpAddress local, IpAddress remote, OutboundSequence out, ReplayWindow in) {
        if (transform == null || mode == null) {
            throw new IllegalArgumentException("an ESP SA needs a transform and a mode");
        }
        if ((out == null) == (in == null)) {
            throw new IllegalArgumentException("an ESP SA is outbound (a sequence) or inbound (a replay window), one of the two");
        }
        this.tunnel = mode == XfrmMode.TUNNEL;
        if (tunnel) {
            if (local == null || remote == null || local.version() != remote.version()) {
                throw new IllegalArgumentException("mode tunnel needs src and dst addresses of one family, got " + local + " and " + remote);
            }
            this.family = local.version();
            this.localHi = local.hi();
            this.localLo = local.lo();
            this.remoteHi = remote.hi();
            this.remoteLo = remote.lo();
        } else {
            this.family = 0;
            this.localHi = 0;
            this.localLo = 0;
            this.remoteHi = 0;
            this.remoteLo = 0;
        }
        this.transform = transform;
        this.spi = spi;
        this.out = out;
        this.in = in;
        this.ivBytes = transform.suite().cipher().ivBytes();
        this.icvBytes = transform.suite().icvBytes();
        this.block = transform.suite().cipher().blockBytes();
        if (Integer.bitCount(block) != 1) {
            throw new IllegalArgumentException(transform.suite() + ": padding block of " + block + " bytes is not a power of two");
        }
    }

    /** Carries ESP in UDP (RFC 3948, usually port 4500 both ways) so it crosses NAT. */
    public EspSa udpEncapsulation(int sourcePort, int destinationPort) {
        if (sourcePort < 1 || sourcePort > 65535 || destinationPort < 1 || destinationPort > 65535) {
            throw new IllegalArgumentException("encap espinudp ports " + sourcePort + " " + destinationPort + ": expected 1-65535");
        }
        this.natSourcePort = sourcePort;
        this.natDestinationPort = destinationPort;
        return this;
    }

    public XfrmMode mode() {
        return tunnel ? XfrmMode.TUNNEL : XfrmMode.TRANSPORT;
    }

    public int spi() {
        return spi;
    }

    private int udpBytes() {
        return natDestinationPort == 0 ? 0 : Udp.HEADER_LEN;
    }

    private int outerHeaderBytes() {
        return !tunnel ? 0 : family == 4 ? Ipv4.MIN_HEADER_LEN : Ipv6.HEADER_LEN;
    }

    /** Bytes added in front of the packet (in transport mode its IP header moves down by as much). */
    public int overheadFront() {
        return outerHeaderBytes() + udpBytes() + Esp.HEADER_LEN + ivBytes;
    }

    /** Most bytes added behind it (padding to the block, pad length, next header, ICV). */
    public int overheadBack() {
        return block - 1 + 2 + icvBytes;
    }

    /**
     * Encapsulates the IPv4 or IPv6 packet at {@code b[packet]}, whose own length field (at most
     * {@code length}, the bytes available) says where it ends. The result starts
     * {@link #overheadFront()} bytes before {@code packet}; the buffer needs that much room in
     * front and {@link #overheadBack()} behind the packet. Returns the result's length, or, for a
     * packet to drop, {@link #EXHAUSTED}, {@link #NOT_DURABLE} (no number was used),
     * {@link #BAD_HEADER} or {@link #BAD_LENGTH}.
     */
    public int encapsulate(byte[] b, int packet, int length) {
        if (length < 1) {
            return BAD_HEADER;
        }
        int version = Bytes.u8(b, packet) >>> 4;
        int own;
        if (version == 4) {
            if (length < Ipv4.MIN_HEADER_LEN) {
                return BAD_HEADER;
            }
            own = Ipv4.totalLength(b, packet);
            int ihl = Ipv4.headerLength(b, packet);
            if (ihl < Ipv4.MIN_HEADER_LEN || own < ihl || own > length) {
                return BAD_HEADER;
            }
        } else if (version == 6) {
            if (length < Ipv6.HEADER_LEN) {
                return BAD_HEADER;
            }
            own = Ipv6.HEADER_LEN + Ipv6.payloadLength(b, packet);
            if (own > length) {
                return BAD_HEADER;
            }
        } else {
            return BAD_HEADER;
        }
        return tunnel ? encapsulateTunnel(b, packet, own, version) : encapsulateTransport(b, packet, own, version);
    }

    private int encapsulateTunnel(byte[] b, int inner, int length, int version) {
        int outerHeader = outerHeaderBytes();
        int udp = udpBytes();
        int padded = padded(length);
        int total = outerHeader + udp + Esp.HEADER_LEN + ivBytes + padded + icvBytes;
        if (total - (family == 6 ? Ipv6.HEADER_LEN : 0) > 0xFFFF) {
            return BAD_LENGTH;
        }
        long seq = out.next();
        if (seq < 0) {
            return (int) seq;
        }
        // Read before the inner header is encrypted.
        int ds;
        boolean dontFragment;
        int flowLabel;
        if (version == 4) {
            ds = Ipv4.tos(b, inner);
            dontFragment = Ipv4.dontFragment(b, inner);
            flowLabel = 0;
        } else {
            ds = Ipv6.trafficClass(b, inner);
            dontFragment = true;
            flowLabel = Ipv6.flowLabel(b, inner);
        }
        int outer = inner - overheadFront();
        int esp = outer + outerHeader + udp;
        trailer(b, inner, length, padded, version == 4 ? NEXT_IPV4 : NEXT_IPV6);
        seal(b, esp, seq, padded);
        int protocol = udp != 0 ? Udp.PROTO : Esp.PROTO;
        if (family == 4) {
            Ipv4.writeHeader(b, outer, ds, total, ++ipId & 0xFFFF, OUTER_TTL, protocol, (int) localLo, (int) remoteLo);
            if (dontFragment) {
                Ipv4.setFlagsFragment(b, outer, Ipv4.FLAG_DF);
            }
        } else {
            Ipv6.writeHeader(b, outer, ds, total - Ipv6.HEADER_LEN, protocol, OUTER_TTL, localHi, localLo, remoteHi, remoteLo);
            Ipv6.setFlowLabel(b, outer, flowLabel);
        }
        if (udp != 0) {
            udpHeader(b, outer, outer + outerHeader, total - outerHeader, family == 6);
        }
        return total;
    }

    private int encapsulateTransport(byte[] b, int packet, int length, int version) {
        int headers;
        int nextHeaderField;
        if (version == 4) {
            headers = Ipv4.headerLength(b, packet);
            nextHeaderField = packet + 9;
        } else {
            // The headers routers may act on stay in front (see the class comment).
            nextHeaderField = packet + 6;
            int pos = packet + Ipv6.HEADER_LEN;
            int end = packet + length;
            boolean routing = false;
            for (int nh = Ipv6.nextHeader(b, packet);
                    nh == Ipv6.HOPOPTS || nh == Ipv6.ROUTING || (nh == Ipv6.DSTOPTS && !routing); nh = Bytes.u8(b, nextHeaderField)) {
                if (end - pos < 8) {
                    return BAD_HEADER;
                }
                int len = Ipv6.extensionHeaderLength(b, pos, nh);
                if (len > end - pos) {
                    return BAD_HEADER;
                }
                routing |= nh == Ipv6.ROUTING;
                nextHeaderField = pos;
                pos += len;
            }
            headers = pos - packet;
        }
        int udp = udpBytes();
        int padded = padded(length - headers);
        int total = headers + udp + Esp.HEADER_LEN + ivBytes + padded + icvBytes;
        if (total - (version == 6 ? Ipv6.HEADER_LEN : 0) > 0xFFFF) {
            return BAD_LENGTH;
        }
        long seq = out.next();
        if (seq < 0) {
            return (int) seq;
        }
        int front = overheadFront();
        int start = packet - front;
        int nextHeader = Bytes.u8(b, nextHeaderField);
        // The payload stays where it is: only the headers move down to make room for ESP.
        System.arraycopy(b, packet, b, start, headers);
        int esp = start + headers + udp;
        trailer(b, packet + headers, length - headers, padded, nextHeader);
        seal(b, esp, seq, padded);
        Bytes.put8(b, nextHeaderField - front, udp != 0 ? Udp.PROTO : Esp.PROTO);
        if (version == 4) {
            Bytes.put16(b, start + 2, total);
            Ipv4.setChecksum(b, start);
        } else {
            Ipv6.setPayloadLength(b, start, total - Ipv6.HEADER_LEN);
        }
        if (udp != 0) {
            udpHeader(b, start, start + headers, total - headers, version == 6);
        }
        return total;
    }

    /** Payload, padding, pad length and next header, rounded up to the cipher block. */
    private int padded(int payload) {
        return (payload + 2 + block - 1) & -block; // block is 4 or 16: a mask, not a division per packet
    }

    /** RFC 4303 section 2.4: padding 1, 2, 3, ... */
    private static void trailer(byte[] b, int text, int length, int padded, int nextHeader) {
        int pad = padded - length - 2;
        int t = text + length;
        for (int i = 1; i <= pad; i++) {
            b[t++] = (byte) i;
        }
        b[t++] = (byte) pad;
        b[t] = (byte) nextHeader;
    }

    private void seal(byte[] b, int esp, long seq, int padded) {
        Bytes.put32(b, esp, spi);
        Bytes.put32(b, esp + 4, (int) seq);
        transform.writeIv(b, esp + Esp.HEADER_LEN, seq);
        transform.seal(b, esp, esp + Esp.HEADER_LEN + ivBytes, padded, (int) (seq >>> 32), out.esn());
    }

    /** Written last: over IPv6 the checksum covers the addresses and the sealed ESP. */
    private void udpHeader(byte[] b, int ip, int udp, int udpLength, boolean v6) {
        Udp.write(b, udp, natSourcePort, natDestinationPort, udpLength);
        if (v6) {
            Udp.setChecksumV6(b, ip, udp, udpLength);
        }
    }

    /**
     * Decapsulates the ESP packet at {@code b[packetStart]} (already matched to this SA by its
     * SPI). {@code espOffset} is where the flow dissector found the upper layer after the IP
     * header and any IPv6 extension headers: the ESP header, or for ESP in UDP the UDP header (the
     * ESP header behind it is accepted too). {@code length} is the bytes available; the IP
     * header's own length says where the packet ends (link padding is ignored).
     *
     * <p>Returns the offset of the resulting IP packet, whose length is then its own IPv4 total
     * length or IPv6 40 + payload length and whose family is its version nibble
     * ({@code b[offset] >>> 4}, 4 or 6, checked here): in tunnel mode the inner packet; in
     * transport mode the original header chain moved up to sit right before the payload, its
     * lengths, checksum and last next header fixed. Or a negative refusal above; a refused packet
     * has not moved the window (its buffer may have been decrypted in place).
     */
    public int decapsulate(byte[] b, int packetStart, int espOffset, int length) {
        if (length < 1) {
            return BAD_LENGTH;
        }
        int version = Bytes.u8(b, packetStart) >>> 4;
        if (tunnel && version != family && (version == 4 || version == 6)) {
            return WRONG_FAMILY;
        }
        int end;
        int pos;
        int nextHeaderField;
        if (version == 4) {
            if (length < Ipv4.MIN_HEADER_LEN) {
                return BAD_LENGTH;
            }
            int ihl = Ipv4.headerLength(b, packetStart);
            int total = Ipv4.totalLength(b, packetStart);
            if (ihl < Ipv4.MIN_HEADER_LEN || total < ihl) {
                return BAD_HEADER;
            }
            if (total > length) {
                return BAD_LENGTH;
            }
            end = packetStart + total;
            pos = packetStart + ihl;
            nextHeaderField = packetStart + 9;
        } else if (version == 6) {
            if (length < Ipv6.HEADER_LEN) {
                return BAD_LENGTH;
            }
            end = packetStart + Ipv6.HEADER_LEN + Ipv6.payloadLength(b, packetStart);
            if (end > packetStart + length) {
                return BAD_LENGTH;
            }
            pos = packetStart + Ipv6.HEADER_LEN;
            nextHeaderField = packetStart + 6;
            // Transport mode rewrites the last next header in front of ESP; tunnel mode needs it to tell ESP from UDP.
            while (pos < espOffset && Ipv6.isExtensionHeader(Bytes.u8(b, nextHeaderField))) {
                if (end - pos < 8) {
                    return BAD_HEADER;
                }
                int len = Ipv6.extensionHeaderLength(b, pos, Bytes.u8(b, nextHeaderField));
                if (len > end - pos) {
                    return BAD_HEADER;
                }
                nextHeaderField = pos;
                pos += len;
            }
        } else {
            return BAD_HEADER;
        }
        int protocol = Bytes.u8(b, nextHeaderField);
        int udp = -1;
        int esp;
        if (protocol == Esp.PROTO && pos == espOffset) {
            esp = pos;
        } else if (protocol == Udp.PROTO && (espOffset == pos || espOffset == pos + Udp.HEADER_LEN)) {
            udp = pos;
            esp = pos + Udp.HEADER_LEN;
            // A zero where the SPI would be is the non-ESP marker of IKE (RFC 3948 section 2.2); shorter is a keepalive.
            if (esp + Esp.HEADER_LEN > end || Bytes.i32(b, esp) == 0) {
                return NOT_ESP;
            }
            if (Udp.length(b, udp) != end - udp) {
                return BAD_LENGTH;
            }
            if (version == 6 && !Udp.checksumValidV6(b, packetStart, udp, end - udp)) {
                return BAD_CHECKSUM;
            }
        } else {
            return BAD_HEADER;
        }
        int text = esp + Esp.HEADER_LEN + ivBytes;
        int textLength = end - text - icvBytes;
        if (textLength < block || (textLength & (block - 1)) != 0) {
            return BAD_LENGTH;
        }
        long seq = in.check(Bytes.i32(b, esp + 4));
        if (seq < 0) {
            return (int) seq;
        }
        if (!transform.open(b, esp, text, textLength, (int) (seq >>> 32), in.esn())) {
            return AUTH_FAILED;
        }
        int nextHeader = Bytes.u8(b, text + textLength - 1);
        int pad = Bytes.u8(b, text + textLength - 2);
        int innerLength = textLength - 2 - pad;
        if (innerLength < 0) {
            return BAD_TRAILER;
        }
        for (int i = 1; i <= pad; i++) {
            if (Bytes.u8(b, text + innerLength + i - 1) != i) {
                return BAD_TRAILER;
            }
        }
        if (nextHeader == NEXT_NONE) {
            if (!in.accept(seq)) {
                return REPLAYED;
            }
            return DUMMY;
        }
        if (tunnel) {
            if (!innerConsistent(b, text, innerLength, nextHeader)) {
                return BAD_TRAILER;
            }
            if (!in.accept(seq)) {
                return REPLAYED;
            }
            int outerEcn = (version == 4 ? Ipv4.tos(b, packetStart) : Ipv6.trafficClass(b, packetStart)) & 3;
            if (nextHeader == NEXT_IPV4) {
                int tos = Ipv4.tos(b, text);
                int ecn = decapsulatedEcn(outerEcn, tos & 3);
                if (ecn != (tos & 3)) {
                    Ipv4.setTos(b, text, tos & ~3 | ecn);
                }
            } else {
                int tc = Ipv6.trafficClass(b, text);
                Ipv6.setTrafficClass(b, text, tc & ~3 | decapsulatedEcn(outerEcn, tc & 3));
            }
            return text;
        }
        // Hop-by-hop options may only follow the IPv6 header itself (RFC 8200 section 4.1).
        if (nextHeader == Ipv6.HOPOPTS) {
            return BAD_TRAILER;
        }
        if (!in.accept(seq)) {
            return REPLAYED;
        }
        int headers = (udp >= 0 ? udp : esp) - packetStart;
        int start = text - headers;
        Bytes.put8(b, nextHeaderField, nextHeader);
        System.arraycopy(b, packetStart, b, start, headers);
        if (version == 4) {
            Bytes.put16(b, start + 2, headers + innerLength);
            Ipv4.setChecksum(b, start);
        } else {
            Ipv6.setPayloadLength(b, start, headers - Ipv6.HEADER_LEN + innerLength);
        }
        return start;
    }

    /** The inner packet is what the trailer says, exactly as long as what ESP carried (no TFC padding is negotiated). */
    private static boolean innerConsistent(byte[] b, int inner, int length, int nextHeader) {
        if (nextHeader == NEXT_IPV4) {
            return length >= Ipv4.MIN_HEADER_LEN && Ipv4.version(b, inner) == 4
                    && Ipv4.headerLength(b, inner) >= Ipv4.MIN_HEADER_LEN && Ipv4.totalLength(b, inner) == length;
        }
        return nextHeader == NEXT_IPV6 && length >= Ipv6.HEADER_LEN && Ipv6.version(b, inner) == 6
                && Ipv6.HEADER_LEN + Ipv6.payloadLength(b, inner) == length;
    }

    /** RFC 6040 section 4.2 (codepoints: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE); Not-ECT stays, see the class comment. */
    private static int decapsulatedEcn(int outer, int inner) {
        if (inner == 0) {
            return 0;
        }
        if (outer == 3) {
            return 3;
        }
        return outer == 1 && inner == 2 ? 1 : inner;
    }
}
