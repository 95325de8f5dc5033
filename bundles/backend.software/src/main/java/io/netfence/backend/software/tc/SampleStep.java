package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.SampleAction;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code sample rate N group G}: picks one packet in N at random, as Linux does. There is no
 * psample channel to deliver the copy to yet, so a picked packet is only counted (in the action's
 * {@code sampled} counter, next to its packets/bytes which, as in Linux, count every packet).
 */
final class SampleStep extends ActionStep {
    private final int rate;
    private final LongAdder sampled;

    SampleStep(Counters counters, SampleAction a, LongAdder sampled) {
        super(counters, a.control());
        this.rate = a.rate();
        this.sampled = sampled;
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        if (rate == 1 || ThreadLocalRandom.current().nextInt(rate) == 0) {
            sampled.increment();
        }
        return control(ctx);
    }
}
