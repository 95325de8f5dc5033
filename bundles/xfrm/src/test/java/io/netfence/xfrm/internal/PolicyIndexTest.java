package io.netfence.xfrm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.FlowKey;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tuple-space policy index against the obvious linear scan, on random policies and packets. */
class PolicyIndexTest {

    static PolicyEntry entry(long seq, int src, int srcLen, int dst, int dstLen, int proto, int dport, int priority, int ifId) {
        Selector s = new Selector(new IpPrefix(IpAddress.v4(src).mask(srcLen), srcLen), new IpPrefix(IpAddress.v4(dst).mask(dstLen), dstLen),
                proto, 0, 0, dport, dport == 0 ? 0 : 0xFFFF, null);
        return new PolicyEntry(new XfrmPolicy(s, XfrmDirection.OUT, priority, XfrmPolicy.Action.ALLOW, 0, List.of(), ifId, Mark.NONE,
                Lifetime.NONE, null), seq, 0);
    }

    static PolicyEntry linear(List<PolicyEntry> all, FlowKey k, int ifId) {
        PolicyEntry best = null;
        for (PolicyEntry p : all) {
            if (p.policy.ifId() == ifId && p.match.matches(k) && (best == null || p.betterThan(best))) {
                best = p;
            }
        }
        return best;
    }

    static FlowKey key(int src, int dst, int proto, int dport) {
        FlowKey k = new FlowKey();
        k.ipVersion = 4;
        k.ipv4Src = src;
        k.ipv4Dst = dst;
        k.ipProto = proto;
        k.dstPort = dport;
        return k;
    }

    @Test
    void agreesWithALinearScan() {
        Random r = new Random(7);
        int[] lengths = {0, 8, 16, 24, 32};
        List<PolicyEntry> all = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            // Addresses from a small space so that random packets do hit policies.
            int src = 0x0A000000 | r.nextInt(4) << 16 | r.nextInt(4) << 8 | r.nextInt(4);
            int dst = 0x0A000000 | r.nextInt(4) << 16 | r.nextInt(4) << 8 | r.nextInt(4);
            all.add(entry(i, src, lengths[r.nextInt(5)], dst, lengths[r.nextInt(5)], r.nextBoolean() ? 0 : 17,
                    r.nextInt(4) == 0 ? 53 : 0, r.nextInt(8), r.nextInt(10) == 0 ? 7 : 0));
        }
        PolicyIndex index = new PolicyIndex(all);
        assertTrue(index.groupCount() <= 25, "groups are prefix-length pairs");
        int hits = 0;
        for (int i = 0; i < 20000; i++) {
            FlowKey k = key(0x0A000000 | r.nextInt(4) << 16 | r.nextInt(4) << 8 | r.nextInt(4),
                    0x0A000000 | r.nextInt(4) << 16 | r.nextInt(4) << 8 | r.nextInt(4), r.nextBoolean() ? 6 : 17, r.nextBoolean() ? 53 : 80);
            int ifId = r.nextInt(10) == 0 ? 7 : 0;
            PolicyEntry want = linear(all, k, ifId);
            assertSame(want, index.lookup(k, 0, ifId));
            hits += want == null ? 0 : 1;
        }
        assertTrue(hits > 10000, "the test exercises matches, not just misses: " + hits);
    }

    @Test
    void aHundredThousandPoliciesStayInAFewGroups() {
        List<PolicyEntry> all = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            all.add(entry(i, 0x0A000000 + i, 32, 0x14000000 + i, 32, 0, 0, 10, 0));
        }
        all.add(entry(100_000, 0x0A000000, 8, 0x14000000, 8, 0, 0, 20, 0));
        PolicyIndex index = new PolicyIndex(all);
        assertEquals(2, index.groupCount());
        assertSame(all.get(54_321), index.lookup(key(0x0A000000 + 54_321, 0x14000000 + 54_321, 17, 1), 0, 0));
        assertSame(all.get(100_000), index.lookup(key(0x0A000000 + 5, 0x14000000 + 6, 17, 1), 0, 0));
    }

    @Test
    void changedInPlaceItAgreesWithALinearScan() {
        Random r = new Random(11);
        int[] lengths = {0, 8, 16, 24, 32};
        List<PolicyEntry> all = new ArrayList<>();
        PolicyIndex index = new PolicyIndex();
        long seq = 0;
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 100; i++) {
                int op = r.nextInt(10);
                if (op < 6 || all.isEmpty()) {
                    int src = 0x0A000000 | r.nextInt(4) << 16 | r.nextInt(4) << 8 | r.nextInt(4);
                    int dst = 0x0A000000 | r.nextInt(4) << 16 | r.nextInt(4) << 8 | r.nextInt(4);
                    PolicyEntry p = entry(seq++, src, lengths[r.nextInt(5)], dst, lengths[r.nextInt(5)], r.nextBoolean() ? 0 : 17,
                            r.nextInt(4) == 0 ? 53 : 0, r.nextInt(8), r.nextInt(10) == 0 ? 7 : 0);
                    all.add(p);
                    index.add(p);
                } else if (op < 9) {
                    index.remove(all.remove(r.nextInt(all.size())));
                } else {
                    // An update: same key and age, another priority.
                    int at = r.nextInt(all.size());
                    PolicyEntry was = all.get(at);
                    PolicyEntry now = new PolicyEntry(new XfrmPolicy(was.policy.selector(), XfrmDirection.OUT, r.nextInt(8),
                            XfrmPolicy.Action.ALLOW, 0, List.of(), was.policy.ifId(), Mark.NONE, Lifetime.NONE, null), was.seq, 0);
                    all.set(at, now);
                    index.replace(was, now);
                }
            }
            assertEquals(all.size(), index.size());
            for (int i = 0; i < 500; i++) {
                FlowKey k = key(0x0A000000 | r.nextInt(4) << 16 | r.nextInt(4) << 8 | r.nextInt(4),
                        0x0A000000 | r.nextInt(4) << 16 | r.nextInt(4) << 8 | r.nextInt(4), r.nextBoolean() ? 6 : 17, r.nextBoolean() ? 53 : 80);
                int ifId = r.nextInt(10) == 0 ? 7 : 0;
                assertSame(linear(all, k, ifId), index.lookup(k, 0, ifId), "round " + round);
            }
        }
        while (!all.isEmpty()) {
            index.remove(all.removeLast());
        }
        assertEquals(0, index.size());
        assertEquals(0, index.groupCount(), "an empty shape is dropped");
        assertEquals(null, index.lookup(key(0x0A000000, 0x0A000000, 17, 53), 0, 0));
    }

    @Test
    void aHundredThousandAddsOneByOneTakeLinearTime() {
        PolicyIndex index = new PolicyIndex();
        List<PolicyEntry> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            PolicyEntry p = entry(i, 0x0A000000 + i, 32, 0x14000000, 16, 0, 0, 10, 0);
            all.add(p);
            index.add(p);
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        // A rebuild per add (the old way) takes minutes here; in place it is well under a second.
        assertTrue(millis < 10_000, "100k adds took " + millis + " ms");
        assertSame(all.get(77_777), index.lookup(key(0x0A000000 + 77_777, 0x14000005, 17, 1), 0, 0));
        for (int i = 0; i < 100_000; i += 2) {
            index.remove(all.get(i));
        }
        assertEquals(null, index.lookup(key(0x0A000000 + 77_776, 0x14000005, 17, 1), 0, 0));
        assertSame(all.get(77_777), index.lookup(key(0x0A000000 + 77_777, 0x14000005, 17, 1), 0, 0));
    }
}
