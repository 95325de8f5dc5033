package io.netfence.packet;

/** The IPv6 fixed header (RFC 8200) and the extension headers the dissector walks. */
public final class Ipv6 {
    public static final int HEADER_LEN = 40;
    /** Extension header and upper-layer protocol numbers (IANA "Assigned Internet Protocol Numbers"). */
    public static final int HOPOPTS = 0;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ESP = 50;
    public static final int AH = 51;
    public static final int ICMPV6 = 58;
    public static final int NONE = 59;
    public static final int DSTOPTS = 60;
    /** The fragment header is always 8 bytes. */
    public static final int FRAGMENT_HEADER_LEN = 8;

    private Ipv6() {
    }

    public static int version(byte[] b, int off) {
        return Bytes.u8(b, off) >>> 4;
    }

    public static int trafficClass(byte[] b, int off) {
        return (Bytes.u16(b, off) >>> 4) & 0xFF;
    }

    public static int flowLabel(byte[] b, int off) {
        return Bytes.i32(b, off) & 0xF_FFFF;
    }

    public static int payloadLength(byte[] b, int off) {
        return Bytes.u16(b, off + 4);
    }

    public static int nextHeader(byte[] b, int off) {
        return Bytes.u8(b, off + 6);
    }

    public static int hopLimit(byte[] b, int off) {
        return Bytes.u8(b, off + 7);
    }

    public static long srcHi(byte[] b, int off) {
        return Bytes.i64(b, off + 8);
    }

    public static long srcLo(byte[] b, int off) {
        return Bytes.i64(b, off + 16);
    }

    public static long dstHi(byte[] b, int off) {
        return Bytes.i64(b, off + 24);
    }

    public static long dstLo(byte[] b, int off) {
        return Bytes.i64(b, off + 32);
    }

    /** Writes the fixed header with flow label 0. */
    public static void writeHeader(byte[] b, int off, int trafficClass, int payloadLength, int nextHeader,
            int hopLimit, long srcHi, long srcLo, long dstHi, long dstLo) {
        Bytes.put32(b, off, (6 << 28) | ((trafficClass & 0xFF) << 20));
        Bytes.put16(b, off + 4, payloadLength);
        Bytes.put8(b, off + 6, nextHeader);
        Bytes.put8(b, off + 7, hopLimit);
        Bytes.put64(b, off + 8, srcHi);
        Bytes.put64(b, off + 16, srcLo);
        Bytes.put64(b, off + 24, dstHi);
        Bytes.put64(b, off + 32, dstLo);
    }

    public static void setFlowLabel(byte[] b, int off, int flowLabel) {
        Bytes.put32(b, off, (Bytes.i32(b, off) & 0xFFF0_0000) | (flowLabel & 0xF_FFFF));
    }

    public static void setTrafficClass(byte[] b, int off, int trafficClass) {
        Bytes.put32(b, off, (Bytes.i32(b, off) & 0xF00F_FFFF) | ((trafficClass & 0xFF) << 20));
    }

    public static void setPayloadLength(byte[] b, int off, int payloadLength) {
        Bytes.put16(b, off + 4, payloadLength);
    }

    public static void setHopLimit(byte[] b, int off, int hopLimit) {
        Bytes.put8(b, off + 7, hopLimit);
    }

    /** Hop limit minus one (IPv6 has no header checksum). A hop limit of 0 is left alone. */
    public static void decrementHopLimit(byte[] b, int off) {
        int h = hopLimit(b, off);
        if (h > 0) {
            Bytes.put8(b, off + 7, h - 1);
        }
    }

    /** True for the extension headers the dissector walks past to reach the upper layer. */
    public static boolean isExtensionHeader(int nextHeader) {
        return nextHeader == HOPOPTS || nextHeader == ROUTING || nextHeader == FRAGMENT
                || nextHeader == DSTOPTS || nextHeader == AH;
    }

    /**
     * Length in bytes of the extension header at {@code off} (of type {@code type}) as its length
     * field claims: (len + 1) * 8 for hop-by-hop, routing and destination options, (len + 2) * 4
     * for AH, 8 for a fragment header.
     */
    public static int extensionHeaderLength(byte[] b, int off, int type) {
        return switch (type) {
            case FRAGMENT -> FRAGMENT_HEADER_LEN;
            case AH -> (Bytes.u8(b, off + 1) + 2) << 2;
            default -> (Bytes.u8(b, off + 1) + 1) << 3;
        };
    }

    /** Fragment header: offset of this fragment in bytes. {@code off} is the fragment header. */
    public static int fragmentOffset(byte[] b, int off) {
        return Bytes.u16(b, off + 2) & 0xFFF8;
    }

    public static boolean moreFragments(byte[] b, int off) {
        return (Bytes.u8(b, off + 3) & 1) != 0;
    }

    public static int fragmentId(byte[] b, int off) {
        return Bytes.i32(b, off + 4);
    }

    public static void writeFragmentHeader(byte[] b, int off, int nextHeader, int fragmentOffset, boolean more, int id) {
        Bytes.put8(b, off, nextHeader);
        Bytes.put8(b, off + 1, 0);
        Bytes.put16(b, off + 2, (fragmentOffset & 0xFFF8) | (more ? 1 : 0));
        Bytes.put32(b, off + 4, id);
    }

    /** True for ff00::/8. */
    public static boolean isMulticast(long hi) {
        return (hi >>> 56) == 0xFF;
    }
}
