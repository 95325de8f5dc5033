package io.netfence.tc.api;

/** {@code csum iph|icmp|tcp|udp [and ...]}: recomputes those checksums (after pedit). */
public record CsumAction(int index, Control control, int flags) implements Action {
    public static final int IPH = 1;
    public static final int ICMP = 2;
    public static final int IGMP = 4;
    public static final int TCP = 8;
    public static final int UDP = 16;
    public static final int UDPLITE = 32;
    public static final int SCTP = 64;

    public CsumAction {
        if (flags == 0 || (flags & ~127) != 0) {
            throw new TcException("csum: expected one or more of iph, icmp, igmp, tcp, udp, udplite, sctp");
        }
        if (control == null) {
            control = Control.OK;
        }
    }

    @Override
    public String kind() {
        return "csum";
    }

    @Override
    public Action withIndex(int i) {
        return new CsumAction(i, control, flags);
    }
}
