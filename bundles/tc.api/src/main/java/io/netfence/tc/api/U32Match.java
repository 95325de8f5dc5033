package io.netfence.tc.api;

import java.util.List;

/**
 * A {@code u32} filter as the kernel holds it (tc_u32_sel): 32-bit keys, each a value under a
 * mask at a byte offset from the network header (or, for {@code nexthdr+} keys, from the
 * transport header the {@link Offset} clause locates), all of which must match. Hash tables:
 * a filter with {@code divisor > 0} creates table {@code table} with that many buckets instead of
 * matching; a filter in the root table (0x800) with {@code link} sends packets that match its keys
 * to the bucket of table {@code link} chosen by {@code hashkey mask M at OFF}
 * ({@code (word(OFF) & M) >> shift}, shift the mask's trailing zeros, modulo the divisor).
 */
public record U32Match(List<Key> keys, int table, int bucket, int link, int hashMask, int hashOffset, int divisor, Offset offset)
        implements Classifier {
    /** The root table every u32 classifier starts in. */
    public static final int ROOT_TABLE = 0x800;

    /** {@code match u32 VALUE MASK at [nexthdr+]OFFSET}; u8/u16 and the ip/ip6/tcp/udp forms reduce to these. */
    public record Key(int value, int mask, int offset, boolean nexthdr) {
        public Key {
            value &= mask;
            if (offset % 4 != 0 && !nexthdr) {
                // The kernel reads aligned words: iproute2 folds u8/u16 keys into the word that holds them.
                throw new TcException("at: a u32 key offset must be a multiple of 4");
            }
        }
    }

    /**
     * {@code offset at OFF mask M shift S [plus P] [eat]}: where the transport header starts, read
     * from the packet (the IPv4 IHL: {@code at 0 mask 0x0f00 shift 6}), for {@code nexthdr+} keys.
     */
    public record Offset(int at, int mask, int shift, int plus, boolean eat) {
    }

    public U32Match {
        keys = List.copyOf(keys);
        if (table <= 0 || table > 0xFFF) {
            throw new TcException("ht: expected a table id from 1 to fff");
        }
        if (divisor < 0 || divisor > 256 || (divisor & (divisor - 1)) != 0) {
            throw new TcException("divisor: expected a power of two from 1 to 256");
        }
        if (divisor > 0 && (!keys.isEmpty() || link != 0)) {
            throw new TcException("divisor: a filter that creates a hash table takes no match and no link");
        }
        if (bucket < 0 || bucket > 0xFF) {
            throw new TcException("ht: expected a bucket from 0 to ff");
        }
        if (link < 0 || link > 0xFFF) {
            throw new TcException("link: expected a table id from 1 to fff");
        }
        if (hashMask != 0 && link == 0) {
            throw new TcException("hashkey: only a filter with link chooses a bucket");
        }
        if (hashOffset % 4 != 0) {
            throw new TcException("hashkey at: expected a multiple of 4");
        }
    }

    @Override
    public String kind() {
        return "u32";
    }

    /** The shift that brings the hash mask's lowest set bit to bit 0 (as the kernel computes fshift). */
    public int hashShift() {
        return hashMask == 0 ? 0 : Integer.numberOfTrailingZeros(hashMask);
    }
}
