package io.netfence.xfrm.internal;

import io.netfence.packet.FlowKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The policies of one direction, for lookup by packet: tuple-space search. Policies are grouped
 * by (family, source prefix length, destination prefix length); each group hashes the masked
 * address pair to the policies with exactly those prefixes, best first. A lookup probes each group
 * once, so its cost grows with the number of distinct prefix-length pairs, not with the number of
 * policies. Immutable once built; built by the control plane, read by every worker.
 */
final class PolicyIndex {
    static final PolicyIndex EMPTY = new PolicyIndex(List.of());

    private final Group[] groups;
    private final int size;

    PolicyIndex(List<PolicyEntry> policies) {
        Map<Long, List<PolicyEntry>> byShape = new HashMap<>();
        for (PolicyEntry p : policies) {
            long shape = (long) p.match.family << 16 | p.match.srcLength << 8 | p.match.dstLength;
            byShape.computeIfAbsent(shape, k -> new ArrayList<>()).add(p);
        }
        List<Group> list = new ArrayList<>();
        for (List<PolicyEntry> members : byShape.values()) {
            list.add(new Group(members));
        }
        // Groups whose best policy is better are probed first, so a later group can often be skipped.
        list.sort((a, b) -> a.best.betterThan(b.best) ? -1 : b.best.betterThan(a.best) ? 1 : 0);
        this.groups = list.toArray(new Group[0]);
        this.size = policies.size();
    }

    int size() {
        return size;
    }

    int groupCount() {
        return groups.length;
    }

    /**
     * The best policy matching the packet with this mark and if_id, or null. Allocation-free.
     */
    PolicyEntry lookup(FlowKey k, int mark, int ifId) {
        PolicyEntry best = null;
        long sh = PacketMatch.srcHi(k);
        long sl = PacketMatch.srcLo(k);
        long dh = PacketMatch.dstHi(k);
        long dl = PacketMatch.dstLo(k);
        for (Group g : groups) {
            if (g.family != k.ipVersion) {
                continue;
            }
            if (best != null && !g.best.betterThan(best)) {
                // Groups are sorted by their best member: nothing further can win.
                break;
            }
            PolicyEntry[] chain = g.find(sh & g.srcMaskHi, sl & g.srcMaskLo, dh & g.dstMaskHi, dl & g.dstMaskLo);
            if (chain == null) {
                continue;
            }
            for (PolicyEntry p : chain) {
                if (best != null && !p.betterThan(best)) {
                    break;
                }
                if (p.policy.ifId() == ifId && p.policy.mark().matches(mark) && p.match.matchesUpperLayer(k)) {
                    best = p;
                    break;
                }
            }
        }
        return best;
    }

    /** Policies with the same prefix lengths, hashed by masked addresses (open addressing). */
    private static final class Group {
        final int family;
        final long srcMaskHi, srcMaskLo, dstMaskHi, dstMaskLo;
        final PolicyEntry best;
        final long[] keys;
        final PolicyEntry[][] chains;
        final int mask;

        Group(List<PolicyEntry> members) {
            PacketMatch m = members.getFirst().match;
            family = m.family;
            srcMaskHi = m.srcMaskHi;
            srcMaskLo = m.srcMaskLo;
            dstMaskHi = m.dstMaskHi;
            dstMaskLo = m.dstMaskLo;
            Comparator<PolicyEntry> order = (a, b) -> a.betterThan(b) ? -1 : b.betterThan(a) ? 1 : 0;
            Map<List<Long>, List<PolicyEntry>> byKey = new HashMap<>();
            for (PolicyEntry p : members) {
                byKey.computeIfAbsent(List.of(p.match.srcHi, p.match.srcLo, p.match.dstHi, p.match.dstLo), k -> new ArrayList<>()).add(p);
            }
            int cap = Integer.highestOneBit(Math.max(2, byKey.size() * 2 - 1)) << 1;
            mask = cap - 1;
            keys = new long[cap * 4];
            chains = new PolicyEntry[cap][];
            PolicyEntry top = null;
            for (Map.Entry<List<Long>, List<PolicyEntry>> e : byKey.entrySet()) {
                List<Long> k = e.getKey();
                List<PolicyEntry> chain = e.getValue();
                chain.sort(order);
                int slot = hash(k.get(0), k.get(1), k.get(2), k.get(3)) & mask;
                while (chains[slot] != null) {
                    slot = (slot + 1) & mask;
                }
                chains[slot] = chain.toArray(new PolicyEntry[0]);
                for (int i = 0; i < 4; i++) {
                    keys[slot * 4 + i] = k.get(i);
                }
                if (top == null || chain.getFirst().betterThan(top)) {
                    top = chain.getFirst();
                }
            }
            best = top;
        }

        PolicyEntry[] find(long sh, long sl, long dh, long dl) {
            int slot = hash(sh, sl, dh, dl) & mask;
            while (true) {
                PolicyEntry[] c = chains[slot];
                if (c == null) {
                    return null;
                }
                int o = slot * 4;
                if (keys[o] == sh && keys[o + 1] == sl && keys[o + 2] == dh && keys[o + 3] == dl) {
                    return c;
                }
                slot = (slot + 1) & mask;
            }
        }

        private static int hash(long a, long b, long c, long d) {
            long h = a * 0x9E3779B97F4A7C15L;
            h = (h ^ b) * 0xC2B2AE3D27D4EB4FL;
            h = (h ^ c) * 0x165667B19E3779F9L;
            h = (h ^ d) * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 29) ^ (h >>> 47));
        }
    }
}
