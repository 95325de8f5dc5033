package io.netfence.backend.software.tc;

import io.netfence.packet.FlowKey;
import io.netfence.packet.Icmp;
import io.netfence.packet.Icmpv6;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.Tcp;
import io.netfence.packet.Udp;
import io.netfence.tc.api.CsumAction;

/**
 * {@code csum iph|icmp|igmp|tcp|udp}: recomputes the named checksums the frame has, as Linux's
 * act_csum: lengths from the IP header (UDP: its own length field), a UDP/IPv4 checksum of 0
 * ("none") left alone, {@code icmp} covering ICMPv6 over IPv6. Fragments get only the IPv4 header
 * checksum: a transport checksum covers the whole datagram, which no fragment holds. An IPv4
 * header whose lengths do not fit the frame is dropped, as Linux drops what it cannot pull.
 * UDP-Lite and SCTP are refused by the provider.
 */
final class CsumStep extends ActionStep {
    private static final int PROTO_IGMP = 2;

    private final int flags;

    CsumStep(Counters counters, CsumAction a) {
        super(counters, a.control());
        this.flags = a.flags();
    }

    @Override
    int act(PacketBuffer p, ClassifyContext ctx) {
        ctx.refresh(p);
        if (FrameHeaders.isIpv4(p)) {
            if (!ipv4(p)) {
                return Verdict.SHOT;
            }
            ctx.edited();
        } else if (FrameHeaders.isIpv6(p)) {
            ipv6(p);
            ctx.edited();
        }
        return control(ctx);
    }

    private boolean ipv4(PacketBuffer p) {
        byte[] b = p.data;
        int l3 = p.key.l3Offset;
        int ihl = Ipv4.headerLength(b, l3);
        int total = Ipv4.totalLength(b, l3);
        if (ihl < Ipv4.MIN_HEADER_LEN || total < ihl || l3 + total > p.offset + p.length) {
            return false;
        }
        boolean fragment = (Ipv4.flagsFragment(b, l3) & (Ipv4.FLAG_MF | Ipv4.FRAGMENT_OFFSET_MASK)) != 0;
        if (!fragment) {
            int l4 = l3 + ihl;
            int len = total - ihl;
            switch (Ipv4.protocol(b, l3)) {
                case Tcp.PROTO -> {
                    if (has(CsumAction.TCP) && len >= Tcp.MIN_HEADER_LEN) {
                        Tcp.setChecksumV4(b, l3, l4, len);
                    }
                }
                case Udp.PROTO -> {
                    if (has(CsumAction.UDP) && len >= Udp.HEADER_LEN && Udp.checksum(b, l4) != 0) {
                        int ulen = Udp.length(b, l4);
                        if (ulen >= Udp.HEADER_LEN && ulen <= len) {
                            Udp.setChecksumV4(b, l3, l4, ulen);
                        }
                    }
                }
                case Ipv4.PROTO_ICMP -> {
                    if (has(CsumAction.ICMP) && len >= 4) {
                        Icmp.setChecksum(b, l4, len);
                    }
                }
                case PROTO_IGMP -> {
                    // IGMP's checksum is ICMP's: the plain Internet checksum of the message, at offset 2.
                    if (has(CsumAction.IGMP) && len >= 4) {
                        Icmp.setChecksum(b, l4, len);
                    }
                }
                default -> {
                }
            }
        }
        if (has(CsumAction.IPH)) {
            Ipv4.setChecksum(b, l3);
        }
        return true;
    }

    private void ipv6(PacketBuffer p) {
        FlowKey k = p.key;
        byte[] b = p.data;
        int l3 = k.l3Offset;
        int l4 = k.l4Offset;
        if (k.fragment || l4 < 0) {
            return;
        }
        int len = l3 + Ipv6.HEADER_LEN + Ipv6.payloadLength(b, l3) - l4;
        switch (k.ipProto) {
            case Tcp.PROTO -> {
                if (has(CsumAction.TCP) && len >= Tcp.MIN_HEADER_LEN) {
                    Tcp.setChecksumV6(b, l3, l4, len);
                }
            }
            case Udp.PROTO -> {
                int ulen = len >= Udp.HEADER_LEN ? Udp.length(b, l4) : 0;
                if (has(CsumAction.UDP) && ulen >= Udp.HEADER_LEN && ulen <= len) {
                    Udp.setChecksumV6(b, l3, l4, ulen);
                }
            }
            case Icmpv6.PROTO -> {
                if (has(CsumAction.ICMP) && len >= 4) {
                    Icmpv6.setChecksum(b, l3, l4, len);
                }
            }
            default -> {
            }
        }
    }

    private boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
