package io.netfence.packet;

/** The IPv4 header (RFC 791). Addresses are ints in network bit order. */
public final class Ipv4 {
    public static final int MIN_HEADER_LEN = 20;
    public static final int MAX_HEADER_LEN = 60;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_ESP = 50;
    public static final int PROTO_AH = 51;
    /** Flag bits in {@link #flagsFragment}. */
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private Ipv4() {
    }

    public static int version(byte[] b, int off) {
        return Bytes.u8(b, off) >>> 4;
    }

    /** Header length in bytes (IHL * 4). */
    public static int headerLength(byte[] b, int off) {
        return (Bytes.u8(b, off) & 0x0F) << 2;
    }

    public static int tos(byte[] b, int off) {
        return Bytes.u8(b, off + 1);
    }

    public static int totalLength(byte[] b, int off) {
        return Bytes.u16(b, off + 2);
    }

    public static int id(byte[] b, int off) {
        return Bytes.u16(b, off + 4);
    }

    /** The 16-bit flags + fragment offset word (see {@link #FLAG_DF}, {@link #FLAG_MF}). */
    public static int flagsFragment(byte[] b, int off) {
        return Bytes.u16(b, off + 6);
    }

    /** Fragment offset in bytes. */
    public static int fragmentOffset(byte[] b, int off) {
        return (flagsFragment(b, off) & FRAGMENT_OFFSET_MASK) << 3;
    }

    public static boolean moreFragments(byte[] b, int off) {
        return (flagsFragment(b, off) & FLAG_MF) != 0;
    }

    public static boolean dontFragment(byte[] b, int off) {
        return (flagsFragment(b, off) & FLAG_DF) != 0;
    }

    public static int ttl(byte[] b, int off) {
        return Bytes.u8(b, off + 8);
    }

    public static int protocol(byte[] b, int off) {
        return Bytes.u8(b, off + 9);
    }

    public static int checksum(byte[] b, int off) {
        return Bytes.u16(b, off + 10);
    }

    public static int src(byte[] b, int off) {
        return Bytes.i32(b, off + 12);
    }

    public static int dst(byte[] b, int off) {
        return Bytes.i32(b, off + 16);
    }

    /** True if the header checksum over {@link #headerLength} bytes verifies. */
    public static boolean checksumValid(byte[] b, int off) {
        return Checksum.sum(b, off, headerLength(b, off), 0) == 0xFFFF;
    }

    /** Writes a 20-byte header (no options, DF clear, offset 0) and its checksum. */
    public static void writeHeader(byte[] b, int off, int tos, int totalLength, int id, int ttl, int protocol, int src, int dst) {
        Bytes.put16(b, off, 0x4500 | (tos & 0xFF));
        Bytes.put16(b, off + 2, totalLength);
        Bytes.put16(b, off + 4, id);
        Bytes.put16(b, off + 6, 0);
        Bytes.put16(b, off + 8, ((ttl & 0xFF) << 8) | (protocol & 0xFF));
        Bytes.put32(b, off + 12, src);
        Bytes.put32(b, off + 16, dst);
        // Summed from the values rather than read back: wide reads of bytes just stored in narrow
        // pieces stall on store forwarding, and this runs for every tunnelled packet.
        int sum = (0x4500 | (tos & 0xFF)) + (totalLength & 0xFFFF) + (id & 0xFFFF) + (((ttl & 0xFF) << 8) | (protocol & 0xFF))
                + (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF);
        Bytes.put16(b, off + 10, Checksum.finish(sum));
    }

    /** Recomputes and stores the header checksum over {@link #headerLength} bytes. */
    public static void setChecksum(byte[] b, int off) {
        Bytes.put16(b, off + 10, 0);
        Bytes.put16(b, off + 10, Checksum.finish(Checksum.sum(b, off, headerLength(b, off), 0)));
    }

    /**
     * TTL minus one with an RFC 1624 incremental checksum update (the TTL is the high byte of the
     * TTL/protocol word). A TTL of 0 is left alone: forwarding drops such packets before this.
     */
    public static void decrementTtl(byte[] b, int off) {
        int word = Bytes.u16(b, off + 8);
        if (word < 0x100) {
            return;
        }
        int newWord = word - 0x100;
        Bytes.put16(b, off + 8, newWord);
        Bytes.put16(b, off + 10, Checksum.update16(Bytes.u16(b, off + 10), word, newWord));
    }

    /** Sets the TTL, updating the checksum incrementally. */
    public static void setTtl(byte[] b, int off, int ttl) {
        int word = Bytes.u16(b, off + 8);
        int newWord = ((ttl & 0xFF) << 8) | (word & 0xFF);
        Bytes.put16(b, off + 8, newWord);
        Bytes.put16(b, off + 10, Checksum.update16(Bytes.u16(b, off + 10), word, newWord));
    }

    /** Sets the TOS byte (DSCP/ECN), updating the checksum incrementally. */
    public static void setTos(byte[] b, int off, int tos) {
        int word = Bytes.u16(b, off);
        int newWord = (word & 0xFF00) | (tos & 0xFF);
        Bytes.put16(b, off, newWord);
        Bytes.put16(b, off + 10, Checksum.update16(Bytes.u16(b, off + 10), word, newWord));
    }

    /** Rewrites the source address (NAT), updating the header checksum incrementally. */
    public static void setSrc(byte[] b, int off, int src) {
        int old = src(b, off);
        Bytes.put32(b, off + 12, src);
        Bytes.put16(b, off + 10, Checksum.update32(Bytes.u16(b, off + 10), old, src));
    }

    /** Rewrites the destination address (NAT), updating the header checksum incrementally. */
    public static void setDst(byte[] b, int off, int dst) {
        int old = dst(b, off);
        Bytes.put32(b, off + 16, dst);
        Bytes.put16(b, off + 10, Checksum.update32(Bytes.u16(b, off + 10), old, dst));
    }

    /** Sets the flags/fragment word and recomputes the checksum incrementally. */
    public static void setFlagsFragment(byte[] b, int off, int flagsFragment) {
        int old = flagsFragment(b, off);
        Bytes.put16(b, off + 6, flagsFragment);
        Bytes.put16(b, off + 10, Checksum.update16(Bytes.u16(b, off + 10), old, flagsFragment & 0xFFFF));
    }

    /** Sets the total length and recomputes the checksum incrementally. */
    public static void setTotalLength(byte[] b, int off, int totalLength) {
        int old = totalLength(b, off);
        Bytes.put16(b, off + 2, totalLength);
        Bytes.put16(b, off + 10, Checksum.update16(Bytes.u16(b, off + 10), old, totalLength & 0xFFFF));
    }

    /** Option types: end of option list and no operation; the copied flag is bit 7 of the type. */
    public static final int OPTION_END = 0;
    public static final int OPTION_NOOP = 1;
    public static final int OPTION_COPIED = 0x80;

    /**
     * Prepares the header at {@code off} for the fragments after the first (RFC 791, Linux's
     * ip_options_fragment): every option whose copied flag is clear is overwritten with no-op
     * options, so the header keeps its length; the options with the flag set stay. Stops at the
     * end-of-list option or at an option whose length is impossible. Does not touch the checksum.
     */
    public static void clearUncopiedOptions(byte[] b, int off) {
        int end = off + headerLength(b, off);
        int i = off + MIN_HEADER_LEN;
        while (i < end) {
            int type = Bytes.u8(b, i);
            if (type == OPTION_END) {
                return;
            }
            if (type == OPTION_NOOP) {
                i++;
                continue;
            }
            if (end - i < 2) {
                return;
            }
            int len = Bytes.u8(b, i + 1);
            if (len < 2 || len > end - i) {
                return;
            }
            if ((type & OPTION_COPIED) == 0) {
                java.util.Arrays.fill(b, i, i + len, (byte) OPTION_NOOP);
            }
            i += len;
        }
    }
}
