package io.netfence.xfrm.api;

import io.netfence.packet.IpAddress;

/**
 * {@code encap espinudp SPORT DPORT OADDR}: ESP in UDP (RFC 3948) for NAT traversal. The original
 * address is what a NAT in front of the peer rewrote (used for transport-mode checksums); Netfence
 * keeps it for display, as Linux does.
 */
public record Encap(int sourcePort, int destinationPort, IpAddress originalAddress) {
    public static final String TYPE = "espinudp";

    public Encap {
        if (sourcePort < 1 || sourcePort > 65535 || destinationPort < 1 || destinationPort > 65535) {
            throw new IllegalArgumentException("encap ports must be 1-65535");
        }
    }
}
