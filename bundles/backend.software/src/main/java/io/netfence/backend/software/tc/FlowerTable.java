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
    private final FlowerMaskGroup[] groups;

    FlowerTable(int prio, int protocol, List<FlowerMaskGroup> groups) {
        super(prio, protocol);
        this.groups = groups.toArray(new FlowerMaskGroup[0]);
        Arrays.sort(this.groups, Comparator.comparingLong(g -> g.minHandle));
    }

    @Override
    int classify(PacketBuffer p, ClassifyContext ctx) {
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
