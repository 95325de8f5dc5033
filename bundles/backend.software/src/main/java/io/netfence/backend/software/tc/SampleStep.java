package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.SampleAction;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code sample rate N group G [trunc SIZE]}: picks one packet in N at random, as Linux does, and
 * hands a copy of it to psample group G ({@link PsampleRegistry.Ring}), like act_sample: the frame
 * from its link-layer header (pushed back at ingress, none on a headerless device), at most SIZE
 * bytes, with the input port, the output port (0 at ingress), the packet's length and the rate.
 * Picks are also counted in the action's {@code sampled} counter; its packets/bytes, as in Linux,
 * count every packet.
 */
final class SampleStep extends ActionStep {
    private final int rate;
    private final int truncate;
    private final LongAdder sampled;
    private final PsampleRegistry.Ring ring;

    SampleStep(Counters counters, SampleAction a, LongAdder sampled, PsampleRegistry.Ring ring) {
        super(counters, a.control());
        this.rate = a.rate();
        this.truncate = a.truncate() > 0 ? a.truncate() : Integer.MAX_VALUE;
        this.sampled = sampled;
        this.ring = ring;
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        if (rate == 1 || ThreadLocalRandom.current().nextInt(rate) == 0) {
            sampled.increment();
            if (ring != null) {
                int skip = ctx.fakeHeader;
                int origSize = Math.max(0, p.length - skip);
                int iif = ctx.ingress ? ctx.port : p.inPort;
                int oif = ctx.ingress ? 0 : ctx.port;
                ring.offer(p.data, p.offset + skip, Math.min(origSize, truncate), origSize, Math.max(0, iif), oif, rate,
                        ctx.nowMillis * 1_000_000L);
            }
        }
        return control(ctx);
    }
}
