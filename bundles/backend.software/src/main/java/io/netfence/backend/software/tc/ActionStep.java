package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.Control;

/**
 * One compiled action: immutable parameters plus references to the state it shares with every
 * filter binding the same action (counters, policer bucket...). {@link #run} counts the packet
 * (bytes as Linux's skb->len at this hook: see {@link ClassifyContext#countedLength}) and a
 * resulting drop; subclasses only act.
 */
abstract class ActionStep {
    final Counters counters;
    private final int code;
    private final int value;

    ActionStep(Counters counters, Control control) {
        this.counters = counters;
        this.code = Verdict.of(control);
        this.value = control.value();
    }

    final int run(PacketBuffer p, ClassifyContext ctx) {
        counters.hit(ctx.countedLength(p), ctx.nowMillis);
        int verdict = act(p, ctx);
        if (verdict == Verdict.SHOT) {
            counters.drop();
        }
        return verdict;
    }

    /** Does the action's work; returns a {@link Verdict}. */
    abstract int act(PacketBuffer p, ClassifyContext ctx);

    /** The action's configured control. */
    final int control(ClassifyContext ctx) {
        ctx.value = value;
        return code;
    }

    /** Another control (gact random, police conform/exceed). */
    static int control(ClassifyContext ctx, int code, int value) {
        ctx.value = value;
        return code;
    }
}
