package io.netfence.fib;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Open-addressing table of IPv6 prefixes of one length: a {@code long[]} of 3-long slots
 * {@code [keyHi, keyLo, meta]} with linear probing, where meta is {@link #EMPTY},
 * {@link #DELETED} or {@code LIVE_BASE + nextHop}.
 * <p>
 * Readers need no lock because a slot's key is written once, before its meta is published
 * with a release store, and never changes afterwards in that array: a deleted key leaves a
 * tombstone that only the same key may revive, and other keys are only ever inserted into
 * {@link #EMPTY} slots. A reader that acquire-loads a non-empty meta therefore reads a complete,
 * stable key, and the meta itself (the next hop or the tombstone) is one atomic long. Tombstones
 * are dropped when the writer rebuilds the table into a new array, which it publishes whole;
 * the old array is never written again.
 */
final class PrefixTable6 {
    static final int MISSING = -1;
    static final long EMPTY = 0;
    static final long DELETED = 1;
    static final long LIVE_BASE = 2;
    static final int STRIDE = 3;
    static final int MIN_CAPACITY = 8;

    private static final VarHandle LONG = MethodHandles.arrayElementVarHandle(long[].class);

    private PrefixTable6() {
    }

    /** A table of {@code capacity} slots (a power of two). */
    static long[] create(int capacity) {
        return new long[capacity * STRIDE];
    }

    static int capacity(long[] table) {
        return table.length / STRIDE;
    }

    /** Capacity for {@code live} keys: load at most 1/2 right after a rebuild. */
    static int capacityFor(int live) {
        int wanted = Math.max(MIN_CAPACITY, live * 2);
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /**
     * Whether one more key may go into an empty slot when {@code used} slots (live or deleted)
     * are taken. Load stays at most 5/8, which keeps a miss, the common case when probing
     * longest-first, at about two cache lines.
     */
    static boolean hasRoomFor(long[] table, int used) {
        return (long) (used + 1) * 8 <= (long) capacity(table) * 5;
    }

    /** The next hop stored for the (masked) key, or {@link #MISSING}. Safe concurrently with the writer. */
    static int find(long[] table, long hi, long lo) {
        int mask = table.length / STRIDE - 1;
        for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
            int at = i * STRIDE;
            long meta = (long) LONG.getAcquire(table, at + 2);
            if (meta == EMPTY) {
                return MISSING;
            }
            if (table[at] == hi && table[at + 1] == lo) {
                return meta >= LIVE_BASE ? (int) (meta - LIVE_BASE) : MISSING;
            }
        }
    }

    /**
     * Writer: the slot holding the key (live or deleted), or {@code -(slot + 1)} for the empty
     * slot where it would be inserted. The table always has an empty slot.
     */
    static int locate(long[] table, long hi, long lo) {
        int mask = table.length / STRIDE - 1;
        for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
            int at = i * STRIDE;
            long meta = table[at + 2];
            if (meta == EMPTY) {
                return -(i + 1);
            }
            if (table[at] == hi && table[at + 1] == lo) {
                return i;
            }
        }
    }

    static long meta(long[] table, int slot) {
        return table[slot * STRIDE + 2];
    }

    /** Writer: sets the meta of an existing slot (revive, replace, delete) with one release store. */
    static void setMeta(long[] table, int slot, long meta) {
        LONG.setRelease(table, slot * STRIDE + 2, meta);
    }

    /** Writer: fills an empty slot; the key is written before the meta that makes it visible. */
    static void insert(long[] table, int emptySlot, long hi, long lo, int nextHop) {
        int at = emptySlot * STRIDE;
        table[at] = hi;
        table[at + 1] = lo;
        LONG.setRelease(table, at + 2, LIVE_BASE + nextHop);
    }

    /** Writer: a new array with the live keys of {@code table}, none published yet. */
    static long[] rebuilt(long[] table, int capacity) {
        long[] fresh = create(capacity);
        int mask = capacity - 1;
        for (int at = 0; at < table.length; at += STRIDE) {
            long meta = table[at + 2];
            if (meta >= LIVE_BASE) {
                long hi = table[at];
                long lo = table[at + 1];
                int i = hash(hi, lo) & mask;
                while (fresh[i * STRIDE + 2] != EMPTY) {
                    i = (i + 1) & mask;
                }
                int to = i * STRIDE;
                fresh[to] = hi;
                fresh[to + 1] = lo;
                fresh[to + 2] = meta;
            }
        }
        return fresh;
    }

    /** Visits every live key; the table must not change meanwhile. */
    static void forEachLive(long[] table, LiveVisitor visitor) {
        for (int at = 0; at < table.length; at += STRIDE) {
            long meta = table[at + 2];
            if (meta >= LIVE_BASE) {
                visitor.visit(table[at], table[at + 1], (int) (meta - LIVE_BASE));
            }
        }
    }

    @FunctionalInterface
    interface LiveVisitor {
        void visit(long hi, long lo, int nextHop);
    }

    static int hash(long hi, long lo) {
        long h = hi * 0x9E37_79B9_7F4A_7C15L + Long.rotateLeft(lo * 0xC2B2_AE3D_27D4_EB4FL, 31);
        h = (h ^ (h >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        h = (h ^ (h >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return (int) (h ^ (h >>> 31));
    }
}
