package io.netfence.backend.software.tc;

/** Device name to port index (the link's ifindex, as in {@code PacketBuffer.inPort/outPort}). */
@FunctionalInterface
public interface PortResolver {
    /** The index of device {@code dev}, or -1 when no such device exists. */
    int indexOf(String dev);
}
