package io.netfence.tc.api;

/**
 * {@code mirred egress|ingress redirect|mirror dev DEV}: sends the packet (redirect) or a copy of
 * it (mirror) to the egress of DEV, or into DEV's receive path (ingress). DEV may be any port,
 * xfrm interfaces included: a packet redirected to an xfrm interface's egress is protected by the
 * policies with that interface's if_id. Redirect ends classification ({@code stolen}); mirror
 * defaults to {@code pipe}.
 */
public record MirredAction(int index, Control control, boolean ingress, boolean redirect, String dev) implements Action {
    public MirredAction {
        if (dev == null || dev.isEmpty()) {
            throw new TcException("mirred: expected dev DEV");
        }
        if (control == null) {
            control = redirect ? Control.STOLEN : Control.PIPE;
        }
    }

    @Override
    public String kind() {
        return "mirred";
    }

    @Override
    public Action withIndex(int i) {
        return new MirredAction(i, control, ingress, redirect, dev);
    }

    /** As tc prints it: {@code Egress Redirect}, {@code Ingress Mirror}. */
    public String describe() {
        return (ingress ? "Ingress " : "Egress ") + (redirect ? "Redirect" : "Mirror");
    }
}
