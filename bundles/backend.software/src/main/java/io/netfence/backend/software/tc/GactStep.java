package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.GactAction;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code gact}: returns its control, or with {@code random} the other control for every Nth
 * packet ({@code determ}, counted across every filter sharing the action, as Linux counts the
 * action's packets) or with probability 1/N ({@code netrand}).
 */
final class GactStep extends ActionStep {
    private final GactAction.RandomKind random;
    private final int randomCode;
    private final int randomValue;
    private final int every;
    private final AtomicLong sequence;

    GactStep(Counters counters, Control control, GactAction a, AtomicLong sequence) {
        super(counters, control);
        this.random = a.random();
        Control other = a.randomControl() == null ? control : a.randomControl();
        this.randomCode = Verdict.of(other);
        this.randomValue = other.value();
        this.every = Math.max(1, a.randomValue());
        this.sequence = sequence;
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        boolean other = switch (random) {
            case NONE -> false;
            case DETERM -> sequence.incrementAndGet() % every == 0;
            case NETRAND -> ThreadLocalRandom.current().nextInt(every) == 0;
        };
        return other ? control(ctx, randomCode, randomValue) : control(ctx);
    }
}
