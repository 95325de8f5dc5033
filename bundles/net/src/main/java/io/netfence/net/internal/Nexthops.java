package io.netfence.net.internal;

/**
 * The published next-hop table: what a FIB entry's next-hop id means. Columns of primitives,
 * immutable once published (the control plane builds a new copy when an id is added or reused).
 * {@code type} holds {@link io.netfence.net.api.RouteType} ordinals.
 */
final class Nexthops {
    static final int UNICAST = 0;
    static final int LOCAL = 1;
    static final int BLACKHOLE = 2;
    static final int UNREACHABLE = 3;
    static final int PROHIBIT = 4;

    static final Nexthops EMPTY = new Nexthops(new byte[0], new int[0], new boolean[0], new long[0], new long[0]);

    final byte[] type;
    /** Out port (ifindex); 0 for types without one. */
    final int[] port;
    final boolean[] hasGateway;
    /** Gateway: IPv4 in the low 32 bits of {@code gatewayLo}; IPv6 as hi:lo. */
    final long[] gatewayHi;
    final long[] gatewayLo;

    Nexthops(byte[] type, int[] port, boolean[] hasGateway, long[] gatewayHi, long[] gatewayLo) {
        this.type = type;
        this.port = port;
        this.hasGateway = hasGateway;
        this.gatewayHi = gatewayHi;
        this.gatewayLo = gatewayLo;
    }

    int size() {
        return type.length;
    }
}
