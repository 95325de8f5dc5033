package io.netfence.backend.software.tc;

import io.netfence.tc.api.Action;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.CsumAction;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PeditAction;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.SampleAction;
import io.netfence.tc.api.SkbeditAction;
import io.netfence.tc.api.VlanAction;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * An installed action as the control plane keeps it, one per (kind, index): its description and
 * the state every filter binding it shares — counters, the policer's bucket, gact's determ count,
 * sample's picks. Counters survive a change of the description (tc actions replace keeps them);
 * the bucket starts full again when the police parameters change, as in Linux. Guarded by the
 * provider's lock; the packet path only sees the {@link ActionStep}s compiled from it.
 */
final class ActionState {
    final Counters counters = new Counters();
    /** Packets a sample action picked; null for other kinds (a state keeps its kind for life). */
    final LongAdder sampled;
    /** gact's packet count for random determ; null for other kinds. */
    private final AtomicLong determSequence;
    private Action action;
    private int targetPort = -1;
    private PoliceBucket bucket;
    /** police peakrate's bucket (mtu bytes deep), null without one. */
    private PoliceBucket peak;
    /** A sample action's psample group (set by the provider); null for other kinds. */
    PsampleRegistry.Ring sampleGroup;
    /** Filters binding this action. */
    int references;

    ActionState(Action action, int targetPort) {
        sampled = action instanceof SampleAction ? new LongAdder() : null;
        determSequence = action instanceof GactAction ? new AtomicLong() : null;
        update(action, targetPort);
    }

    Action action() {
        return action;
    }

    /** Takes a new description (and mirred target port); returns true if anything changed. */
    boolean update(Action a, int port) {
        if (a.equals(action) && port == targetPort) {
            return false;
        }
        action = a;
        targetPort = port;
        bucket = a instanceof PoliceAction p ? newBucket(p) : null;
        peak = a instanceof PoliceAction p && p.peakrateBytesPerSecond() > 0
                ? PoliceBucket.bytes(p.peakrateBytesPerSecond(), p.mtu(), System.nanoTime()) : null;
        return true;
    }

    private static PoliceBucket newBucket(PoliceAction p) {
        long now = System.nanoTime();
        return p.rateBytesPerSecond() > 0 ? PoliceBucket.bytes(p.rateBytesPerSecond(), p.burstBytes(), now)
                : PoliceBucket.packets(p.packetsPerSecond(), p.packetBurst(), now);
    }

    /** The step the packet path runs; shares this state's counters and runtime state. */
    ActionStep step() {
        return switch (action) {
            case GactAction g -> new GactStep(counters, g.control() == null ? Control.OK : g.control(), g, determSequence);
            case MirredAction m -> new MirredStep(counters, m, targetPort);
            case VlanAction v -> new VlanStep(counters, v);
            case PeditAction p -> new PeditStep(counters, p);
            case CsumAction c -> new CsumStep(counters, c);
            case SkbeditAction s -> new SkbeditStep(counters, s);
            case PoliceAction p -> new PoliceStep(counters, p, bucket, peak);
            case SampleAction s -> new SampleStep(counters, s, sampled, sampleGroup);
            default -> throw new IllegalStateException("action " + action.kind() + " cannot run in software");
        };
    }
}
