package io.netfence.xfrm.api;

/**
 * What an SA has counted (software and device together): traffic for its lifetimes, and inbound
 * drops by reason. {@code replayWindow}, {@code replay} and {@code integrityFailed} are the three
 * numbers of {@code ip -s xfrm state}'s "stats:" line; the rest are Netfence's own reasons.
 */
public record SaCounters(long bytes, long packets, long replayWindow, long replay, long integrityFailed,
                         long badTrailer, long badLength, long sequenceExhausted, long notDurable) {
    public static final SaCounters ZERO = new SaCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public SaCounters plus(SaCounters o) {
        return new SaCounters(bytes + o.bytes, packets + o.packets, replayWindow + o.replayWindow, replay + o.replay,
                integrityFailed + o.integrityFailed, badTrailer + o.badTrailer, badLength + o.badLength,
                sequenceExhausted + o.sequenceExhausted, notDurable + o.notDurable);
    }

    public long drops() {
        return replayWindow + replay + integrityFailed + badTrailer + badLength + sequenceExhausted + notDurable;
    }
}
