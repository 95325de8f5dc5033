package io.netfence.net.spi;

import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.Map;

/**
 * An open port. The dataplane core keeps the counters; the device only moves frames.
 *
 * <p>Threading: {@link #receive} on one queue is only ever called by the one worker that owns the
 * queue; {@link #transmit} may be called by any worker at once and must be safe for that (a TAP
 * write is; a file writer must serialise). Neither may block for long nor allocate per packet.
 */
public interface PortDevice extends AutoCloseable {

    /** Number of RX queues this device actually has (may be fewer than asked). */
    int rxQueues();

    /**
     * Moves up to {@code batch.capacity() - batch.count()} received frames into the batch using
     * {@link PacketBatch#next()} and {@link PacketBatch#commit()}. Never blocks; returns how many were added.
     * A frame larger than the buffer is dropped by the device and counted in {@link #rxErrors()}.
     */
    int receive(int queue, PacketBatch batch);

    /**
     * Sends the frame {@code data[offset, offset+length)} of the buffer. Returns true if the device
     * took it (the buffer may be reused as soon as this returns), false if it was dropped (full, down).
     */
    boolean transmit(PacketBuffer packet);

    /** Frames the device itself discarded on receive (oversize, read errors). */
    default long rxErrors() {
        return 0;
    }

    /** Called when the link's admin state or MTU changes. */
    default void configure(boolean up, int mtu) {
    }

    /** Driver facts for {@code ip -d link} (file names, kernel interface name, rates...). */
    Map<String, String> details();

    /** For generators: true once the device will produce no more frames. */
    default boolean exhausted() {
        return false;
    }

    /**
     * False for a device that cannot send IP fragments (a UDP socket of the host, which builds
     * the IP header and fragments itself): the dataplane then drops a packet too big for the link
     * (mtu_exceeded, or xfrm_mtu for ESP) instead of fragmenting it.
     */
    default boolean sendsFragments() {
        return true;
    }

    /** Releases files, descriptors and threads. Idempotent. */
    /**
     * Non-zero for an xfrm interface ({@code type xfrm ... if_id N}): what is routed into it is
     * matched against the IPsec policies with this if_id and encrypted, never transmitted in clear.
     */
    default int xfrmIfId() {
        return 0;
    }

    @Override
    void close();
}
