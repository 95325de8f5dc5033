package io.netfence.net.spi;

/**
 * For port drivers that pace themselves (generators, pcap replay): paces a producer to a packet rate on {@link System#nanoTime}. Tokens are kept in packet-nanoseconds
 * (one packet = 10^9) so that any integer rate is exact; the bucket holds ten milliseconds' worth
 * (at least one packet) so that a worker that was descheduled briefly still reaches the average rate.
 * Not thread-safe: one owner.
 */
public final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long rate;
    private final long capacity;
    private long tokens;
    private long last;

    /** A bucket for {@code packetsPerSecond} (0 gives nothing, ever) holding one packet to start. */
    public TokenBucket(long packetsPerSecond, long now) {
        if (packetsPerSecond < 0 || packetsPerSecond > NANOS_PER_SECOND) {
            throw new IllegalArgumentException("rate out of range: " + packetsPerSecond);
        }
        this.rate = packetsPerSecond;
        this.capacity = Math.max(1, packetsPerSecond / 100) * NANOS_PER_SECOND;
        this.tokens = packetsPerSecond == 0 ? 0 : NANOS_PER_SECOND;
        this.last = now;
    }

    /** Takes up to {@code wanted} packets' worth of tokens at time {@code now}; returns how many were granted. */
    public int take(int wanted, long now) {
        long elapsed = now - last;
        if (elapsed > 0 && rate > 0) {
            last = now;
            long room = capacity - tokens;
            // Compare before multiplying: a long pause times a high rate would overflow.
            tokens = elapsed >= room / rate + 1 ? capacity : Math.min(capacity, tokens + elapsed * rate);
        }
        long available = tokens / NANOS_PER_SECOND;
        int granted = (int) Math.min(wanted, available);
        tokens -= granted * NANOS_PER_SECOND;
        return granted;
    }

    /** Gives back tokens taken but not used. */
    public void refund(int packets) {
        tokens = Math.min(capacity, tokens + packets * NANOS_PER_SECOND);
    }
}
