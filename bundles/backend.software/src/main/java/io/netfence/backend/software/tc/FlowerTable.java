package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A {@code flower} instance: its filters grouped by mask, one hash lookup per group, so the cost
 * grows with the number of distinct masks and not of filters. When filters of several groups
 * match, the lowest handle wins (Linux takes the first mask in the order masks were created, which
 * the model does not carry; the handle is the order tc shows filters in). Groups are visited by
 * their smallest handle, and the walk stops once no later group can hold a lower one.
 */
final class FlowerTable extends ClassifierInstance {
    private static final Comparator<FlowerMaskGroup> BY_MIN_HANDLE = Comparator.comparingLong(g -> g.minHandle);
    /** Replaced whole (copy on write) when a group comes, grows or moves in the order. */
    private volatile FlowerMaskGroup[] groups;

    FlowerTable(int prio, int protocol, List<FlowerMaskGroup> groups) {
        super(prio, protocol);
        FlowerMaskGroup[] sorted = groups.toArray(new FlowerMaskGroup[0]);
        Arrays.sort(sorted, BY_MIN_HANDLE);
        this.groups = sorted;
    }

    /**
     * Adds a filter without rebuilding the instance (control plane, under the provider's lock):
     * into the group of its mask, in place, or a new group. Workers classifying meanwhile see the
     * filter either not yet or completely.
     */
    void add(long[] mask, FlowerMaskGroup.Entry entry) {
        FlowerMaskGroup[] current = groups;
        for (int i = 0; i < current.length; i++) {
            if (Arrays.equals(current[i].fullMask(), mask)) {
                long minBefore = current[i].minHandle;
                FlowerMaskGroup g = current[i].add(entry);
                if (g != current[i] || g.minHandle != minBefore) {
                    FlowerMaskGroup[] next = current.clone();
                    next[i] = g;
                    Arrays.sort(next, BY_MIN_HANDLE);
                    groups = next;
                }
                return;
            }
        }
        FlowerMaskGroup[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = new FlowerMaskGroup(mask, List.of(entry));
        Arrays.sort(next, BY_MIN_HANDLE);
        groups = next;
    }

    @Override
    int classify(PacketBuffer p, ClassifyContext ctx) {
        FlowerMaskGroup[] groups = this.groups;
        long[] words = ctx.flowerWords(p);
        int srcPort = p.key.srcPort;
        int dstPort = p.key.dstPort;
        FlowerRule best = null;
        for (FlowerMaskGroup g : groups) {
            if (best != null && best.handle < g.minHandle) {
                break;
            }
            FlowerRule r = g.lookup(words, srcPort, dstPort);
            if (r != null && (best == null || r.handle < best.handle)) {
                best = r;
            }
        }
        return best == null ? Verdict.UNSPEC : best.filter.execute(p, ctx);
    }
}
