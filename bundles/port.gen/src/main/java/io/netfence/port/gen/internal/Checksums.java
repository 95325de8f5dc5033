package io.netfence.port.gen.internal;

import io.netfence.packet.Bytes;

/** The Internet checksum (RFC 1071) and its incremental update (RFC 1624, equation 3). */
final class Checksums {
    private Checksums() {
    }

    /** One's-complement sum of {@code b[off, off+len)} as 16-bit words added to {@code initial}; folded, not complemented. */
    static int sum(byte[] b, int off, int len, int initial) {
        long s = initial & 0xFFFF_FFFFL;
        int end = off + (len & ~1);
        for (int i = off; i < end; i += 2) {
            s += Bytes.u16(b, i);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xFF) << 8;
        }
        return fold(s);
    }

    /** The sum of the IPv4 pseudo-header that UDP and TCP checksums cover. */
    static int pseudoHeaderV4(int src, int dst, int protocol, int length) {
        return fold((src >>> 16) + (src & 0xFFFFL) + (dst >>> 16) + (dst & 0xFFFF) + protocol + length);
    }

    /** The value to store: the folded sum, complemented. */
    static int finish(int sum) {
        return ~fold(sum & 0xFFFF_FFFFL) & 0xFFFF;
    }

    /** A stored checksum after the 16-bit word {@code oldWord} it covers became {@code newWord}. */
    static int update16(int checksum, int oldWord, int newWord) {
        return ~fold((~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF)) & 0xFFFF;
    }

    /** A stored checksum after the 32-bit value {@code oldValue} it covers became {@code newValue}. */
    static int update32(int checksum, int oldValue, int newValue) {
        return update16(update16(checksum, oldValue >>> 16, newValue >>> 16), oldValue & 0xFFFF, newValue & 0xFFFF);
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }
}
