package io.netfence.backend.software.tc;

import io.netfence.packet.FlowKey;
import io.netfence.packet.Ipv4;
import io.netfence.packet.PacketBuffer;

/**
 * Where the transport header of a frame is, for actions that edit it. IPv4 is read from the
 * header itself rather than the key: after a pedit of the IPv4 header and before its csum, the
 * dissector refuses the header checksum and leaves the transport offset unset.
 */
final class FrameHeaders {
    private FrameHeaders() {
    }

    static boolean isIpv4(PacketBuffer p) {
        FlowKey k = p.key;
        return k.ethType == FlowKey.ETH_P_IPV4 && k.l3Offset >= 0 && p.offset + p.length - k.l3Offset >= Ipv4.MIN_HEADER_LEN;
    }

    static boolean isIpv6(PacketBuffer p) {
        return p.key.ethType == FlowKey.ETH_P_IPV6 && p.key.ipVersion == 6;
    }

    /** The transport header's offset in {@code p.data}, -1 if there is none (not IP, a later fragment). */
    static int transportOffset(PacketBuffer p) {
        FlowKey k = p.key;
        if (isIpv4(p)) {
            int l3 = k.l3Offset;
            int ihl = Ipv4.headerLength(p.data, l3);
            if (ihl < Ipv4.MIN_HEADER_LEN || l3 + ihl > p.offset + p.length || Ipv4.fragmentOffset(p.data, l3) != 0) {
                return -1;
            }
            return l3 + ihl;
        }
        // The dissector sets no transport offset for a later IPv6 fragment.
        return isIpv6(p) ? k.l4Offset : -1;
    }

    /** The transport protocol number, -1 if not IP. */
    static int transportProtocol(PacketBuffer p) {
        if (isIpv4(p)) {
            return Ipv4.protocol(p.data, p.key.l3Offset);
        }
        return isIpv6(p) ? p.key.ipProto : -1;
    }
}
