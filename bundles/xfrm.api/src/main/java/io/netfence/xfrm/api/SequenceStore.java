package io.netfence.xfrm.api;

import java.util.function.LongConsumer;

/**
 * Durable high-water marks for sequence numbers. Outbound, so that after a crash an SA never sends
 * a number (and so, for the AEADs, a nonce) it may have sent before: an {@link OutboundSequence}
 * only uses numbers up to a mark the store has confirmed is on stable storage, and asks for the
 * next block ahead of time, so the packet path does not wait for the disk. Inbound, so that an SA
 * restored after a restart refuses what it had already accepted (its replay window's top, stored
 * about once a second).
 */
public interface SequenceStore {
    /** The last mark stored for the SA (0 if none): every number above it is unused. */
    long load(String sa);

    /**
     * Asks for {@code mark} to be stored; {@code done} is called with it once it is on stable
     * storage (from the store's own thread, or at once).
     */
    void reserve(String sa, long mark, LongConsumer done);

    /**
     * Drops the mark stored under {@code sa}: {@link #load} returns 0 for it from now on, and no
     * {@link #reserve} of it made before this call writes it back. For an inbound window whose SA
     * was deleted, so that a new SA with the same name starts afresh. (Outbound marks are never
     * dropped: the same key may come back.) Does not wait for the disk.
     */
    default void forget(String sa) {
    }
}
