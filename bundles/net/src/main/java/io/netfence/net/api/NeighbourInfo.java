package io.netfence.net.api;

import io.netfence.packet.IpAddress;
import io.netfence.packet.MacAddress;

/** A neighbour cache entry. {@code mac} is null while INCOMPLETE or FAILED. */
public record NeighbourInfo(IpAddress address, String device, MacAddress mac, NeighbourState state,
                            long ageMillis, long queuedPackets) {
}
