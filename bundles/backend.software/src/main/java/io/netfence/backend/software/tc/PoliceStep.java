package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.PoliceAction;

/**
 * {@code police}: a packet within the rate gets the conform control; one over it (or longer than
 * {@code mtu}, when given) gets the exceed control and counts as an overlimit. With
 * {@code peakrate} a second bucket, {@code mtu} bytes deep, must hold the packet too (the kernel's
 * act_police takes from both or neither). Lengths are Linux's skb->len at the hook: without the
 * Ethernet header at ingress and on xfrm interfaces, with it at a port's egress.
 */
final class PoliceStep extends ActionStep {
    private final PoliceBucket bucket;
    /** Null without peakrate. */
    private final PoliceBucket peak;
    private final int mtu;
    private final int conformCode;
    private final int conformValue;
    private final int exceedCode;
    private final int exceedValue;

    PoliceStep(Counters counters, PoliceAction a, PoliceBucket bucket, PoliceBucket peak) {
        super(counters, a.exceed());
        this.bucket = bucket;
        this.peak = peak;
        this.mtu = a.mtu();
        this.conformCode = Verdict.of(a.conform());
        this.conformValue = a.conform().value();
        this.exceedCode = Verdict.of(a.exceed());
        this.exceedValue = a.exceed().value();
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        int length = ctx.countedLength(p);
        if ((mtu == 0 || length <= mtu) && (peak == null || peak.conform(length, ctx.nowNanos))) {
            if (bucket.conform(length, ctx.nowNanos)) {
                return control(ctx, conformCode, conformValue);
            }
            if (peak != null) {
                // Over the rate: the peak bucket's tokens go back, as the kernel takes from neither.
                peak.refund(length);
            }
        }
        counters.overlimit();
        return control(ctx, exceedCode, exceedValue);
    }
}
