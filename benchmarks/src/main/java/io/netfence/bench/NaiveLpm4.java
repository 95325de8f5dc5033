package io.netfence.bench;

import java.util.HashMap;

/**
 * The reference the IPv4 FIB is measured against: the "obvious Java implementation" of
 * longest-prefix match, one {@code HashMap<Integer, Integer>} of prefix to next hop per prefix
 * length, probed from the longest length present down to the shortest; the first hit wins.
 * It only skips lengths that hold no route at all (a fair, not a straw-man, reference).
 * Not thread-safe; for benchmarks and tests only.
 */
public final class NaiveLpm4 {
    public static final int NO_ROUTE = -1;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private final HashMap<Integer, Integer>[] byLength = new HashMap[33];
    /** The lengths that hold at least one route, longest first. */
    private int[] lengths = new int[0];

    public void add(int prefix, int length, int nextHop) {
        HashMap<Integer, Integer> map = byLength[length];
        if (map == null) {
            map = byLength[length] = new HashMap<>();
            int n = 0;
            int[] present = new int[lengths.length + 1];
            for (int l = 32; l >= 0; l--) {
                if (byLength[l] != null) {
                    present[n++] = l;
                }
            }
            lengths = present;
        }
        map.put(prefix & netmask(length), nextHop);
    }

    public int lookup(int address) {
        for (int length : lengths) {
            Integer nextHop = byLength[length].get(address & netmask(length));
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

    private static int netmask(int length) {
        return length == 0 ? 0 : -1 << (32 - length);
    }
}
