package io.netfence.backend.software.tc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 *
 * <p>Filters added one at a time go in place ({@link #add}), as Linux's rhashtable does under RCU:
 * the key words are written first and the slot's filter array is then published with a release
 * store, which readers load with acquire, so a worker sees a slot either empty or complete. That
 * keeps a burst of single adds (an appliance batch of 100k {@code tc filter add} lines) linear.
 * Only the control plane writes, under the provider's lock.
 */
final class FlowerMaskGroup {
    private static final long SEED = 0x2545_F491_4F6C_DD1DL;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(FlowerRule[][].class);

    /** The smallest handle in the group: once a better match is known, the group can be skipped. */
    volatile long minHandle;
    /** The key words this mask uses, and the mask of each. */
    private final int[] words;
    private final long[] mask;
    /** Slot s holds its masked key at keys[s * words.length ...]; its filters at rules[s] (null: empty slot). */
    private final long[] keys;
    private final FlowerRule[][] rules;
    private final int slotMask;
    /** Distinct keys in the table, and every filter the group holds (control plane only: rebuilding a fuller table). */
    private int keysInUse;
    private final List<Entry> entries;

    /** A filter with its full mask and value words, as {@link FlowerKey#encode} made them. */
    record Entry(long[] value, FlowerRule rule) {
    }

    FlowerMaskGroup(long[] fullMask, List<Entry> entries) {
        this(fullMask, entries, 2);
    }

    /** {@code room}: capacity for this many times the distinct keys (at least 2: half full at most). */
    private FlowerMaskGroup(long[] fullMask, List<Entry> entries, int room) {
        this.entries = new ArrayList<>(entries);
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
        while (capacity < room * byKey.size()) {
            capacity <<= 1;
        }
        this.keysInUse = byKey.size();
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
            FlowerRule[] candidates = (FlowerRule[]) SLOT.getAcquire(rules, slot);
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

    /** The full mask this group was built for (its words' masks, zero elsewhere). */
    long[] fullMask() {
        long[] full = new long[FlowerKey.WORDS];
        for (int j = 0; j < words.length; j++) {
            full[words[j]] = mask[j];
        }
        return full;
    }

    /**
     * Adds a filter in place and returns this group, or, when the table would get more than three
     * quarters full, returns a new group holding everything with room to grow (the caller
     * publishes it). Amortized constant time.
     */
    FlowerMaskGroup add(Entry e) {
        int n = words.length;
        if (4 * (keysInUse + 1) > 3 * rules.length) {
            List<Entry> all = new ArrayList<>(entries);
            all.add(e);
            return new FlowerMaskGroup(fullMask(), all, 4);
        }
        entries.add(e);
        long[] probe = new long[n];
        for (int j = 0; j < n; j++) {
            probe[j] = e.value()[words[j]];
        }
        int slot = slotOf(hashMasked(probe));
        while (true) {
            FlowerRule[] present = rules[slot];
            if (present == null) {
                // Key words first, then the slot: a reader that sees the slot sees the key.
                System.arraycopy(probe, 0, keys, slot * n, n);
                SLOT.setRelease(rules, slot, new FlowerRule[] {e.rule()});
                keysInUse++;
                break;
            }
            if (Arrays.equals(keys, slot * n, slot * n + n, probe, 0, n)) {
                FlowerRule[] more = Arrays.copyOf(present, present.length + 1);
                more[present.length] = e.rule();
                Arrays.sort(more, Comparator.comparingLong(r -> r.handle));
                SLOT.setRelease(rules, slot, more);
                break;
            }
            slot = (slot + 1) & slotMask;
        }
        if (e.rule().handle < minHandle) {
            minHandle = e.rule().handle;
        }
        return this;
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
