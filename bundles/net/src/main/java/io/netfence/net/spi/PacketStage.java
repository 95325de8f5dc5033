package io.netfence.net.spi;

import io.netfence.packet.PacketBatch;

/**
 * A step of the packet path attached to a {@link Hook}, registered as an OSGi service with the
 * properties {@value #HOOK_PROPERTY} (INGRESS or EGRESS) and {@value #ORDER_PROPERTY} (lower runs
 * first). tc and xfrm plug in here.
 *
 * <p>A stage sees whole batches, called by one worker thread at a time per batch (but by several
 * workers concurrently), and must not allocate per packet. It may drop a packet
 * ({@link io.netfence.packet.PacketBuffer#drop}), edit it in place, or redirect it by setting
 * {@code outPort}: at INGRESS a packet with {@code outPort >= 0} skips routing and goes straight
 * to that port's egress. Packets already dropped must be skipped. A stage that throws has the
 * batch's live packets dropped and counted (STAGE_DROP); the worker carries on.
 */
public interface PacketStage {
    String HOOK_PROPERTY = "netfence.hook";
    String ORDER_PROPERTY = "netfence.order";

    /** Short name shown by diagnostics. */
    String name();

    /**
     * Processes the live packets of a batch. For EGRESS hooks every packet in the batch has the same
     * {@code outPort} ({@code port} gives its index); at INGRESS {@code port} is the receiving port.
     */
    void process(PacketBatch batch, int port);

    /**
     * As {@link #process(PacketBatch, int)}, with the packet path's {@link StageContext} for
     * mirroring and ingress redirection. The dataplane calls this one; a stage that needs the
     * context overrides it.
     */
    default void process(PacketBatch batch, int port, StageContext context) {
        process(batch, port);
    }
}
