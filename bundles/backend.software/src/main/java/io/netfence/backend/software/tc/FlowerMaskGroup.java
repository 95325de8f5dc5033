package io.netfence.backend.software.tc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flower filters of one instance that share a mask (Linux's fl_flow_mask): an open-addressing
 * hash table from the masked key to the filters with that key, ordered by handle. A lookup masks
 * the packet's words, hashes them and probes primitive arrays, so it costs the same for 10 filters
 * as for 100,000 and allocates nothing. Filters that differ only by port ranges share a key (ranges
 * are not in the mask) and are told apart by {@link FlowerRule#portsMatch} after the hit, as Linux's
 * fl_lookup_range does.
 */
final class FlowerMaskGroup {
    private static final long SEED = 0x2545_F491_4F6C_DD1DL;

    /** The smallest handle in the group: once a better match is known, the group can be skipped. */
    final long minHandle;
    /** The key words this mask uses, and the mask of each. */
    private final int[] words;
    private final long[] mask;
    /** Slot s holds its masked key at keys[s * words.length ...]; its filters at rules[s] (null: empty slot). */
    private final long[] keys;
    private final FlowerRule[][] rules;
    private final int slotMask;

    /** A filter with its full mask and value words, as {@link FlowerKey#encode} made them. */
    record Entry(long[] value, FlowerRule rule) {
    }

    FlowerMaskGroup(long[] fullMask, List<Entry> entries) {
        int used = 0;
        for (long m : fullMask) {
            used += m != 0 ? 1 : 0;
        }
        words = new int[used];
        mask = new long[used];
        for (int w = 0, j = 0; w < fullMask.length; w++) {
            if (fullMask[w] != 0) {
                words[j] = w;
                mask[j++] = fullMask[w];
            }
        }
        Map<List<Long>, List<FlowerRule>> byKey = new LinkedHashMap<>();
        long min = Long.MAX_VALUE;
        for (Entry e : entries) {
            List<Long> key = new ArrayList<>(used);
            for (int w : words) {
                key.add(e.value()[w]);
            }
            byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(e.rule());
            min = Math.min(min, e.rule().handle);
        }
        minHandle = min;
        int capacity = 2;
        while (capacity < 2 * byKey.size()) {
            capacity <<= 1;
        }
        slotMask = capacity - 1;
        keys = new long[capacity * used];
        rules = new FlowerRule[capacity][];
        long[] probe = new long[used];
        for (Map.Entry<List<Long>, List<FlowerRule>> e : byKey.entrySet()) {
            for (int j = 0; j < used; j++) {
                probe[j] = e.getKey().get(j);
            }
            int slot = slotOf(hashMasked(probe));
            while (rules[slot] != null) {
                slot = (slot + 1) & slotMask;
            }
            System.arraycopy(probe, 0, keys, slot * used, used);
            FlowerRule[] sorted = e.getValue().toArray(new FlowerRule[0]);
            Arrays.sort(sorted, Comparator.comparingLong(r -> r.handle));
            rules[slot] = sorted;
        }
    }

    /** The lowest-handle filter of this group matching the packet's words and ports, or null. */
    FlowerRule lookup(long[] packetWords, int srcPort, int dstPort) {
        int n = words.length;
        long h = SEED;
        for (int j = 0; j < n; j++) {
            h = mix(h, packetWords[words[j]] & mask[j]);
        }
        int slot = slotOf(h);
        while (true) {
            FlowerRule[] candidates = rules[slot];
            if (candidates == null) {
                return null;
            }
            if (sameKey(slot, packetWords)) {
                for (FlowerRule r : candidates) {
                    if (r.portsMatch(srcPort, dstPort)) {
                        return r;
                    }
                }
                // Every filter with this masked key is in this slot: nothing further can match.
                return null;
            }
            slot = (slot + 1) & slotMask;
        }
    }

    private boolean sameKey(int slot, long[] packetWords) {
        int n = words.length;
        int base = slot * n;
        for (int j = 0; j < n; j++) {
            if (keys[base + j] != (packetWords[words[j]] & mask[j])) {
                return false;
            }
        }
        return true;
    }

    private long hashMasked(long[] maskedKey) {
        long h = SEED;
        for (long v : maskedKey) {
            h = mix(h, v);
        }
        return h;
    }

    private int slotOf(long h) {
        return (int) (h ^ (h >>> 32)) & slotMask;
    }

    private static long mix(long h, long v) {
        long x = (h ^ v) * 0x9E37_79B9_7F4A_7C15L;
        return x ^ (x >>> 29);
    }
}
