package io.netfence.net.spi;

/**
 * Told when a link goes away, after the packet path stopped using it: what hangs off a device
 * elsewhere (its tc qdiscs and filters, as on Linux) goes with it; and when one is added, so what
 * names a device (a tc mirred target, a flower indev) can resolve the name again. A whiteboard
 * service; called on the thread that changed the link, outside the dataplane's locks. Must not
 * throw (what it throws is logged and ignored) and must not add or delete links itself.
 */
public interface LinkListener {
    /** Link {@code name}, which had ifindex {@code index}, no longer exists. */
    void linkRemoved(String name, int index);

    /** Link {@code name} now exists with ifindex {@code index} (a name used before gets a new index). */
    default void linkAdded(String name, int index) {
    }
}
