package io.netfence.xfrm.spi;

/** A policy as a packet-offload backend holds it. */
public interface OffloadedPolicy {
    /** Packets and bytes the device matched (added to the software counters for {@code ip -s xfrm policy}). */
    long devicePackets();

    long deviceBytes();
}
