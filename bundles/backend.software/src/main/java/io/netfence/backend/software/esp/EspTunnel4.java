package io.netfence.backend.software.esp;

import io.netfence.crypto.EspTransform;
import io.netfence.packet.Bytes;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Udp;
import io.netfence.xfrm.api.OutboundSequence;
import io.netfence.xfrm.api.ReplayWindow;

/**
 * ESP tunnel mode between two IPv4 endpoints (RFC 4303), in place on a packet buffer: an inner
 * IPv4 packet becomes outer IPv4 | ESP header | IV | inner | padding | pad length | next header |
 * ICV, and back. One instance per SA direction, used by one thread at a time; nothing is allocated
 * per packet.
 *
 * <p>Outer header (RFC 4301 section 5.1.2): DSCP copied from the inner packet, ECN copied on
 * encapsulation and, on decapsulation, a CE mark on the outer header is carried into an ECN-capable
 * inner one (RFC 6040, normal mode); DF copied; TTL 64. Inbound checks run in the order that keeps
 * a forged packet from costing anything or moving anything: replay window first, then the ICV,
 * then the trailer, and only then the window advances.
 */
public final class EspTunnel4 {
    /** Next header values of the ESP trailer. */
    public static final int NEXT_IPV4 = 4;
    private static final int ESP_HEADER = 8;
    private static final int OUTER_TTL = 64;

    /** {@link #decapsulate} refusals, each counted under its own reason by the caller. */
    public static final int REPLAYED = (int) ReplayWindow.REPLAYED;
    public static final int TOO_OLD = (int) ReplayWindow.TOO_OLD;
    public static final int ZERO_SEQUENCE = (int) ReplayWindow.ZERO;
    /** The ICV did not verify. */
    public static final int AUTH_FAILED = -4;
    /** Padding, pad length, next header or inner length inconsistent after decryption. */
    public static final int BAD_TRAILER = -5;
    /** The ESP payload is not a whole number of cipher blocks, or too short. */
    public static final int BAD_LENGTH = -6;
    /** UDP on the ESP port that carries the non-ESP marker: IKE, for the key manager, not the dataplane. */
    public static final int NOT_ESP = -7;

    private final EspTransform transform;
    private final int spi;
    private final int localAddress;
    private final int remoteAddress;
    private final OutboundSequence out;
    private final ReplayWindow in;
    private final int ivBytes;
    private final int icvBytes;
    private final int block;
    /** RFC 3948 UDP encapsulation (NAT traversal): the ports, or 0 for plain ESP. */
    private int natSourcePort;
    private int natDestinationPort;
    private int ipId;

    /** An outbound SA (remote = tunnel destination) or, with a window, an inbound one. */
    public EspTunnel4(EspTransform transform, int spi, int localAddress, int remoteAddress, OutboundSequence out, ReplayWindow in) {
        this.transform = transform;
        this.spi = spi;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.out = out;
        this.in = in;
        this.ivBytes = transform.suite().cipher().ivBytes();
        this.icvBytes = transform.suite().icvBytes();
        this.block = transform.suite().cipher().blockBytes();
    }

    /**
     * Carries ESP in UDP (RFC 3948, usually port 4500 both ways) so it crosses NAT. The UDP
     * checksum is sent as zero, which RFC 3948 section 2.1 allows over IPv4.
     */
    public EspTunnel4 udpEncapsulation(int sourcePort, int destinationPort) {
        if (sourcePort < 1 || sourcePort > 65535 || destinationPort < 1 || destinationPort > 65535) {
            throw new IllegalArgumentException("encap espinudp ports " + sourcePort + " " + destinationPort + ": expected 1-65535");
        }
        this.natSourcePort = sourcePort;
        this.natDestinationPort = destinationPort;
        return this;
    }

    private int udpBytes() {
        return natDestinationPort == 0 ? 0 : Udp.HEADER_LEN;
    }

    /** Bytes added in front of the inner packet. */
    public int overheadFront() {
        return Ipv4.MIN_HEADER_LEN + udpBytes() + ESP_HEADER + ivBytes;
    }

    /** Most bytes added behind it (padding to the block, pad length, next header, ICV). */
    public int overheadBack() {
        return block - 1 + 2 + icvBytes;
    }

    /**
     * Encapsulates the IPv4 packet {@code b[inner, inner + length)}; the outer packet starts
     * {@link #overheadFront()} bytes before it. Returns the outer packet's length, or, for a packet
     * to drop, {@link OutboundSequence#EXHAUSTED} (the SA must be replaced) or
     * {@link OutboundSequence#NOT_DURABLE} (the sequence store is behind; no number was used).
     */
    public int encapsulate(byte[] b, int inner, int length) {
        long seq = out.next();
        if (seq < 0) {
            return (int) seq;
        }
        int outer = inner - overheadFront();
        // Read before the inner header is encrypted.
        int innerTos = Ipv4.tos(b, inner);
        boolean dontFragment = Ipv4.dontFragment(b, inner);
        int esp = outer + Ipv4.MIN_HEADER_LEN + udpBytes();
        int text = esp + ESP_HEADER + ivBytes;
        // Trailer: RFC 4303 section 2.4 padding 1, 2, 3, ...; the whole payload a multiple of the block.
        int padded = (length + 2 + block - 1) / block * block;
        int pad = padded - length - 2;
        int t = inner + length;
        for (int i = 1; i <= pad; i++) {
            b[t++] = (byte) i;
        }
        b[t++] = (byte) pad;
        b[t] = NEXT_IPV4;
        Bytes.put32(b, esp, spi);
        Bytes.put32(b, esp + 4, (int) seq);
        transform.writeIv(b, esp + ESP_HEADER, seq);
        transform.seal(b, esp, text, padded, (int) (seq >>> 32), out.esn());
        int total = Ipv4.MIN_HEADER_LEN + udpBytes() + ESP_HEADER + ivBytes + padded + icvBytes;
        if (natDestinationPort != 0) {
            int udp = outer + Ipv4.MIN_HEADER_LEN;
            Bytes.put16(b, udp, natSourcePort);
            Bytes.put16(b, udp + 2, natDestinationPort);
            Bytes.put16(b, udp + 4, total - Ipv4.MIN_HEADER_LEN);
            Bytes.put16(b, udp + 6, 0);
        }
        Ipv4.writeHeader(b, outer, innerTos, total, ++ipId & 0xFFFF, OUTER_TTL, natDestinationPort != 0 ? Udp.PROTO : Ipv4.PROTO_ESP,
                localAddress, remoteAddress);
        if (dontFragment) {
            Ipv4.setFlagsFragment(b, outer, Ipv4.FLAG_DF);
        }
        return total;
    }

    /**
     * Decapsulates the outer IPv4 ESP packet {@code b[outer, outer + length)} (already matched to
     * this SA by its SPI). Returns the offset of the inner IPv4 packet, whose length is then its own
     * total length; or one of the negative refusals above.
     */
    public int decapsulate(byte[] b, int outer, int length) {
        int ihl = Ipv4.headerLength(b, outer);
        int esp = outer + ihl;
        if (Ipv4.protocol(b, outer) == Udp.PROTO) {
            // ESP in UDP: a zero where the SPI would be is the non-ESP marker of IKE (RFC 3948 2.2), not ours.
            esp += Udp.HEADER_LEN;
            if (esp + ESP_HEADER > outer + length || Bytes.u32(b, esp) == 0) {
                return NOT_ESP;
            }
        }
        int text = esp + ESP_HEADER + ivBytes;
        int textLength = outer + length - text - icvBytes;
        if (textLength < block || textLength % block != 0) {
            return BAD_LENGTH;
        }
        long seq = in.check((int) Bytes.u32(b, esp + 4));
        if (seq < 0) {
            return (int) seq;
        }
        if (!transform.open(b, esp, text, textLength, (int) (seq >>> 32), in.esn())) {
            return AUTH_FAILED;
        }
        int nextHeader = b[text + textLength - 1] & 0xFF;
        int pad = b[text + textLength - 2] & 0xFF;
        int innerLength = textLength - 2 - pad;
        if (innerLength < Ipv4.MIN_HEADER_LEN || nextHeader != NEXT_IPV4) {
            return BAD_TRAILER;
        }
        for (int i = 1; i <= pad; i++) {
            if ((b[text + innerLength + i - 1] & 0xFF) != i) {
                return BAD_TRAILER;
            }
        }
        if (Ipv4.version(b, text) != 4 || Ipv4.totalLength(b, text) != innerLength) {
            return BAD_TRAILER;
        }
        in.accept(seq);
        // RFC 6040 normal mode: CE on the outer header reaches an ECN-capable inner packet.
        int outerEcn = Ipv4.tos(b, outer) & 3;
        int innerTos = Ipv4.tos(b, text);
        if (outerEcn == 3 && (innerTos & 3) != 0 && (innerTos & 3) != 3) {
            Ipv4.setTos(b, text, innerTos | 3);
        }
        return text;
    }
}
