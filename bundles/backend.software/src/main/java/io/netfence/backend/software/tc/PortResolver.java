package io.netfence.backend.software.tc;

/** Device name to port index (the link's ifindex, as in {@code PacketBuffer.inPort/outPort}). */
@FunctionalInterface
public interface PortResolver {
    /** The index of device {@code dev}, or -1 when no such device exists. */
    int indexOf(String dev);

    /**
     * Whether {@code dev}'s packets have no link-layer header in Linux (an xfrm interface is
     * ARPHRD_NONE): tc there counts from the IP header, so the frame's Ethernet header is not counted.
     */
    default boolean headerless(String dev) {
        return false;
    }
}
