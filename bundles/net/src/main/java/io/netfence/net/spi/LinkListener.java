package io.netfence.net.spi;

/**
 * Told when a link goes away, after the packet path stopped using it: what hangs off a device
 * elsewhere (its tc qdiscs and filters, as on Linux) goes with it. A whiteboard service; called on
 * the thread that deleted the link, outside the dataplane's locks. Must not throw (what it throws
 * is logged and ignored) and must not delete links itself.
 */
public interface LinkListener {
    /** Link {@code name}, which had ifindex {@code index}, no longer exists. */
    void linkRemoved(String name, int index);
}
