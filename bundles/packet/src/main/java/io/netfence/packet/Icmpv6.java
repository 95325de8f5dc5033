package io.netfence.packet;

/** ICMPv6 (RFC 4443) and Neighbor Discovery (RFC 4861). {@code off} is the ICMPv6 header. */
public final class Icmpv6 {
    public static final int HEADER_LEN = 8;
    public static final int PROTO = 58;
    public static final int TYPE_DEST_UNREACH = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_TIME_EXCEEDED = 3;
    public static final int TYPE_PARAMETER_PROBLEM = 4;
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    public static final int TYPE_ROUTER_SOLICIT = 133;
    public static final int TYPE_ROUTER_ADVERT = 134;
    public static final int TYPE_NEIGHBOR_SOLICIT = 135;
    public static final int TYPE_NEIGHBOR_ADVERT = 136;
    public static final int TYPE_REDIRECT = 137;
    /** Destination-unreachable codes. */
    public static final int NO_ROUTE = 0;
    public static final int ADMIN_PROHIBITED = 1;
    public static final int ADDRESS_UNREACH = 3;
    public static final int PORT_UNREACH = 4;
    /** Time-exceeded code for hop limit exceeded in transit. */
    public static final int HOP_LIMIT_EXCEEDED = 0;
    /** Time exceeded code 1: fragment reassembly time exceeded (RFC 4443 section 3.3). */
    public static final int FRAGMENT_REASSEMBLY_TIME_EXCEEDED = 1;
    /** Neighbor Discovery option types. */
    public static final int SOURCE_LL_ADDR = 1;
    public static final int TARGET_LL_ADDR = 2;
    /** Neighbor advertisement flags (in the high bits of the word at off+4). */
    public static final int NA_FLAG_ROUTER = 0x8000_0000;
    public static final int NA_FLAG_SOLICITED = 0x4000_0000;
    public static final int NA_FLAG_OVERRIDE = 0x2000_0000;
    /** Length of an NS or NA message without options. */
    public static final int ND_LEN = 24;
    /** Hop limit that ND messages must carry (RFC 4861 section 7.1.1): proves they were not routed. */
    public static final int ND_HOP_LIMIT = 255;

    private Icmpv6() {
    }

    public static int type(byte[] b, int off) {
        return Bytes.u8(b, off);
    }

    public static int code(byte[] b, int off) {
        return Bytes.u8(b, off + 1);
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + 2);
    }

    public static int echoId(byte[] b, int off) {
        return Bytes.u16(b, off + 4);
    }

    public static int echoSeq(byte[] b, int off) {
        return Bytes.u16(b, off + 6);
    }

    /** MTU of a packet-too-big message. */
    public static int mtu(byte[] b, int off) {
        return Bytes.i32(b, off + 4);
    }

    /** NA flags word (router, solicited, override in the top bits). */
    public static int ndFlags(byte[] b, int off) {
        return Bytes.i32(b, off + 4);
    }

    /** NS/NA target address, high 64 bits. */
    public static long targetHi(byte[] b, int off) {
        return Bytes.i64(b, off + 8);
    }

    /** NS/NA target address, low 64 bits. */
    public static long targetLo(byte[] b, int off) {
        return Bytes.i64(b, off + 16);
    }

    public static boolean isEcho(int type) {
        return type == TYPE_ECHO_REQUEST || type == TYPE_ECHO_REPLY;
    }

    /** Where the ND options of a message of this type start, relative to the ICMPv6 header; -1 if it has none. */
    public static int optionsOffset(int type) {
        return switch (type) {
            case TYPE_ROUTER_SOLICIT -> 8;
            case TYPE_ROUTER_ADVERT -> 16;
            case TYPE_NEIGHBOR_SOLICIT, TYPE_NEIGHBOR_ADVERT -> ND_LEN;
            case TYPE_REDIRECT -> 40;
            default -> -1;
        };
    }

    /**
     * The link-layer address carried in the first ND option of {@code optionType} (source or
     * target link-layer address) in the {@code len}-byte ND message at {@code off}; -1 if there
     * is none. Every option is checked, not just those before the match: an option of length 0
     * or one running past {@code len} makes the whole message invalid (RFC 4861 section 4.6),
     * and -1 is returned, so a hostile option list cannot loop or read out of bounds.
     */
    public static long linkLayerOption(byte[] b, int off, int len, int optionType) {
        int start = optionsOffset(type(b, off));
        if (start < 0 || len < start) {
            return -1;
        }
        int end = off + len;
        long found = -1;
        int pos = off + start;
        while (pos < end) {
            if (end - pos < 2) {
                return -1;
            }
            int optLen = Bytes.u8(b, pos + 1) << 3;
            if (optLen == 0 || optLen > end - pos) {
                return -1;
            }
            if (found < 0 && Bytes.u8(b, pos) == optionType && optLen >= 8) {
                found = Bytes.getMac(b, pos + 2);
            }
            pos += optLen;
        }
        return found;
    }

    /** Writes type, code and the 4-byte word after the checksum; the checksum is left 0. */
    public static void write(byte[] b, int off, int type, int code, int restOfHeader) {
        Bytes.put8(b, off, type);
        Bytes.put8(b, off + 1, code);
        Bytes.put16(b, off + 2, 0);
        Bytes.put32(b, off + 4, restOfHeader);
    }

    /** Writes an 8-byte link-layer address option for an Ethernet MAC at {@code off}. */
    public static void writeLinkLayerOption(byte[] b, int off, int optionType, long mac) {
        Bytes.put8(b, off, optionType);
        Bytes.put8(b, off + 1, 1);
        Bytes.putMac(b, off + 2, mac);
    }

    public static void setType(byte[] b, int off, int type) {
        Bytes.put8(b, off, type);
    }

    /** Computes and stores the checksum of {@code icmpLen} bytes, with the IPv6 pseudo-header of the header at {@code ipv6Off}. */
    public static void setChecksum(byte[] b, int ipv6Off, int icmpOff, int icmpLen) {
        Bytes.put16(b, icmpOff + 2, 0);
        Bytes.put16(b, icmpOff + 2, ~Checksum.transportV6(b, ipv6Off, icmpOff, icmpLen, PROTO) & 0xFFFF);
    }

    public static boolean checksumValid(byte[] b, int ipv6Off, int icmpOff, int icmpLen) {
        return Checksum.transportV6(b, ipv6Off, icmpOff, icmpLen, PROTO) == 0xFFFF;
    }
}
