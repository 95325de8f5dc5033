package io.netfence.net.spi;

import io.netfence.packet.PacketBuffer;

/**
 * What a {@link PacketStage} may ask of the packet path besides editing, dropping and redirecting
 * a packet to a port's egress ({@code outPort}): a copy sent somewhere else (tc's mirred mirror)
 * and a packet handed to another port's receive path (mirred ingress). What is asked happens after
 * the stage returns, in order. Each hop of such traffic nests one level deeper; beyond
 * {@link #MAX_NEST} levels (Linux's MIRRED_NEST_LIMIT) the request is refused, so mirrors that
 * point at each other can never spin a worker. Valid only during the {@code process} call it was
 * given to, on that thread; never allocates.
 */
public interface StageContext {
    int MAX_NEST = 4;

    /**
     * A copy of {@code p}, as it is now, leaves by {@code port}'s egress ({@code ingress} false) or
     * enters {@code port}'s receive path as if it had arrived there ({@code ingress} true: that
     * port's ingress stages see it, then local delivery or routing). False when it cannot be done
     * (no buffer free for the copy in this batch, or nested too deep): count it against whoever
     * asked; {@code p} itself is not touched.
     */
    boolean mirror(PacketBuffer p, int port, boolean ingress);

    /**
     * {@code p} itself enters {@code port}'s receive path instead of going on from here. False when
     * nested too deep; then drop it.
     */
    boolean redirectIngress(PacketBuffer p, int port);
}
