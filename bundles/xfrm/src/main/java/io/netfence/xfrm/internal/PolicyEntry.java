package io.netfence.xfrm.internal;

import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.spi.OffloadedPolicy;
import io.netfence.xfrm.spi.XfrmOffloadProvider;
import java.util.concurrent.atomic.LongAdder;

/** A policy in the SPD: its configuration, compiled selector, age and counters. */
final class PolicyEntry {
    final XfrmPolicy policy;
    final PacketMatch match;
    /** Insertion order: among equal priorities the older policy wins, as on Linux. */
    final long seq;
    final long addTime;
    final LongAdder packets;
    final LongAdder bytes;
    /** The last use (Linux's use_time), to the housekeeping second. */
    volatile long useTime;
    /** The device backend holding the policy ({@code offload packet dev DEV}) and its handle, or null (set under the core's lock). */
    volatile XfrmOffloadProvider device;
    volatile OffloadedPolicy offloaded;
    /** When the last soft-expire event for a time limit went out (housekeeper only). */
    long softWarned;
    /** Per template, the SAs that may serve it (shared by the policies with the same template); set before the policy is published. */
    Candidates[] candidates = Candidates.NONE;

    PolicyEntry(XfrmPolicy policy, long seq, long addTime) {
        this(policy, seq, addTime, new LongAdder(), new LongAdder(), 0);
    }

    /** An updated policy keeps its place, age and counters. */
    PolicyEntry(XfrmPolicy policy, long seq, long addTime, LongAdder packets, LongAdder bytes, long useTime) {
        this.policy = policy;
        this.match = new PacketMatch(policy.selector());
        this.seq = seq;
        this.addTime = addTime;
        this.packets = packets;
        this.bytes = bytes;
        this.useTime = useTime;
    }

    /** Stamps a use; writes only when the second changed, so workers do not bounce the line on every packet. */
    void used(long now) {
        if (useTime != now) {
            useTime = now;
        }
    }

    /** Lookup order: lower priority value first, then older. */
    boolean betterThan(PolicyEntry o) {
        int a = policy.priority();
        int b = o.policy.priority();
        return a != b ? Integer.compareUnsigned(a, b) < 0 : seq < o.seq;
    }
}
