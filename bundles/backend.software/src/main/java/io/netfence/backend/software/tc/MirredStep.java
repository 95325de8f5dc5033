package io.netfence.backend.software.tc;

import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.MirredAction;

/**
 * {@code mirred egress|ingress redirect|mirror dev DEV}. Egress redirect sets the packet's outPort:
 * at INGRESS the dataplane then skips routing and sends it to DEV's egress (an xfrm interface
 * encrypts it); at EGRESS it leaves through DEV's egress instead (DEV's egress stages run, an
 * xfrm interface encrypts it, one nesting level deeper). Ingress redirect hands the packet to DEV's
 * receive path, and mirror sends a copy (to DEV's egress or receive path), both through the
 * packet path's stage context. A copy or hand-over the path cannot make (no buffer free, nested
 * too deep: Linux's MIRRED_NEST_LIMIT) counts as an overlimit of the action, as in Linux; a
 * redirect that fails drops the packet. So does one whose device is gone (target -1), as Linux's
 * mirred once its device unregistered: the provider resolves the name again when links change.
 */
final class MirredStep extends ActionStep {
    private final int targetPort;
    private final boolean ingress;
    private final boolean redirect;

    MirredStep(Counters counters, MirredAction m, int targetPort) {
        // MirredAction already defaults the control (stolen for a redirect, pipe for a mirror).
        super(counters, m.control());
        this.targetPort = targetPort;
        this.ingress = m.ingress();
        this.redirect = m.redirect();
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        if (targetPort < 0) {
            counters.overlimit();
            return redirect ? control(ctx, Verdict.SHOT, 0) : control(ctx);
        }
        if (redirect && !ingress) {
            p.outPort = targetPort;
            ctx.redirected = true;
            return control(ctx);
        }
        if (redirect) {
            if (ctx.stage != null && ctx.stage.redirectIngress(p, targetPort)) {
                ctx.redirected = true;
                return control(ctx);
            }
            counters.overlimit();
            return control(ctx, Verdict.SHOT, 0);
        }
        if (ctx.stage == null || !ctx.stage.mirror(p, targetPort, ingress)) {
            counters.overlimit();
        }
        return control(ctx);
    }
}
