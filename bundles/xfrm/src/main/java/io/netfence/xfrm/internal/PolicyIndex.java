package io.netfence.xfrm.internal;

import io.netfence.packet.FlowKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The policies of one direction, for lookup by packet: tuple-space search. Policies are grouped
 * by shape (family, source prefix length, destination prefix length); each group hashes the masked
 * address pair and the if_id to the policies with exactly those, best first. A lookup probes each
 * group once, so its cost grows with the number of distinct shapes, not with the number of policies.
 *
 * <p>Changed in place, one policy at a time, by the control plane (one writer, under the core's
 * lock): adding or removing a policy costs a hash probe and a copy of its chain, not a rebuild,
 * so a batch of N adds is O(N). Workers look up concurrently without locks: buckets are immutable
 * (a change swaps one array slot), a table that grows is swapped whole, and each change ends with
 * the volatile write of {@link #groups} that lookups start by reading.
 */
final class PolicyIndex {
    private static final Group[] NO_GROUPS = new Group[0];

    /** Sorted by bound, best first; replaced (never changed in place) when a bound or the set of shapes changes. */
    private volatile Group[] groups = NO_GROUPS;
    private volatile int size;
    /** The writer's view of the groups, by shape. */
    private final Map<Long, Group> byShape = new HashMap<>();

    PolicyIndex() {
    }

    PolicyIndex(List<PolicyEntry> policies) {
        for (PolicyEntry p : policies) {
            add(p);
        }
    }

    int size() {
        return size;
    }

    int groupCount() {
        return groups.length;
    }

    /** Adds a policy whose key (selector, if_id, mark, direction) is not in the index yet. */
    void add(PolicyEntry p) {
        Group g = byShape.get(shape(p));
        Group[] next = groups;
        if (g == null) {
            g = new Group(p.match);
            byShape.put(shape(p), g);
            g.bound = p;
            next = Arrays.copyOf(next, next.length + 1);
            next[next.length - 1] = g;
            sort(next);
        } else if (p.betterThan(g.bound)) {
            // Raised before the policy is in its chain: a lookup may probe a group for nothing,
            // never skip one that holds a better policy.
            g.bound = p;
            next = next.clone();
            sort(next);
            groups = next;
        }
        g.insert(p, null);
        size = size + 1;
        groups = next;
    }

    /** Removes a policy that is in the index (the same entry that was added). */
    void remove(PolicyEntry p) {
        Group g = byShape.get(shape(p));
        if (g == null || !g.remove(p)) {
            return;
        }
        Group[] next = groups;
        if (g.members == 0) {
            byShape.remove(shape(p));
            List<Group> rest = new ArrayList<>(List.of(next));
            rest.remove(g);
            next = rest.toArray(NO_GROUPS);
        }
        // A bound that belonged to a removed policy stays: it is still no worse than every member.
        size = size - 1;
        groups = next;
    }

    /** Puts {@code now} (an updated policy: same key and age, maybe another priority) where {@code was} is. */
    void replace(PolicyEntry was, PolicyEntry now) {
        Group g = byShape.get(shape(was));
        Group[] next = groups;
        if (now.betterThan(g.bound)) {
            g.bound = now;
            next = next.clone();
            sort(next);
            groups = next;
        }
        g.insert(now, was);
        groups = next;
    }

    void clear() {
        byShape.clear();
        size = 0;
        groups = NO_GROUPS;
    }

    private static long shape(PolicyEntry p) {
        return (long) p.match.family << 16 | p.match.srcLength << 8 | p.match.dstLength;
    }

    private static void sort(Group[] groups) {
        Arrays.sort(groups, (a, b) -> a.bound.betterThan(b.bound) ? -1 : b.bound.betterThan(a.bound) ? 1 : 0);
    }

    /**
     * The best policy matching the packet with this mark and if_id, or null. Allocation-free.
     */
    PolicyEntry lookup(FlowKey k, int mark, int ifId) {
        Group[] gs = groups;
        PolicyEntry best = null;
        long sh = PacketMatch.srcHi(k);
        long sl = PacketMatch.srcLo(k);
        long dh = PacketMatch.dstHi(k);
        long dl = PacketMatch.dstLo(k);
        for (Group g : gs) {
            if (g.family != k.ipVersion) {
                continue;
            }
            if (best != null && !g.bound.betterThan(best)) {
                // Groups are sorted by their bound, which no member beats: nothing further can win.
                break;
            }
            PolicyEntry[] chain = g.find(sh & g.srcMaskHi, sl & g.srcMaskLo, dh & g.dstMaskHi, dl & g.dstMaskLo, ifId);
            if (chain == null) {
                continue;
            }
            for (PolicyEntry p : chain) {
                if (best != null && !p.betterThan(best)) {
                    break;
                }
                if (p.policy.mark().matches(mark) && p.match.matchesUpperLayer(k)) {
                    best = p;
                    break;
                }
            }
        }
        return best;
    }

    /** The policies of one (masked addresses, if_id) key, best first. Immutable. */
    private record Bucket(long sh, long sl, long dh, long dl, int ifId, PolicyEntry[] chain) {
    }

    /** Open addressing; a bucket whose chain empties stays as a tombstone until the table is rebuilt. */
    private record Table(Bucket[] slots, int mask) {
        static Table ofCapacity(int cap) {
            return new Table(new Bucket[cap], cap - 1);
        }
    }

    /** Policies with the same prefix lengths, hashed by masked addresses and if_id. */
    private static final class Group {
        final int family;
        final long srcMaskHi, srcMaskLo, dstMaskHi, dstMaskLo;
        /** No member is better than this (the best ever added; removals leave it, which is safe). */
        volatile PolicyEntry bound;
        volatile Table table = Table.ofCapacity(4);
        // Writer only.
        int members;
        int usedSlots;

        Group(PacketMatch m) {
            family = m.family;
            srcMaskHi = m.srcMaskHi;
            srcMaskLo = m.srcMaskLo;
            dstMaskHi = m.dstMaskHi;
            dstMaskLo = m.dstMaskLo;
        }

        /** Inserts p in its chain in lookup order, in place of {@code was} if given. */
        void insert(PolicyEntry p, PolicyEntry was) {
            PacketMatch m = p.match;
            int ifId = p.policy.ifId();
            Table t = table;
            int slot = slot(t, m.srcHi, m.srcLo, m.dstHi, m.dstLo, ifId);
            Bucket b = t.slots[slot];
            if (b == null) {
                if ((usedSlots + 1) * 2 > t.slots.length) {
                    t = rebuilt(Math.max(4, Integer.highestOneBit(Math.max(1, members + 1) * 4 - 1) << 1));
                    table = t;
                    slot = slot(t, m.srcHi, m.srcLo, m.dstHi, m.dstLo, ifId);
                }
                usedSlots++;
                t.slots[slot] = new Bucket(m.srcHi, m.srcLo, m.dstHi, m.dstLo, ifId, new PolicyEntry[] {p});
                members++;
                return;
            }
            List<PolicyEntry> chain = new ArrayList<>(b.chain.length + 1);
            for (PolicyEntry e : b.chain) {
                if (e != was) {
                    chain.add(e);
                }
            }
            int at = 0;
            while (at < chain.size() && chain.get(at).betterThan(p)) {
                at++;
            }
            chain.add(at, p);
            if (was == null) {
                members++;
            }
            t.slots[slot] = new Bucket(b.sh, b.sl, b.dh, b.dl, ifId, chain.toArray(new PolicyEntry[0]));
        }

        boolean remove(PolicyEntry p) {
            PacketMatch m = p.match;
            Table t = table;
            int slot = slot(t, m.srcHi, m.srcLo, m.dstHi, m.dstLo, p.policy.ifId());
            Bucket b = t.slots[slot];
            if (b == null) {
                return false;
            }
            PolicyEntry[] chain = new PolicyEntry[Math.max(0, b.chain.length - 1)];
            int n = 0;
            for (PolicyEntry e : b.chain) {
                if (e != p) {
                    if (n == chain.length) {
                        return false;
                    }
                    chain[n++] = e;
                }
            }
            if (n == b.chain.length) {
                return false;
            }
            t.slots[slot] = new Bucket(b.sh, b.sl, b.dh, b.dl, b.ifId, chain);
            members--;
            return true;
        }

        /** A new table of this capacity holding the non-empty buckets (tombstones dropped). */
        private Table rebuilt(int capacity) {
            Table t = Table.ofCapacity(capacity);
            usedSlots = 0;
            for (Bucket b : table.slots) {
                if (b != null && b.chain.length > 0) {
                    t.slots[slot(t, b.sh, b.sl, b.dh, b.dl, b.ifId)] = b;
                    usedSlots++;
                }
            }
            return t;
        }

        /** The slot holding this key, or the empty one where it belongs. */
        private static int slot(Table t, long sh, long sl, long dh, long dl, int ifId) {
            int slot = hash(sh, sl, dh, dl, ifId) & t.mask;
            while (true) {
                Bucket b = t.slots[slot];
                if (b == null || (b.sh == sh && b.sl == sl && b.dh == dh && b.dl == dl && b.ifId == ifId)) {
                    return slot;
                }
                slot = (slot + 1) & t.mask;
            }
        }

        PolicyEntry[] find(long sh, long sl, long dh, long dl, int ifId) {
            Table t = table;
            Bucket[] slots = t.slots;
            int slot = hash(sh, sl, dh, dl, ifId) & t.mask;
            while (true) {
                Bucket b = slots[slot];
                if (b == null) {
                    return null;
                }
                if (b.sh == sh && b.sl == sl && b.dh == dh && b.dl == dl && b.ifId == ifId) {
                    return b.chain;
                }
                slot = (slot + 1) & t.mask;
            }
        }

        private static int hash(long a, long b, long c, long d, int ifId) {
            long h = a * 0x9E3779B97F4A7C15L;
            h = (h ^ b) * 0xC2B2AE3D27D4EB4FL;
            h = (h ^ c) * 0x165667B19E3779F9L;
            h = (h ^ d ^ ((long) ifId << 32)) * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 29) ^ (h >>> 47));
        }
    }
}
