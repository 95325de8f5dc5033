package io.netfence.net.api;

import io.netfence.packet.IpPrefix;

/** An address assigned to a link, as in {@code ip addr}. {@code scope} is "global", "link" or "host". */
public record AddressInfo(int linkIndex, String linkName, IpPrefix prefix, String scope) {
}
