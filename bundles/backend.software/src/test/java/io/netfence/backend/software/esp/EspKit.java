package io.netfence.backend.software.esp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.crypto.EspTransform;
import io.netfence.packet.Bytes;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.FlowKey;
import io.netfence.packet.IpAddress;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.xfrm.api.OutboundSequence;
import io.netfence.xfrm.api.ReplayWindow;
import io.netfence.xfrm.api.XfrmMode;
import java.util.Arrays;
import java.util.SplittableRandom;

/** Runs packets through an {@link EspSa} the way the dataplane will: headroom in front, the dissector's offsets. */
final class EspKit {
    static final int HEADROOM = 256;
    static final IpAddress LOCAL4 = IpAddress.parse("192.0.2.1");
    static final IpAddress REMOTE4 = IpAddress.parse("192.0.2.2");
    static final IpAddress LOCAL6 = IpAddress.parse("2001:db8::1");
    static final IpAddress REMOTE6 = IpAddress.parse("2001:db8::2");

    private EspKit() {
    }

    /** What is inside: the packet ESP protects. */
    enum Inner {
        V4, V4_OPTIONS, V6, V6_DESTINATION_OPTIONS, V6_ROUTED
    }

    /** Mode, outer family and inner packet. */
    enum Topology {
        TUNNEL_4_IN_4(XfrmMode.TUNNEL, 4, Inner.V4, 0),
        TUNNEL_6_IN_6(XfrmMode.TUNNEL, 6, Inner.V6, 0),
        TUNNEL_4_IN_6(XfrmMode.TUNNEL, 6, Inner.V4, 0),
        TUNNEL_6_IN_4(XfrmMode.TUNNEL, 4, Inner.V6, 0),
        TRANSPORT_4(XfrmMode.TRANSPORT, 4, Inner.V4, 0),
        TRANSPORT_4_OPTIONS(XfrmMode.TRANSPORT, 4, Inner.V4_OPTIONS, 0),
        /** Destination options with no routing header stay in front of ESP. */
        TRANSPORT_6_DESTINATION_OPTIONS(XfrmMode.TRANSPORT, 6, Inner.V6_DESTINATION_OPTIONS, 0),
        /** Hop-by-hop and routing stay in front; destination options behind a routing header are encrypted. */
        TRANSPORT_6_ROUTED(XfrmMode.TRANSPORT, 6, Inner.V6_ROUTED, 0),
        UDP_4_IN_4(XfrmMode.TUNNEL, 4, Inner.V4, 4500),
        UDP_6_IN_6(XfrmMode.TUNNEL, 6, Inner.V6, 4500),
        UDP_4_IN_6(XfrmMode.TUNNEL, 6, Inner.V4, 4500),
        UDP_TRANSPORT_4(XfrmMode.TRANSPORT, 4, Inner.V4, 4500),
        /** Not for scapy 2.5, which links the UDP header from the IPv6 header instead of the last extension header. */
        UDP_TRANSPORT_6(XfrmMode.TRANSPORT, 6, Inner.V6_ROUTED, 4500);

        final XfrmMode mode;
        final int family;
        final Inner inner;
        final int natt;
        final boolean scapy;

        Topology(XfrmMode mode, int family, Inner inner, int natt) {
            this.mode = mode;
            this.family = family;
            this.inner = inner;
            this.natt = natt;
            this.scapy = !(mode == XfrmMode.TRANSPORT && family == 6 && natt != 0);
        }

        boolean innerV4() {
            return inner == Inner.V4 || inner == Inner.V4_OPTIONS;
        }

        /** Outbound (from LOCAL to REMOTE) with {@code out}, else inbound. */
        EspSa sa(EspTransform t, int spi, OutboundSequence out, ReplayWindow in) {
            boolean v4 = family == 4;
            IpAddress local = out != null ? (v4 ? LOCAL4 : LOCAL6) : (v4 ? REMOTE4 : REMOTE6);
            IpAddress remote = out != null ? (v4 ? REMOTE4 : REMOTE6) : (v4 ? LOCAL4 : LOCAL6);
            EspSa sa = new EspSa(t, spi, mode, mode == XfrmMode.TUNNEL ? local : null, mode == XfrmMode.TUNNEL ? remote : null, out, in);
            return natt == 0 ? sa : sa.udpEncapsulation(natt, natt);
        }

        /** The packet to protect: in tunnel mode between hosts behind the gateways, in transport mode between the endpoints. */
        byte[] packet(int size, int seed) {
            byte[] payload = new byte[size];
            new SplittableRandom(seed).nextBytes(payload);
            boolean tunnel = mode == XfrmMode.TUNNEL;
            PacketBuilder p = PacketBuilder.ethernet(2, 1);
            if (innerV4()) {
                p.ipv4(tunnel ? "10.0.0.1" : "192.0.2.1", tunnel ? "10.0.1.1" : "192.0.2.2").id(seed).ttl(63);
                if (seed % 2 == 1) {
                    p.dontFragment();
                }
                if (inner == Inner.V4_OPTIONS) {
                    p.ipv4Options(new byte[] {1, 1, 1, 0}); // NOP NOP NOP EOL: a 24-byte header
                }
            } else {
                p.ipv6(tunnel ? "2001:db8:1::1" : "2001:db8::1", tunnel ? "2001:db8:2::1" : "2001:db8::2").flowLabel(0x12345 + seed).hopLimit(63);
                if (inner == Inner.V6_DESTINATION_OPTIONS) {
                    p.extensionHeader(Ipv6.DSTOPTS, 8);
                } else if (inner == Inner.V6_ROUTED) {
                    p.extensionHeader(Ipv6.HOPOPTS, 8).extensionHeader(Ipv6.ROUTING, 8).extensionHeader(Ipv6.DSTOPTS, 16);
                }
            }
            byte[] frame = p.tos(0x2A).udp(4000, 5000).payload(payload).build();
            return Arrays.copyOfRange(frame, 14, frame.length);
        }
    }

    /** The result of a decapsulation: the refusal code, or the offset and the packet cut out by its own length. */
    record Opened(int code, byte[] buffer, byte[] packet) {
    }

    /** {@code ip} (a whole IPv4/IPv6 packet) encapsulated; fails the test if refused. */
    static byte[] seal(EspSa sa, byte[] ip) {
        byte[] b = new byte[HEADROOM + ip.length + 64];
        System.arraycopy(ip, 0, b, HEADROOM, ip.length);
        int total = sa.encapsulate(b, HEADROOM, ip.length);
        assertTrue(total > 0, "encapsulate refused with " + total);
        assertTrue(total <= sa.overheadFront() + ip.length + sa.overheadBack(), "within the announced overhead");
        int start = HEADROOM - sa.overheadFront();
        return Arrays.copyOfRange(b, start, start + total);
    }

    /** Decapsulates {@code outer} at an odd offset, with the ESP (or UDP) offset the flow dissector finds. */
    static Opened open(EspSa sa, byte[] outer) {
        return open(sa, outer, espOffset(outer), outer.length);
    }

    static Opened open(EspSa sa, byte[] outer, int espOffset, int length) {
        int at = 37;
        byte[] b = new byte[at + outer.length + 16];
        System.arraycopy(outer, 0, b, at, outer.length);
        int r = sa.decapsulate(b, at, at + espOffset, length);
        if (r < 0) {
            return new Opened(r, b, null);
        }
        int len = (b[r] & 0xFF) >>> 4 == 4 ? Ipv4.totalLength(b, r) : Ipv6.HEADER_LEN + Ipv6.payloadLength(b, r);
        return new Opened(r, b, Arrays.copyOfRange(b, r, r + len));
    }

    /** What {@link FlowDissector} finds in an IP packet: the upper-layer protocol and its offset. */
    record Dissected(int protocol, int l4Offset) {
    }

    static Dissected dissect(byte[] ip) {
        PacketBuffer p = new PacketBuffer(ip.length + 14);
        byte[] frame = new byte[14 + ip.length];
        boolean v4 = (ip[0] & 0xF0) == 0x40;
        Bytes.put16(frame, 12, v4 ? FlowKey.ETH_P_IPV4 : FlowKey.ETH_P_IPV6);
        System.arraycopy(ip, 0, frame, 14, ip.length);
        p.load(frame, 0, frame.length);
        assertEquals(-1, FlowDissector.dissect(p), "the dissector accepts the packet");
        return new Dissected(p.key.ipProto, p.key.l4Offset - p.offset - 14);
    }

    /** Where the flow dissector puts the upper layer of this IP packet (ESP, or UDP for ESP in UDP). */
    static int espOffset(byte[] ip) {
        return dissect(ip).l4Offset();
    }
}
