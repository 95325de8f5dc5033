package io.netfence.port.gen.internal;

import io.netfence.net.api.NetException;
import io.netfence.packet.Bytes;
import io.netfence.packet.Checksum;
import io.netfence.packet.PacketBuilder;

/**
 * The frame a generator sends, built once, and how it is varied per flow. Flow {@code i} gets
 * the template's UDP/TCP source port plus {@code i} (or, for other IPv4 frames, the source address
 * plus {@code i}); the checksums covering the changed field are fixed up incrementally from the
 * template's, so {@link #copyTo} is an array copy and a few stores.
 */
final class FrameTemplate {
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_VLAN = 0x8100;
    static final int ETHERTYPE_QINQ = 0x88A8;
    static final int TCP_ACK = 0x10;

    enum Variation {
        /** One flow: the frame is sent as it is. */
        NONE,
        /** The UDP/TCP source port. */
        SOURCE_PORT,
        /** The IPv4 source address. */
        SOURCE_ADDRESS
    }

    private final byte[] frame;
    private final int flows;
    private final Variation variation;
    private final int fieldOffset;
    private final int baseValue;
    private final int ipChecksumOffset;
    private final int baseIpChecksum;
    /** Offset of a UDP/TCP checksum covering the varied field, or -1. */
    private final int l4ChecksumOffset;
    private final int baseL4Checksum;
    /** UDP: a computed checksum of zero is sent as 0xFFFF, zero meaning "none". */
    private final boolean udp;

    private FrameTemplate(byte[] frame, int flows, Variation variation, int fieldOffset, int ipChecksumOffset,
            int l4ChecksumOffset, boolean udp) {
        this.frame = frame;
        this.flows = flows;
        this.variation = variation;
        this.fieldOffset = fieldOffset;
        this.baseValue = variation == Variation.SOURCE_PORT ? Bytes.u16(frame, fieldOffset)
                : variation == Variation.SOURCE_ADDRESS ? Bytes.i32(frame, fieldOffset) : 0;
        this.ipChecksumOffset = ipChecksumOffset;
        this.baseIpChecksum = ipChecksumOffset >= 0 ? Bytes.u16(frame, ipChecksumOffset) : 0;
        this.l4ChecksumOffset = l4ChecksumOffset;
        this.baseL4Checksum = l4ChecksumOffset >= 0 ? Bytes.u16(frame, l4ChecksumOffset) : 0;
        this.udp = udp;
    }

    /** Builds the frame the options describe, with correct lengths and checksums. */
    static FrameTemplate build(GenOptions o, long dmac, long smac) {
        PacketBuilder b = PacketBuilder.ethernet(dmac, smac);
        if (o.vlan() != 0) {
            b.vlan(o.vlan(), 0);
        }
        b.ipv4(o.src(), o.dst()).ttl(64);
        switch (o.protocol()) {
            case GenOptions.UDP -> b.udp(o.sport(), o.dport());
            // ACK: a segment of an established connection, which is what bulk traffic is made of.
            case GenOptions.TCP -> b.tcp(o.sport(), o.dport(), TCP_ACK).seq(1).ack(1);
            default -> b.icmpEcho(1, 1);
        }
        // A counting payload rather than zeros, so a checksum error in any byte position would show.
        byte[] payload = new byte[o.size() - GenOptions.headerLength(o.protocol(), o.vlan())];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        return of(b.payload(payload).build(), o.flows());
    }

    /**
     * Finds in {@code frame} what to vary for {@code flows} flows: the UDP/TCP source port of an
     * unfragmented or first-fragment IPv4 packet, else the IPv4 source address. A frame that is not
     * IPv4 can only be sent as one flow.
     */
    static FrameTemplate of(byte[] frame, int flows) {
        if (frame.length < 14) {
            throw new NetException("the template frame is " + frame.length + " bytes, shorter than an Ethernet header.");
        }
        if (flows == 1) {
            return new FrameTemplate(frame, 1, Variation.NONE, -1, -1, -1, false);
        }
        int typeOffset = 12;
        int type = Bytes.u16(frame, typeOffset);
        for (int tags = 0; tags < 2 && (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && typeOffset + 6 <= frame.length; tags++) {
            typeOffset += 4;
            type = Bytes.u16(frame, typeOffset);
        }
        int ip = typeOffset + 2;
        int ihl = ip < frame.length ? (frame[ip] & 0x0F) * 4 : 0;
        if (type != ETHERTYPE_IPV4 || ip + 20 > frame.length || (frame[ip] & 0xF0) != 0x40 || ihl < 20 || ip + ihl > frame.length) {
            throw new NetException("the template frame is not a complete IPv4 packet, so " + flows
                    + " flows cannot be made from it: expected flows 1 for such a frame.");
        }
        int protocol = frame[ip + 9] & 0xFF;
        boolean firstFragment = (Bytes.u16(frame, ip + 6) & 0x1FFF) == 0;
        int l4 = ip + ihl;
        if (firstFragment && protocol == GenOptions.UDP && l4 + 8 <= frame.length) {
            boolean hasChecksum = Bytes.u16(frame, l4 + 6) != 0;
            return new FrameTemplate(frame, flows, Variation.SOURCE_PORT, l4, -1, hasChecksum ? l4 + 6 : -1, true);
        }
        if (firstFragment && protocol == GenOptions.TCP && l4 + 20 <= frame.length) {
            return new FrameTemplate(frame, flows, Variation.SOURCE_PORT, l4, -1, l4 + 16, false);
        }
        // The L4 checksum of a UDP/TCP frame too short to show its ports is out of reach: only the IP one is fixed.
        return new FrameTemplate(frame, flows, Variation.SOURCE_ADDRESS, ip + 12, ip + 10, -1, false);
    }

    int length() {
        return frame.length;
    }

    int flows() {
        return flows;
    }

    Variation variation() {
        return variation;
    }

    /** The template bytes themselves (flow 0); control plane and tests only. */
    byte[] bytes() {
        return frame.clone();
    }

    /** Writes the frame of flow {@code flow} (0 <= flow < flows) at {@code dst[off]}. Allocation-free. */
    void copyTo(byte[] dst, int off, int flow) {
        System.arraycopy(frame, 0, dst, off, frame.length);
        if (flow == 0) {
            return;
        }
        switch (variation) {
            case SOURCE_PORT -> {
                int port = (baseValue + flow) & 0xFFFF;
                Bytes.put16(dst, off + fieldOffset, port);
                if (l4ChecksumOffset >= 0) {
                    int checksum = Checksum.update16(baseL4Checksum, baseValue, port);
                    Bytes.put16(dst, off + l4ChecksumOffset, udp && checksum == 0 ? 0xFFFF : checksum);
                }
            }
            case SOURCE_ADDRESS -> {
                int address = baseValue + flow;
                Bytes.put32(dst, off + fieldOffset, address);
                Bytes.put16(dst, off + ipChecksumOffset, Checksum.update32(baseIpChecksum, baseValue, address));
            }
            case NONE -> {
                // one flow: the template as it is
            }
        }
    }
}
