package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;

/** A filter as the packet path runs it: its handle (for ordering), its counters and its action steps. */
final class CompiledFilter {
    final long handle;
    private final Counters counters;
    private final ActionStep[] actions;

    CompiledFilter(long handle, Counters counters, ActionStep[] actions) {
        this.handle = handle;
        this.counters = counters;
        this.actions = actions;
    }

    /** The filter matched: counts it and runs its actions; returns their verdict. */
    int execute(PacketBuffer p, ClassifyContext ctx) {
        counters.hit(ctx.countedLength(p), ctx.nowMillis);
        int verdict = ActionRunner.run(actions, p, ctx);
        if (verdict == Verdict.SHOT) {
            counters.drop();
        }
        return verdict;
    }
}
