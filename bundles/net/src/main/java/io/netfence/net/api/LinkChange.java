package io.netfence.net.api;

import io.netfence.packet.MacAddress;

/** {@code ip link set DEV [up|down] [mtu N] [address MAC]}: null fields are left as they are. */
public record LinkChange(Boolean up, Integer mtu, MacAddress mac) {
}
