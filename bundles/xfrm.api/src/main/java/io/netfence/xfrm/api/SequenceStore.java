package io.netfence.xfrm.api;

import java.util.function.LongConsumer;

/**
 * Durable high-water marks for outbound sequence numbers, so that after a crash an SA never sends
 * a number (and so, for the AEADs, a nonce) it may have sent before. An {@link OutboundSequence}
 * only uses numbers up to a mark the store has confirmed is on stable storage, and asks for the
 * next block ahead of time, so the packet path does not wait for the disk.
 */
public interface SequenceStore {
    /** The last mark stored for the SA (0 if none): every number above it is unused. */
    long load(String sa);

    /**
     * Asks for {@code mark} to be stored; {@code done} is called with it once it is on stable
     * storage (from the store's own thread, or at once).
     */
    void reserve(String sa, long mark, LongConsumer done);
}
