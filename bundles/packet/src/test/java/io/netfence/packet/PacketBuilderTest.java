package io.netfence.packet;

import static io.netfence.packet.Frames.reason;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PacketBuilderTest {
    private final PacketBuffer p = new PacketBuffer(4096);

    @Test
    void exampleFromTheContract() {
        byte[] payload = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] f = PacketBuilder.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01")
                .ipv4("10.0.0.1", "10.0.0.2").ttl(64).udp(1234, 5678).payload(payload).build();
        assertEquals(14 + 20 + 8 + 5, f.length);
        assertEquals(0x0200_0000_0002L, Ethernet.dst(f, 0));
        assertEquals(0x0200_0000_0001L, Ethernet.src(f, 0));
        assertEquals(0x0800, Ethernet.type(f, 0));
        assertEquals(4, Ipv4.version(f, 14));
        assertEquals(20, Ipv4.headerLength(f, 14));
        assertEquals(33, Ipv4.totalLength(f, 14));
        assertEquals(64, Ipv4.ttl(f, 14));
        assertEquals(17, Ipv4.protocol(f, 14));
        assertTrue(Ipv4.checksumValid(f, 14));
        assertFalse(Ipv4.dontFragment(f, 14));
        assertEquals(IpAddress.parse("10.0.0.1").v4bits(), Ipv4.src(f, 14));
        assertEquals(13, Udp.length(f, 34));
        assertTrue(Udp.checksumValidV4(f, 14, 34, 13));
        assertTrue(Udp.checksum(f, 34) != 0);
        assertArrayEquals(payload, Arrays.copyOfRange(f, 42, 47));
    }

    @Test
    void sizePadsThePayload() {
        byte[] f = PacketBuilder.ethernet(1, 2).ipv4(1, 2).udp(1, 2).payload(new byte[] {7}).size(64).build();
        assertEquals(64, f.length);
        assertEquals(50, Ipv4.totalLength(f, 14));
        assertEquals(30, Udp.length(f, 34));
        assertEquals(7, f[42]);
        assertTrue(Udp.checksumValidV4(f, 14, 34, 30));
        byte[] g = PacketBuilder.ethernet(1, 2).ipv6(0, 1, 0, 2).tcp(1, 2, Tcp.SYN).size(1514).build();
        assertEquals(1514, g.length);
        assertEquals(1460, Ipv6.payloadLength(g, 14));
        assertTrue(Tcp.checksumValidV6(g, 14, 54, 1460));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).ipv4(1, 2).udp(1, 2).size(41).build());
    }

    @Test
    void invalidCombinationsAreRefusedWithAReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PacketBuilder.ethernet(1, 2).udp(1, 2).build());
        assertTrue(e.getMessage().contains("ipv4() or ipv6()"));
        assertThrows(IllegalStateException.class, () -> PacketBuilder.ethernet(1, 2).ipv6(0, 1, 0, 2).icmpEcho(1, 1).build());
        assertThrows(IllegalStateException.class, () -> PacketBuilder.ethernet(1, 2).ipv4(1, 2).icmpv6Echo(1, 1).build());
        assertThrows(IllegalStateException.class, () -> PacketBuilder.ethernet(1, 2).ipv4(1, 2).fragment(8, false, 1).udp(1, 2).build());
        assertThrows(IllegalStateException.class, () -> PacketBuilder.ethernet(1, 2).ipv4(1, 2).extensionHeader(Ipv6.DSTOPTS, 8));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).ipv6(0, 1, 0, 2).extensionHeader(Ipv6.DSTOPTS, 12));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).ipv6(0, 1, 0, 2).extensionHeader(17, 8));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).vlan(4096, 0));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).vlan(1, 8));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).ipv4(1, 2).fragment(4, true, 1));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).ipv4(1, 2).ttl(256));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).ipv4("::1", "10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> PacketBuilder.ethernet(1, 2).ipv4(1, 2).payload(new byte[65516]).build());
    }

    @Test
    void arpFields() {
        byte[] f = PacketBuilder.ethernet(MacAddress.BROADCAST.bits(), Frames.MAC_A).arpRequest(Frames.MAC_A, Frames.IP_A, Frames.IP_B).build();
        assertEquals(42, f.length);
        assertEquals(FlowKey.ETH_P_ARP, Ethernet.type(f, 0));
        assertTrue(Arp.isEthernetIpv4(f, 14));
        assertEquals(1, Arp.htype(f, 14));
        assertEquals(0x0800, Arp.ptype(f, 14));
        assertEquals(6, Arp.hlen(f, 14));
        assertEquals(4, Arp.plen(f, 14));
        assertEquals(Arp.OP_REQUEST, Arp.op(f, 14));
        assertEquals(Frames.MAC_A, Arp.senderMac(f, 14));
        assertEquals(Frames.IP_A, Arp.senderIp(f, 14));
        assertEquals(0, Arp.targetMac(f, 14));
        assertEquals(Frames.IP_B, Arp.targetIp(f, 14));
    }

    @Test
    void neighborDiscoveryMessagesCarryTheirOptions() {
        IpAddress target = IpAddress.parse("2001:db8::99");
        byte[] ns = PacketBuilder.ethernet(0x3333_FF00_0099L, Frames.MAC_A)
                .ipv6("fe80::1", "ff02::1:ff00:99").neighborSolicit(target.hi(), target.lo(), Frames.MAC_A).build();
        int icmp = 54;
        int len = Ipv6.payloadLength(ns, 14);
        assertEquals(32, len);
        assertEquals(255, Ipv6.hopLimit(ns, 14));
        assertEquals(Icmpv6.TYPE_NEIGHBOR_SOLICIT, Icmpv6.type(ns, icmp));
        assertEquals(target.hi(), Icmpv6.targetHi(ns, icmp));
        assertEquals(target.lo(), Icmpv6.targetLo(ns, icmp));
        assertEquals(Frames.MAC_A, Icmpv6.linkLayerOption(ns, icmp, len, Icmpv6.SOURCE_LL_ADDR));
        assertEquals(-1, Icmpv6.linkLayerOption(ns, icmp, len, Icmpv6.TARGET_LL_ADDR));
        assertTrue(Icmpv6.checksumValid(ns, 14, icmp, len));

        byte[] na = PacketBuilder.ethernet(Frames.MAC_A, Frames.MAC_B).ipv6("2001:db8::99", "fe80::1")
                .neighborAdvert(target.hi(), target.lo(), Icmpv6.NA_FLAG_SOLICITED | Icmpv6.NA_FLAG_OVERRIDE, Frames.MAC_B).build();
        assertEquals(Icmpv6.NA_FLAG_SOLICITED | Icmpv6.NA_FLAG_OVERRIDE, Icmpv6.ndFlags(na, icmp));
        assertEquals(Frames.MAC_B, Icmpv6.linkLayerOption(na, icmp, 32, Icmpv6.TARGET_LL_ADDR));
        assertTrue(Icmpv6.checksumValid(na, 14, icmp, 32));

        byte[] bare = PacketBuilder.ethernet(1, 2).ipv6("::", "ff02::1:ff00:99").neighborSolicit(target.hi(), target.lo(), -1).build();
        assertEquals(24, Ipv6.payloadLength(bare, 14));
        assertEquals(-1, Icmpv6.linkLayerOption(bare, icmp, 24, Icmpv6.SOURCE_LL_ADDR));
    }

    @Test
    void headerFieldsAreWhereTheAccessorsLook() {
        byte[] f = PacketBuilder.ethernet(1, 2).ipv6(1, 2, 3, 4).tos(0xAB).flowLabel(0xFEDCB).hopLimit(9)
                .tcp(100, 200, Tcp.FIN | Tcp.URG).seq(0xDEADBEEF).ack(0x01020304).window(1000).build();
        assertEquals(6, Ipv6.version(f, 14));
        assertEquals(0xAB, Ipv6.trafficClass(f, 14));
        assertEquals(0xFEDCB, Ipv6.flowLabel(f, 14));
        assertEquals(9, Ipv6.hopLimit(f, 14));
        assertEquals(Ipv6.TCP, Ipv6.nextHeader(f, 14));
        assertEquals(1, Ipv6.srcHi(f, 14));
        assertEquals(2, Ipv6.srcLo(f, 14));
        assertEquals(3, Ipv6.dstHi(f, 14));
        assertEquals(4, Ipv6.dstLo(f, 14));
        assertEquals(100, Tcp.srcPort(f, 54));
        assertEquals(200, Tcp.dstPort(f, 54));
        assertEquals(0xDEADBEEF, Tcp.seq(f, 54));
        assertEquals(0x01020304, Tcp.ack(f, 54));
        assertEquals(20, Tcp.dataOffset(f, 54));
        assertEquals(Tcp.FIN | Tcp.URG, Tcp.flags(f, 54));
        assertEquals(1000, Tcp.window(f, 54));
        assertEquals(0, Tcp.urgentPointer(f, 54));
        Ipv6.decrementHopLimit(f, 14);
        assertEquals(8, Ipv6.hopLimit(f, 14));
        Ipv6.setTrafficClass(f, 14, 0x12);
        assertEquals(0x12, Ipv6.trafficClass(f, 14));
        assertEquals(0xFEDCB, Ipv6.flowLabel(f, 14));
        assertEquals(6, Ipv6.version(f, 14));

        byte[] e = PacketBuilder.ethernet(1, 2).ipv4(1, 2).id(0x4321).esp(0xAABBCCDD, 0x80000001).build();
        assertEquals(0xAABBCCDD, Esp.spi(e, 34));
        assertEquals(0x80000001, Esp.seq(e, 34));
        assertEquals(0x4321, Ipv4.id(e, 14));

        byte[] i = PacketBuilder.ethernet(1, 2).ipv4(1, 2).icmpEcho(0x1111, 0x2222).build();
        assertEquals(Icmp.TYPE_ECHO_REQUEST, Icmp.type(i, 34));
        assertEquals(0, Icmp.code(i, 34));
        assertEquals(0x1111, Icmp.echoId(i, 34));
        assertEquals(0x2222, Icmp.echoSeq(i, 34));
        assertTrue(Icmp.checksumValid(i, 34, 8));

        byte[] fr = PacketBuilder.ethernet(1, 2).ipv4(1, 2).dontFragment().fragment(2960, true, 9).protocol(17).build();
        assertEquals(2960, Ipv4.fragmentOffset(fr, 14));
        assertTrue(Ipv4.moreFragments(fr, 14));
        assertTrue(Ipv4.dontFragment(fr, 14));
        assertEquals(9, Ipv4.id(fr, 14));

        byte[] f6 = PacketBuilder.ethernet(1, 2).ipv6(0, 1, 0, 2).fragment(1232, true, 0x12345678).protocol(17).build();
        assertEquals(Ipv6.FRAGMENT, Ipv6.nextHeader(f6, 14));
        assertEquals(1232, Ipv6.fragmentOffset(f6, 54));
        assertTrue(Ipv6.moreFragments(f6, 54));
        assertEquals(0x12345678, Ipv6.fragmentId(f6, 54));
        assertEquals(17, Bytes.u8(f6, 54));
    }

    /** Random combinations: what is built is what the dissector reads back, with valid checksums. */
    @Test
    void randomRoundTrips() {
        SplittableRandom r = new SplittableRandom(2024);
        for (int i = 0; i < 5000; i++) {
            long dst = r.nextLong() & 0xFEFF_FFFF_FFFFL;
            long src = r.nextLong() & 0xFEFF_FFFF_FFFFL;
            PacketBuilder b = PacketBuilder.ethernet(dst, src);
            int tags = r.nextInt(3);
            int[] vids = {r.nextInt(4096), r.nextInt(4096)};
            int prio = r.nextInt(8);
            if (tags == 1) {
                b.vlan(vids[0], prio);
            } else if (tags == 2) {
                b.vlan(Vlan.TPID_8021AD, vids[0], prio).vlan(vids[1], 0);
            }
            boolean v6 = r.nextBoolean();
            int ttl = r.nextInt(256);
            int tos = r.nextInt(256);
            int s4 = r.nextInt() & 0x7FFF_FFFF, d4 = r.nextInt();
            long sh = r.nextLong() & 0x00FF_FFFF_FFFF_FFFFL, sl = r.nextLong(), dh = r.nextLong(), dl = r.nextLong();
            if (v6) {
                b.ipv6(sh, sl, dh, dl);
                int ext = r.nextInt(4);
                for (int e = 0; e < ext; e++) {
                    b.extensionHeader(e == 0 && r.nextBoolean() ? Ipv6.HOPOPTS : r.nextBoolean() ? Ipv6.DSTOPTS : Ipv6.ROUTING, 8 * (1 + r.nextInt(4)));
                }
            } else {
                b.ipv4(s4, d4);
            }
            b.ttl(ttl).tos(tos);
            int proto = r.nextInt(5);
            int sport = r.nextInt(65536), dport = r.nextInt(65536), flags = r.nextInt(0x200), spi = r.nextInt();
            switch (proto) {
                case 0 -> b.udp(sport, dport);
                case 1 -> b.tcp(sport, dport, flags);
                case 2 -> {
                    if (v6) {
                        b.icmpv6Echo(sport, dport);
                    } else {
                        b.icmpEcho(sport, dport);
                    }
                }
                case 3 -> b.esp(spi, 1);
                default -> b.protocol(253);
            }
            byte[] payload = new byte[r.nextInt(100)];
            for (int j = 0; j < payload.length; j++) {
                payload[j] = (byte) r.nextInt();
            }
            b.payload(payload);
            int size = -1;
            if (r.nextInt(4) == 0) {
                size = b.build().length + r.nextInt(1300);
                b.size(size);
            }
            byte[] f = b.build();
            if (size >= 0) {
                assertEquals(size, f.length);
            }
            int code = Frames.dissect(p, f);
            assertEquals(-1, code, () -> reason(code));
            FlowKey k = p.key;
            assertEquals(dst, k.ethDst);
            assertEquals(src, k.ethSrc);
            assertEquals(tags >= 1 ? vids[0] : -1, k.vlanId);
            assertEquals(tags >= 1 ? prio : 0, k.vlanPrio);
            assertEquals(tags == 2 ? vids[1] : -1, k.cvlanId);
            assertEquals(v6 ? 6 : 4, k.ipVersion);
            assertEquals(ttl, k.ttl);
            assertEquals(tos, k.tos);
            int l2 = 14 + 4 * tags;
            assertEquals(p.offset + l2, k.l3Offset);
            if (v6) {
                assertEquals(sh, k.ipv6SrcHi);
                assertEquals(sl, k.ipv6SrcLo);
                assertEquals(dh, k.ipv6DstHi);
                assertEquals(dl, k.ipv6DstLo);
                assertEquals(f.length - l2 - 40, Ipv6.payloadLength(f, l2));
            } else {
                assertEquals(s4, k.ipv4Src);
                assertEquals(d4, k.ipv4Dst);
                assertEquals(f.length - l2, Ipv4.totalLength(f, l2));
                assertTrue(Ipv4.checksumValid(f, l2));
            }
            int[] protos = {17, 6, v6 ? 58 : 1, 50, 253};
            assertEquals(protos[proto], k.ipProto);
            switch (proto) {
                case 0 -> {
                    assertEquals(sport, k.srcPort);
                    assertEquals(dport, k.dstPort);
                    assertEquals(f.length - (k.l4Offset - p.offset), Udp.length(p.data, k.l4Offset));
                }
                case 1 -> {
                    assertEquals(sport, k.srcPort);
                    assertEquals(dport, k.dstPort);
                    assertEquals(flags, k.tcpFlags);
                }
                case 2 -> {
                    assertEquals(v6 ? Icmpv6.TYPE_ECHO_REQUEST : Icmp.TYPE_ECHO_REQUEST, k.icmpType);
                    assertEquals(sport, Icmp.echoId(p.data, k.l4Offset));
                    assertEquals(dport, Icmp.echoSeq(p.data, k.l4Offset));
                }
                case 3 -> assertEquals(spi, k.espSpi);
                default -> assertEquals(k.l4Offset, k.payloadOffset);
            }
            assertArrayEquals(payload, Arrays.copyOfRange(p.data, k.payloadOffset, k.payloadOffset + payload.length));
            assertTrue(FlowDissector.l4ChecksumValid(p));
        }
    }

    @Test
    void buildIntoLoadsAtTheHeadroom() {
        PacketBuffer q = PacketBuilder.ethernet(1, 2).ipv4(1, 2).udp(1, 2).buildInto(new PacketBuffer(256));
        assertEquals(PacketBuffer.HEADROOM, q.offset);
        assertEquals(42, q.length);
        assertEquals(-1, FlowDissector.dissect(q));
    }
}
