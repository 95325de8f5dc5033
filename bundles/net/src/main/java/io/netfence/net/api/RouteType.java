package io.netfence.net.api;

/** Route types with the meaning iproute2 gives them. */
public enum RouteType {
    /** Forward: to a gateway, or directly to the destination on a connected link. */
    UNICAST,
    /** Delivered to this appliance (its own addresses). */
    LOCAL,
    /** Silently dropped. */
    BLACKHOLE,
    /** Dropped with ICMP destination unreachable (host unreachable). */
    UNREACHABLE,
    /** Dropped with ICMP destination unreachable (administratively prohibited). */
    PROHIBIT;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
