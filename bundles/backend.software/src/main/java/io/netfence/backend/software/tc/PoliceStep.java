package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.PoliceAction;

/**
 * {@code police}: a packet within the rate gets the conform control; one over it (or longer than
 * {@code mtu}, when given) gets the exceed control and counts as an overlimit. Lengths are whole
 * frames (Linux counts ingress packets without their Ethernet header).
 */
final class PoliceStep extends ActionStep {
    private final PoliceBucket bucket;
    private final int mtu;
    private final int conformCode;
    private final int conformValue;
    private final int exceedCode;
    private final int exceedValue;

    PoliceStep(Counters counters, PoliceAction a, PoliceBucket bucket) {
        super(counters, a.exceed());
        this.bucket = bucket;
        this.mtu = a.mtu();
        this.conformCode = Verdict.of(a.conform());
        this.conformValue = a.conform().value();
        this.exceedCode = Verdict.of(a.exceed());
        this.exceedValue = a.exceed().value();
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        if ((mtu == 0 || p.length <= mtu) && bucket.conform(p.length, ctx.nowNanos)) {
            return control(ctx, conformCode, conformValue);
        }
        counters.overlimit();
        return control(ctx, exceedCode, exceedValue);
    }
}
