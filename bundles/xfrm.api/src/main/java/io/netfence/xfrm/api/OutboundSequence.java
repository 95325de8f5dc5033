package io.netfence.xfrm.api;

/**
 * Outbound sequence numbers of one SA. They start at 1 and never wrap (RFC 4303 section 3.3.3):
 * after 2^32 - 1 packets (2^64 - 2 with ESN) the SA is exhausted and must be replaced; since the
 * AEAD nonce is derived from the sequence number, this is also what keeps (key, nonce) unique.
 * Not thread-safe: callers that share an SA between threads take numbers under their own lock or
 * give each thread its own SA (RFC 9611).
 */
public final class OutboundSequence {
    /** {@link #next()} when no number is left. */
    public static final long EXHAUSTED = -1;

    private final boolean esn;
    private long last;

    public OutboundSequence(boolean esn, long last) {
        this.esn = esn;
        this.last = last;
    }

    /** The next sequence number, or {@link #EXHAUSTED}. */
    public long next() {
        // 2^64 - 1 (all ones) is not handed out: as a signed long it would read as EXHAUSTED.
        long limit = esn ? -2L : 0xFFFF_FFFFL;
        if (Long.compareUnsigned(last, limit) >= 0) {
            return EXHAUSTED;
        }
        return ++last;
    }

    /** The last number handed out (0 before the first). */
    public long last() {
        return last;
    }

    public boolean esn() {
        return esn;
    }
}
