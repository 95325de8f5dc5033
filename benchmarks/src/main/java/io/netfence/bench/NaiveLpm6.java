package io.netfence.bench;

import java.util.HashMap;

/**
 * The reference the IPv6 FIB is measured against: one {@code HashMap<Prefix, Integer>} per
 * prefix length (the key a record of the two masked halves), probed from the longest length
 * present down to the shortest; the first hit wins. Lengths holding no route are skipped.
 * Not thread-safe; for benchmarks and tests only.
 */
public final class NaiveLpm6 {
    public static final int NO_ROUTE = -1;

    record Prefix(long hi, long lo) {
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private final HashMap<Prefix, Integer>[] byLength = new HashMap[129];
    /** The lengths that hold at least one route, longest first. */
    private int[] lengths = new int[0];

    public void add(long hi, long lo, int length, int nextHop) {
        HashMap<Prefix, Integer> map = byLength[length];
        if (map == null) {
            map = byLength[length] = new HashMap<>();
            int n = 0;
            int[] present = new int[lengths.length + 1];
            for (int l = 128; l >= 0; l--) {
                if (byLength[l] != null) {
                    present[n++] = l;
                }
            }
            lengths = present;
        }
        map.put(new Prefix(hi & hiMask(length), lo & loMask(length)), nextHop);
    }

    public int lookup(long hi, long lo) {
        for (int length : lengths) {
            Integer nextHop = byLength[length].get(new Prefix(hi & hiMask(length), lo & loMask(length)));
            if (nextHop != null) {
                return nextHop;
            }
        }
        return NO_ROUTE;
    }

    public void clear() {
        java.util.Arrays.fill(byLength, null);
        lengths = new int[0];
    }

    private static long hiMask(int length) {
        return length == 0 ? 0L : length >= 64 ? -1L : -1L << (64 - length);
    }

    private static long loMask(int length) {
        return length <= 64 ? 0L : -1L << (128 - length);
    }
}
