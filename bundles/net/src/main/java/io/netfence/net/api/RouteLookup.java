package io.netfence.net.api;

import io.netfence.packet.IpAddress;

/** The answer of {@code ip route get ADDR}: the route chosen and the device and next hop it leads to. */
public record RouteLookup(IpAddress destination, Route route, String device, IpAddress nextHop,
                          IpAddress source) {
}
