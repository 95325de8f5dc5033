package io.netfence.xfrm.api;

/** How ESP wraps a packet: {@code mode transport} (after the IP header) or {@code mode tunnel} (a new outer header). */
public enum XfrmMode {
    TRANSPORT, TUNNEL;

    /** The iproute2 word. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
