package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.Control;

/**
 * {@code mirred egress redirect dev DEV}: the packet leaves by DEV. At INGRESS the dataplane then
 * skips routing and sends it to DEV's egress; at EGRESS it goes to DEV instead of the port it was
 * routed to. The other mirred forms are refused by the provider (they need cloning or re-injection).
 */
final class MirredStep extends ActionStep {
    private final int targetPort;

    MirredStep(Counters counters, Control control, int targetPort) {
        super(counters, control);
        this.targetPort = targetPort;
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        p.outPort = targetPort;
        ctx.redirected = true;
        return control(ctx);
    }
}
