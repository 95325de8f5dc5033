package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.SkbeditAction;

/** {@code skbedit mark M/MASK priority P}: the bits of MASK take M's; priority is replaced. */
final class SkbeditStep extends ActionStep {
    private final int mark;
    private final int markMask;
    private final boolean setPriority;
    private final int priority;

    SkbeditStep(Counters counters, SkbeditAction a) {
        super(counters, a.control());
        this.mark = (int) a.mark();
        this.markMask = (int) a.markMask();
        this.setPriority = a.priority() >= 0;
        this.priority = (int) a.priority();
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        if (markMask != 0) {
            p.mark = (p.mark & ~markMask) | (mark & markMask);
        }
        if (setPriority) {
            p.priority = priority;
        }
        return control(ctx);
    }
}
