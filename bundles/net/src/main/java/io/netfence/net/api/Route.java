package io.netfence.net.api;

import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;

/**
 * A route: {@code ip route add [TYPE] PREFIX [via GW] [dev DEV] [metric N] [src ADDR]}.
 * {@code gateway} is null for a connected route; {@code device} may be null when a gateway is given
 * (the device is then found from the connected routes). {@code protocol} is "kernel" for routes
 * the appliance makes from addresses, "static" for user routes, as iproute2 prints "proto".
 */
public record Route(RouteType type, IpPrefix prefix, IpAddress gateway, String device, int metric,
                    IpAddress preferredSource, String protocol) {
    public Route {
        prefix = prefix.network();
    }

    public static Route via(IpPrefix prefix, IpAddress gateway, String device) {
        return new Route(RouteType.UNICAST, prefix, gateway, device, 0, null, "static");
    }
}
