package io.netfence.tc.api;

/**
 * Counters of a filter or an action: what {@code tc -s} prints as
 * {@code Sent B bytes P pkt (dropped D, overlimits O requeues 0)}; {@code lastUsedMillis} is the
 * wall-clock time of the last packet (0: never).
 */
public record TcStats(long bytes, long packets, long drops, long overlimits, long lastUsedMillis) {
    public static final TcStats ZERO = new TcStats(0, 0, 0, 0, 0);

    public TcStats plus(TcStats o) {
        return new TcStats(bytes + o.bytes, packets + o.packets, drops + o.drops, overlimits + o.overlimits,
                Math.max(lastUsedMillis, o.lastUsedMillis));
    }
}
