package io.netfence.net.spi;

/**
 * Where a {@link PacketStage} runs in the packet path (Linux order):
 * RX, INGRESS (tc ingress), local delivery or routing, EGRESS (tc egress), TX.
 */
public enum Hook {
    /** After a batch is received and dissected, before local delivery and routing. */
    INGRESS,
    /** After routing and neighbour resolution, just before transmit on the out port. */
    EGRESS
}
