package io.netfence.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * IPv6 longest-prefix-match table: prefix/length to next-hop id. Addresses are two longs, the
 * upper ({@code hi}) and lower ({@code lo}) 64 bits in network order.
 *
 * <h2>Layout and cost model</h2>
 * <ul>
 * <li>A directory with one 4-long record per /16 (the top 16 bits of the address, 2 MB,
 * allocated on the first add): a sequence number, the best route of length 0..16 for that /16
 * (expanded into every /16 it covers, as DIR-24-8 does), and a 112-bit mask of the lengths
 * 17..128 that at least one route inside that /16 has.</li>
 * <li>One open-addressing hash table ({@link PrefixTable6}) per prefix length, keyed by the
 * prefix masked to that length.</li>
 * </ul>
 * A lookup reads its /16's record, then probes the tables of the lengths in its mask, longest
 * first, and stops at the first hit; with no hit the record's short-route entry answers. Its
 * cost is therefore one directory record plus one hash probe (about one or two cache lines at a
 * load of at most 5/8) per distinct length longer than /16 present in the address's /16 that is
 * longer than the matching route's — it does not grow with the number of routes, only with the
 * number of distinct lengths (a typical Internet table has about a dozen beyond /16, most /16s
 * far fewer). Routes of length 0..16 cost one entry write per covered /16 to add or remove;
 * longer routes cost one hash insert or delete. Exact-match {@link #get} is one hash probe.
 *
 * <h2>Concurrency and memory ordering</h2>
 * One writer at a time (the caller serialises {@link #add}, {@link #remove} and {@link #clear});
 * any number of threads may call {@link #lookup} concurrently. {@link #get} is safe from any
 * thread; {@link #size} and {@link #forEach} are control-plane queries for the writer's thread.
 * A lookup returns the answer the table had for its address at some instant during the lookup,
 * never a torn or invented value, and never throws:
 * <ul>
 * <li>Hash slots are published with one release store of their meta after the key is written,
 * and keys never change in place (see {@link PrefixTable6}); a grown or compacted table is
 * built aside and published with one release store, and the old array is never written again.</li>
 * <li>Short-route entries and length-mask words are single longs written with release stores
 * and read with acquire loads.</li>
 * <li>Because a lookup reads several words (mask, tables of several lengths, short entry), each
 * update of a route longer than /16 brackets its writes with the /16's sequence number (odd while
 * in progress, a store-store fence after making it odd, a release store making it even). A
 * lookup re-reads the sequence after an acquire fence and starts again if it changed. If it is
 * unchanged, no such update of this /16 started or finished meanwhile; at most one was in
 * progress throughout (the writer is serialised), and every partial state of one update gives
 * each address its old or new answer, because the table slot is published before the mask bit
 * is set and the mask bit is cleared after the slot is deleted. Updates of routes of length
 * 0..16 change only the short entry, which the lookup reads once. Readers never wait for the
 * writer: they retry only when an update finished or started, so lookups are lock-free.</li>
 * </ul>
 */
public final class Ipv6Fib {
    /** Returned by {@link #lookup} and {@link #get} when no route matches. */
    public static final int NO_ROUTE = -1;
    /** Largest next-hop id the table can store (24 bits, as {@link Ipv4Fib}). */
    public static final int MAX_NEXT_HOP = 0xFF_FFFF;

    private static final int VALID = 0x8000_0000;
    private static final int DEPTH_SHIFT = 24;
    private static final int DEPTH_MASK = 0x3F;
    private static final int VALUE_MASK = 0xFF_FFFF;

    private static final int DIRECT_BITS = 16;
    private static final int BUCKETS = 1 << DIRECT_BITS;
    // Directory record, 4 longs per /16.
    private static final int RECORD = 4;
    private static final int SEQUENCE = 0;
    private static final int SHORT_ROUTE = 1;
    /** Bit (length - 1) for lengths 17..64. */
    private static final int LENGTHS_TO_64 = 2;
    /** Bit (length - 65) for lengths 65..128. */
    private static final int LENGTHS_TO_128 = 3;

    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle TABLE = MethodHandles.arrayElementVarHandle(long[][].class);

    /** Everything readers touch; {@link #clear} drops it, the first add builds a new one. */
    private static final class Tables {
        final long[] directory = new long[BUCKETS * RECORD];
        final long[][] byLength = new long[129][];
    }

    private volatile Tables tables;

    // Control plane, touched only by the writer.
    private int[] used = new int[129];
    private int[] live = new int[129];
    /** (bucket << 8 | length) -> routes of that length (17..128) in that /16. */
    private IntIntMap lengthCounts = new IntIntMap();
    private int size;

    /** An empty table; the 2 MB directory is allocated by the first add. */
    public Ipv6Fib() {
    }

    /**
     * Adds a route, or replaces the next hop of an existing route with the same prefix and length.
     *
     * @param hi      upper 64 bits of the network address
     * @param lo      lower 64 bits; host bits beyond {@code length} are ignored in both
     * @param length  prefix length, 0..128
     * @param nextHop next-hop id, 0..{@link #MAX_NEXT_HOP}
     * @throws IllegalArgumentException if {@code length} or {@code nextHop} is out of range
     */
    public void add(long hi, long lo, int length, int nextHop) {
        checkLength(length);
        if (nextHop < 0 || nextHop > MAX_NEXT_HOP) {
            throw new IllegalArgumentException("nextHop must be 0.." + MAX_NEXT_HOP + ", got " + nextHop);
        }
        long networkHi = hi & hiMask(length);
        long networkLo = lo & loMask(length);
        Tables t = tables;
        if (t == null) {
            t = tables = new Tables();
        }
        long[] table = t.byLength[length];
        int previous = table == null ? NO_ROUTE : PrefixTable6.find(table, networkHi, networkLo);
        if (previous == nextHop) {
            return;
        }
        int bucket = (int) (networkHi >>> 48);
        long[] directory = t.directory;
        if (length <= DIRECT_BITS) {
            put(t, length, networkHi, networkLo, nextHop);
            rewriteShortRoutes(directory, bucket, 1 << (DIRECT_BITS - length), length, leaf(length, nextHop), true);
        } else {
            int record = bucket * RECORD;
            beginWrite(directory, record);
            put(t, length, networkHi, networkLo, nextHop);
            if (previous == NO_ROUTE && lengthCounts.add(bucket << 8 | length, 1) == 1) {
                int word = record + lengthWord(length);
                LONG.setRelease(directory, word, directory[word] | lengthBit(length));
            }
            endWrite(directory, record);
        }
        if (previous == NO_ROUTE) {
            size++;
        }
    }

    /**
     * Removes a route; the addresses it covered fall back to the next covering route.
     *
     * @return whether the route existed
     */
    public boolean remove(long hi, long lo, int length) {
        checkLength(length);
        Tables t = tables;
        long[] table = t == null ? null : t.byLength[length];
        if (table == null) {
            return false;
        }
        long networkHi = hi & hiMask(length);
        long networkLo = lo & loMask(length);
        int slot = PrefixTable6.locate(table, networkHi, networkLo);
        if (slot < 0 || PrefixTable6.meta(table, slot) < PrefixTable6.LIVE_BASE) {
            return false;
        }
        int bucket = (int) (networkHi >>> 48);
        long[] directory = t.directory;
        if (length <= DIRECT_BITS) {
            delete(t, length, table, slot);
            int replacement = coveringLeaf(t, networkHi, length);
            rewriteShortRoutes(directory, bucket, 1 << (DIRECT_BITS - length), length, replacement, false);
        } else {
            int record = bucket * RECORD;
            beginWrite(directory, record);
            delete(t, length, table, slot);
            if (lengthCounts.add(bucket << 8 | length, -1) == 0) {
                int word = record + lengthWord(length);
                LONG.setRelease(directory, word, directory[word] & ~lengthBit(length));
            }
            endWrite(directory, record);
        }
        size--;
        return true;
    }

    /**
     * The next hop of the longest prefix that contains the address, or {@link #NO_ROUTE}.
     * Lock-free and allocation-free; safe concurrently with the writer.
     */
    public int lookup(long hi, long lo) {
        Tables t = tables;
        if (t == null) {
            return NO_ROUTE;
        }
        long[] directory = t.directory;
        long[][] byLength = t.byLength;
        int record = (int) (hi >>> 48) * RECORD;
        for (;;) {
            long sequence = (long) LONG.getAcquire(directory, record + SEQUENCE);
            int nextHop = probeLongLengths(byLength, (long) LONG.getAcquire(directory, record + LENGTHS_TO_128), hi, lo);
            if (nextHop < 0) {
                nextHop = probeMidLengths(byLength, (long) LONG.getAcquire(directory, record + LENGTHS_TO_64), hi);
                if (nextHop < 0) {
                    int shortRoute = (int) (long) LONG.getAcquire(directory, record + SHORT_ROUTE);
                    nextHop = shortRoute < 0 ? shortRoute & VALUE_MASK : NO_ROUTE;
                }
            }
            // Orders every load above before the sequence re-read (the reader side of the seqlock).
            VarHandle.acquireFence();
            if ((long) LONG.getOpaque(directory, record + SEQUENCE) == sequence) {
                return nextHop;
            }
        }
    }

    /**
     * Looks up {@code count} addresses; {@code nextHops[i]} receives the answer for
     * ({@code his[i]}, {@code los[i]}) as {@link #lookup(long, long)} would give it.
     */
    public void lookup(long[] his, long[] los, int[] nextHops, int count) {
        for (int i = 0; i < count; i++) {
            nextHops[i] = lookup(his[i], los[i]);
        }
    }

    /** The next hop of exactly this prefix/length (host bits ignored), or {@link #NO_ROUTE}. */
    public int get(long hi, long lo, int length) {
        checkLength(length);
        Tables t = tables;
        long[] table = t == null ? null : (long[]) TABLE.getAcquire(t.byLength, length);
        return table == null ? NO_ROUTE : PrefixTable6.find(table, hi & hiMask(length), lo & loMask(length));
    }

    /** Number of routes. Control plane. */
    public int size() {
        return size;
    }

    /** Removes every route; concurrent lookups see either the old table or the empty one. */
    public void clear() {
        tables = null;
        used = new int[129];
        live = new int[129];
        lengthCounts = new IntIntMap();
        size = 0;
    }

    /**
     * Visits every route ordered by prefix (as an unsigned 128-bit address), then by length.
     * Control plane: must not run concurrently with the writer; allocates a sorted snapshot.
     */
    public void forEach(RouteVisitor6 visitor) {
        Tables t = tables;
        if (t == null) {
            return;
        }
        record Route(long hi, long lo, int length, int nextHop) {
        }
        List<Route> routes = new ArrayList<>(size);
        for (int length = 0; length <= 128; length++) {
            long[] table = t.byLength[length];
            if (table != null) {
                int routeLength = length;
                PrefixTable6.forEachLive(table, (hi, lo, nextHop) -> routes.add(new Route(hi, lo, routeLength, nextHop)));
            }
        }
        routes.sort(Comparator.<Route>comparingLong(r -> r.hi ^ Long.MIN_VALUE)
                .thenComparingLong(r -> r.lo ^ Long.MIN_VALUE)
                .thenComparingInt(Route::length));
        for (Route route : routes) {
            visitor.visit(route.hi, route.lo, route.length, route.nextHop);
        }
    }

    // ---------------------------------------------------------------- reader internals

    /** Lengths 65..128 present in the /16, longest first; the first hit wins. */
    private static int probeLongLengths(long[][] byLength, long lengths, long hi, long lo) {
        while (lengths != 0) {
            int bit = 63 - Long.numberOfLeadingZeros(lengths);
            int length = 65 + bit;
            long[] table = (long[]) TABLE.getAcquire(byLength, length);
            if (table != null) {
                int nextHop = PrefixTable6.find(table, hi, lo & (-1L << (128 - length)));
                if (nextHop >= 0) {
                    return nextHop;
                }
            }
            lengths ^= 1L << bit;
        }
        return NO_ROUTE;
    }

    /** Lengths 17..64 present in the /16, longest first; the first hit wins. */
    private static int probeMidLengths(long[][] byLength, long lengths, long hi) {
        while (lengths != 0) {
            int bit = 63 - Long.numberOfLeadingZeros(lengths);
            int length = bit + 1;
            long[] table = (long[]) TABLE.getAcquire(byLength, length);
            if (table != null) {
                int nextHop = PrefixTable6.find(table, hi & (-1L << (64 - length)), 0L);
                if (nextHop >= 0) {
                    return nextHop;
                }
            }
            lengths ^= 1L << bit;
        }
        return NO_ROUTE;
    }

    // ---------------------------------------------------------------- writer internals

    private static void beginWrite(long[] directory, int record) {
        LONG.setOpaque(directory, record + SEQUENCE, directory[record + SEQUENCE] + 1);
        // The odd sequence must be visible before any write it guards.
        VarHandle.storeStoreFence();
    }

    private static void endWrite(long[] directory, int record) {
        LONG.setRelease(directory, record + SEQUENCE, directory[record + SEQUENCE] + 1);
    }

    /** Inserts or updates a key in its length's table, rebuilding the table aside when it is too full. */
    private void put(Tables t, int length, long hi, long lo, int nextHop) {
        long[] table = t.byLength[length];
        if (table == null) {
            table = PrefixTable6.create(PrefixTable6.MIN_CAPACITY);
            TABLE.setRelease(t.byLength, length, table);
        }
        int slot = PrefixTable6.locate(table, hi, lo);
        if (slot >= 0) {
            if (PrefixTable6.meta(table, slot) == PrefixTable6.DELETED) {
                live[length]++;
            }
            PrefixTable6.setMeta(table, slot, PrefixTable6.LIVE_BASE + nextHop);
            return;
        }
        if (PrefixTable6.hasRoomFor(table, used[length])) {
            PrefixTable6.insert(table, -slot - 1, hi, lo, nextHop);
            used[length]++;
        } else {
            long[] rebuilt = PrefixTable6.rebuilt(table, PrefixTable6.capacityFor(live[length] + 1));
            PrefixTable6.insert(rebuilt, -PrefixTable6.locate(rebuilt, hi, lo) - 1, hi, lo, nextHop);
            TABLE.setRelease(t.byLength, length, rebuilt);
            used[length] = live[length] + 1;
        }
        live[length]++;
    }

    private void delete(Tables t, int length, long[] table, int slot) {
        PrefixTable6.setMeta(table, slot, PrefixTable6.DELETED);
        live[length]--;
        int capacity = PrefixTable6.capacity(table);
        if (capacity > PrefixTable6.MIN_CAPACITY && (long) live[length] * 8 < capacity) {
            // Mostly empty after mass removal: give the memory back.
            TABLE.setRelease(t.byLength, length, PrefixTable6.rebuilt(table, PrefixTable6.capacityFor(live[length])));
            used[length] = live[length];
        }
    }

    /**
     * Applies an add (overwrite answers of depth <= length) or a remove (overwrite answers of
     * depth == length) of a route of length 0..16 to the short-route entries of {@code count}
     * consecutive /16s.
     */
    private static void rewriteShortRoutes(long[] directory, int firstBucket, int count, int length,
                                           int replacement, boolean adding) {
        for (int bucket = firstBucket; bucket < firstBucket + count; bucket++) {
            int word = bucket * RECORD + SHORT_ROUTE;
            int current = (int) directory[word];
            boolean valid = current < 0;
            int depth = (current >>> DEPTH_SHIFT) & DEPTH_MASK;
            if (adding ? !valid || depth <= length : valid && depth == length) {
                LONG.setRelease(directory, word, (long) replacement);
            }
        }
    }

    /** The leaf of the longest route shorter than {@code length} (<= 16) covering the network, or 0. */
    private static int coveringLeaf(Tables t, long networkHi, int length) {
        for (int shorter = length - 1; shorter >= 0; shorter--) {
            long[] table = t.byLength[shorter];
            if (table != null) {
                int nextHop = PrefixTable6.find(table, networkHi & hiMask(shorter), 0L);
                if (nextHop >= 0) {
                    return leaf(shorter, nextHop);
                }
            }
        }
        return 0;
    }

    private static int lengthWord(int length) {
        return length <= 64 ? LENGTHS_TO_64 : LENGTHS_TO_128;
    }

    private static long lengthBit(int length) {
        return 1L << (length <= 64 ? length - 1 : length - 65);
    }

    private static int leaf(int length, int nextHop) {
        return VALID | length << DEPTH_SHIFT | nextHop;
    }

    private static long hiMask(int length) {
        return length == 0 ? 0L : length >= 64 ? -1L : -1L << (64 - length);
    }

    private static long loMask(int length) {
        return length <= 64 ? 0L : -1L << (128 - length);
    }

    private static void checkLength(int length) {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("length must be 0..128, got " + length);
        }
    }
}
