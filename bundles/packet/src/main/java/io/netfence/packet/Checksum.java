package io.netfence.packet;

/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * <p>An accumulator is an int holding a one's-complement sum that is not yet folded; any int is a
 * valid accumulator (it is read as unsigned). Sums over several pieces compose by passing one
 * result as the next {@code initial}, as long as every piece but the last has an even length.
 * Nothing here allocates.
 */
public final class Checksum {
    private Checksum() {
    }

    /**
     * Adds {@code len} bytes of {@code b} starting at {@code off} to {@code initial}, as big-endian
     * 16-bit words; an odd last byte is padded with a zero low byte. Returns an accumulator
     * already folded to 16 bits.
     */
    public static int sum(byte[] b, int off, int len, int initial) {
        if (len <= SHORT_SPAN) {
            return sumShort(b, off, len, initial);
        }
        long acc = initial & 0xFFFF_FFFFL;
        int i = off;
        int end = off + len;
        // 2^32 == 1 (mod 0xFFFF), so 32-bit halves of each 64-bit read sum to the same folded result.
        for (int last = end - 8; i <= last; i += 8) {
            long v = Bytes.i64(b, i);
            acc += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        if (i + 4 <= end) {
            acc += Bytes.i32(b, i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (i + 2 <= end) {
            acc += Bytes.u16(b, i);
            i += 2;
        }
        if (i < end) {
            acc += (b[i] & 0xFF) << 8;
        }
        return foldLong(acc);
    }

    /** Up to this many bytes (an IPv4 header with options) are summed 16 bits at a time. */
    private static final int SHORT_SPAN = 60;

    /**
     * Headers are usually summed right after they were written in 16- and 32-bit pieces; reading
     * them back 64 bits at a time would stall on store forwarding, 16-bit reads never do.
     */
    private static int sumShort(byte[] b, int off, int len, int initial) {
        long acc = initial & 0xFFFF_FFFFL;
        int end = off + (len & ~1);
        for (int i = off; i < end; i += 2) {
            acc += Bytes.u16(b, i);
        }
        if ((len & 1) != 0) {
            acc += (b[off + len - 1] & 0xFF) << 8;
        }
        return foldLong(acc);
    }

    private static int foldLong(long acc) {
        while ((acc >>> 16) != 0) {
            acc = (acc & 0xFFFF) + (acc >>> 16);
        }
        return (int) acc;
    }

    /** Folds an accumulator to 16 bits with end-around carry; not complemented. */
    public static int fold(int sum) {
        int s = (sum >>> 16) + (sum & 0xFFFF);
        s = (s >>> 16) + (s & 0xFFFF);
        return s;
    }

    /** The value to store in a checksum field: the folded accumulator, complemented. */
    public static int finish(int sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /** The IPv4 pseudo-header (RFC 793/768): addresses, protocol and upper-layer length. */
    public static int pseudoHeaderV4(int src, int dst, int proto, int len) {
        long acc = (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + (proto & 0xFF) + (len & 0xFFFF_FFFFL);
        return foldLong(acc);
    }

    /** The IPv6 pseudo-header (RFC 8200 section 8.1): addresses, 32-bit length and next header. */
    public static int pseudoHeaderV6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int len) {
        long acc = halves(srcHi) + halves(srcLo) + halves(dstHi) + halves(dstLo)
                + (len & 0xFFFF_FFFFL) + (nextHeader & 0xFF);
        return foldLong(acc);
    }

    private static long halves(long v) {
        return (v >>> 32) + (v & 0xFFFF_FFFFL);
    }

    /**
     * RFC 1624 eqn. 3: the stored checksum after one 16-bit word of the covered data changed
     * from {@code oldWord} to {@code newWord}: HC' = ~(~HC + ~m + m'). Equal to a full
     * recomputation whenever the covered data is not all zero.
     */
    public static int update16(int oldChecksum, int oldWord, int newWord) {
        int s = (~oldChecksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(s) & 0xFFFF;
    }

    /** Like {@link #update16} for a 32-bit field (an IPv4 address) that changed as a whole. */
    public static int update32(int oldChecksum, int oldValue, int newValue) {
        int s = (~oldChecksum & 0xFFFF)
                + (~oldValue >>> 16) + (~oldValue & 0xFFFF)
                + (newValue >>> 16) + (newValue & 0xFFFF);
        return ~fold(s) & 0xFFFF;
    }

    /**
     * Folded sum of an upper-layer segment over IPv4, including the pseudo-header and the stored
     * checksum field: 0xFFFF means the stored checksum is right.
     */
    public static int transportV4(byte[] b, int ipv4Off, int l4Off, int l4Len, int proto) {
        int pseudo = pseudoHeaderV4(Ipv4.src(b, ipv4Off), Ipv4.dst(b, ipv4Off), proto, l4Len);
        return fold(sum(b, l4Off, l4Len, pseudo));
    }

    /** Like {@link #transportV4} over IPv6 (addresses taken from the fixed header). */
    public static int transportV6(byte[] b, int ipv6Off, int l4Off, int l4Len, int nextHeader) {
        int pseudo = pseudoHeaderV6(Ipv6.srcHi(b, ipv6Off), Ipv6.srcLo(b, ipv6Off),
                Ipv6.dstHi(b, ipv6Off), Ipv6.dstLo(b, ipv6Off), nextHeader, l4Len);
        return fold(sum(b, l4Off, l4Len, pseudo));
    }
}
