package io.netfence.packet;

import static io.netfence.packet.Frames.IP_A;
import static io.netfence.packet.Frames.IP_B;
import static io.netfence.packet.Frames.MAC_A;
import static io.netfence.packet.Frames.MAC_B;
import static io.netfence.packet.Frames.V6_A_HI;
import static io.netfence.packet.Frames.V6_A_LO;
import static io.netfence.packet.Frames.V6_B_HI;
import static io.netfence.packet.Frames.V6_B_LO;
import static io.netfence.packet.Frames.atEnd;
import static io.netfence.packet.Frames.reason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FlowDissectorTest {
    private final PacketBuffer p = new PacketBuffer(2048);

    private int dissect(byte[] frame) {
        return Frames.dissect(p, frame);
    }

    private void assertAccepted(byte[] frame) {
        int code = dissect(frame);
        assertEquals(-1, code, () -> "dropped as " + reason(code));
    }

    private void assertDropped(DropReason expected, byte[] frame) {
        int code = dissect(frame);
        assertEquals(expected.ordinal(), code, () -> "expected " + expected + " but got " + reason(code));
    }

    private static PacketBuilder eth() {
        return PacketBuilder.ethernet(MAC_B, MAC_A);
    }

    private static byte[] udp4() {
        return eth().ipv4(IP_A, IP_B).ttl(64).tos(0x10).udp(1234, 53).payload(new byte[] {1, 2, 3, 4}).build();
    }

    private static byte[] udp6() {
        return eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).udp(1234, 53).payload(new byte[] {1, 2, 3, 4}).build();
    }

    /** Re-sums the IPv4 header at 14 after a test changed a field. */
    private static byte[] fixIpv4(byte[] f) {
        Ipv4.setChecksum(f, 14);
        return f;
    }

    // ---- accepted packets, per protocol ----

    @Test
    void udpOverIpv4() {
        byte[] f = udp4();
        atEnd(p, f, f.length).inPort = 7;
        assertEquals(-1, FlowDissector.dissect(p));
        FlowKey k = p.key;
        int base = p.offset;
        assertEquals(7, k.inPort);
        assertEquals(MAC_B, k.ethDst);
        assertEquals(MAC_A, k.ethSrc);
        assertEquals(FlowKey.ETH_P_IPV4, k.ethType);
        assertEquals(-1, k.vlanId);
        assertEquals(-1, k.cvlanId);
        assertEquals(4, k.ipVersion);
        assertEquals(17, k.ipProto);
        assertEquals(IP_A, k.ipv4Src);
        assertEquals(IP_B, k.ipv4Dst);
        assertEquals(0x10, k.tos);
        assertEquals(64, k.ttl);
        assertEquals(1234, k.srcPort);
        assertEquals(53, k.dstPort);
        assertFalse(k.fragment);
        assertEquals(base, k.l2Offset);
        assertEquals(base + 14, k.l3Offset);
        assertEquals(base + 34, k.l4Offset);
        assertEquals(base + 42, k.payloadOffset);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void ethernetPaddingIsAllowedAndNotPartOfTheDatagram() {
        byte[] f = Arrays.copyOf(udp4(), 60);
        Arrays.fill(f, udp4().length, 60, (byte) 0x5A);
        assertAccepted(f);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void tcpOverIpv4WithOptionsAndAllFlags() {
        byte[] f = eth().ipv4(IP_A, IP_B).tcp(40000, 443, Tcp.SYN | Tcp.ACK | Tcp.NS).payload(new byte[8]).build();
        // Declare the first 4 payload bytes TCP options (NOP NOP NOP EOL): data offset 6.
        f[14 + 20 + 12] = (byte) ((6 << 4) | (f[14 + 20 + 12] & 1));
        f[54] = 1;
        f[55] = 1;
        f[56] = 1;
        Tcp.setChecksumV4(f, 14, 34, 28);
        assertAccepted(f);
        FlowKey k = p.key;
        assertEquals(6, k.ipProto);
        assertEquals(40000, k.srcPort);
        assertEquals(443, k.dstPort);
        assertEquals(Tcp.SYN | Tcp.ACK | Tcp.NS, k.tcpFlags);
        assertEquals(k.l4Offset + 24, k.payloadOffset);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void ipv4OptionsMoveTheTransportHeader() {
        byte[] f = eth().ipv4(IP_A, IP_B).ipv4Options(new byte[] {(byte) 0x94, 4, 0, 0}).udp(1, 2).build();
        assertAccepted(f);
        assertEquals(p.key.l3Offset + 24, p.key.l4Offset);
        assertEquals(1, p.key.srcPort);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void icmpEchoOverIpv4() {
        assertAccepted(eth().ipv4(IP_A, IP_B).icmpEcho(0x1234, 1).payload(new byte[56]).build());
        assertEquals(1, p.key.ipProto);
        assertEquals(Icmp.TYPE_ECHO_REQUEST, p.key.icmpType);
        assertEquals(0, p.key.icmpCode);
        assertEquals(p.key.l4Offset + 8, p.key.payloadOffset);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void capturedLinuxIcmpErrorsDissect() {
        assertAccepted(ChecksumTest.LINUX_ICMP_PORT_UNREACH);
        assertEquals(Icmp.TYPE_DEST_UNREACH, p.key.icmpType);
        assertEquals(Icmp.PORT_UNREACH, p.key.icmpCode);
        assertEquals(0x7F00_0001, p.key.ipv4Src);
        assertTrue(FlowDissector.l4ChecksumValid(p));
        assertAccepted(ChecksumTest.LINUX_ICMPV6_PORT_UNREACH);
        assertEquals(Icmpv6.TYPE_DEST_UNREACH, p.key.icmpType);
        assertEquals(Icmpv6.PORT_UNREACH, p.key.icmpCode);
        assertEquals(1, p.key.ipv6SrcLo);
        assertTrue(FlowDissector.l4ChecksumValid(p));
        assertAccepted(ChecksumTest.LINUX_ICMPV6_ECHO);
        assertEquals(Icmpv6.TYPE_ECHO_REQUEST, p.key.icmpType);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void espOverIpv4AndIpv6() {
        assertAccepted(eth().ipv4(IP_A, IP_B).esp(0xC0FFEE01, 7).payload(new byte[32]).build());
        assertEquals(50, p.key.ipProto);
        assertEquals(0xC0FFEE01, p.key.espSpi);
        assertEquals(p.key.l4Offset + 8, p.key.payloadOffset);
        assertTrue(FlowDissector.l4ChecksumValid(p));
        assertAccepted(eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).esp(0x80000000, 1).payload(new byte[32]).build());
        assertEquals(0x80000000, p.key.espSpi);
    }

    @Test
    void sctpPorts() {
        byte[] common = new byte[12];
        Bytes.put16(common, 0, 5000);
        Bytes.put16(common, 2, 6000);
        assertAccepted(eth().ipv4(IP_A, IP_B).protocol(132).payload(common).build());
        assertEquals(132, p.key.ipProto);
        assertEquals(5000, p.key.srcPort);
        assertEquals(6000, p.key.dstPort);
        assertDropped(DropReason.TRUNCATED_L4, eth().ipv4(IP_A, IP_B).protocol(132).payload(new byte[11]).build());
    }

    @Test
    void otherIpProtocolsAreAcceptedWithoutPorts() {
        assertAccepted(eth().ipv4(IP_A, IP_B).protocol(47).payload(new byte[4]).build());
        assertEquals(47, p.key.ipProto);
        assertEquals(0, p.key.srcPort);
        assertEquals(p.key.l4Offset, p.key.payloadOffset);
        // ICMPv6 over IPv4 is just an unknown protocol: no ICMP parsing, no ICMP length rule.
        assertAccepted(eth().ipv4(IP_A, IP_B).protocol(58).payload(new byte[1]).build());
        assertEquals(-1, p.key.icmpType);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void arpRequestAndReply() {
        assertAccepted(eth().arpRequest(MAC_A, IP_A, IP_B).build());
        FlowKey k = p.key;
        assertEquals(FlowKey.ETH_P_ARP, k.ethType);
        assertEquals(0, k.ipVersion);
        assertEquals(Arp.OP_REQUEST, k.ipProto);
        assertEquals(IP_A, k.ipv4Src);
        assertEquals(IP_B, k.ipv4Dst);
        assertAccepted(eth().arpReply(MAC_A, IP_A, MAC_B, IP_B).size(60).build());
        assertEquals(Arp.OP_REPLY, p.key.ipProto);
    }

    @Test
    void nonIpEtherTypesAreAccepted() {
        assertAccepted(eth().ethType(0x88CC).payload(new byte[46]).build());
        assertEquals(0x88CC, p.key.ethType);
        assertEquals(0, p.key.ipVersion);
        assertEquals(p.offset + 14, p.key.l3Offset);
        assertEquals(-1, p.key.l4Offset);
        assertTrue(FlowDissector.l4ChecksumValid(p));
        // Exactly an Ethernet header and nothing else.
        assertAccepted(eth().ethType(0x88B5).build());
    }

    @Test
    void singleVlanTag() {
        assertAccepted(eth().vlan(100, 5).ipv4(IP_A, IP_B).udp(1, 2).build());
        FlowKey k = p.key;
        assertEquals(100, k.vlanId);
        assertEquals(5, k.vlanPrio);
        assertEquals(-1, k.cvlanId);
        assertEquals(FlowKey.ETH_P_IPV4, k.ethType);
        assertEquals(p.offset + 18, k.l3Offset);
        assertEquals(1, k.srcPort);
    }

    @Test
    void qinqTags() {
        assertAccepted(eth().qinq(200, 4095).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).tcp(1, 2, Tcp.SYN).build());
        FlowKey k = p.key;
        assertEquals(200, k.vlanId);
        assertEquals(4095, k.cvlanId);
        assertEquals(FlowKey.ETH_P_IPV6, k.ethType);
        assertEquals(p.offset + 22, k.l3Offset);
        assertEquals(Tcp.SYN, k.tcpFlags);
        // Two 802.1Q tags (old-style stacking) are parsed the same way.
        assertAccepted(eth().vlan(1, 0).vlan(2, 0).ipv4(IP_A, IP_B).udp(1, 2).build());
        assertEquals(1, p.key.vlanId);
        assertEquals(2, p.key.cvlanId);
        assertEquals(4, p.key.ipVersion);
    }

    @Test
    void aThirdTagIsNotParsed() {
        assertAccepted(eth().vlan(1, 0).vlan(2, 0).vlan(3, 0).ipv4(IP_A, IP_B).build());
        assertEquals(FlowKey.ETH_P_8021Q, p.key.ethType);
        assertEquals(0, p.key.ipVersion);
    }

    @Test
    void udpOverIpv6() {
        assertAccepted(udp6());
        FlowKey k = p.key;
        assertEquals(6, k.ipVersion);
        assertEquals(17, k.ipProto);
        assertEquals(V6_A_HI, k.ipv6SrcHi);
        assertEquals(V6_A_LO, k.ipv6SrcLo);
        assertEquals(V6_B_HI, k.ipv6DstHi);
        assertEquals(V6_B_LO, k.ipv6DstLo);
        assertEquals(64, k.ttl);
        assertEquals(1234, k.srcPort);
        assertEquals(p.offset + 54, k.l4Offset);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void tcpOverIpv6ThroughEveryKindOfExtensionHeader() {
        byte[] f = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).tos(0xB8)
                .extensionHeader(Ipv6.HOPOPTS, 8)
                .extensionHeader(Ipv6.DSTOPTS, 16)
                .extensionHeader(Ipv6.ROUTING, 24)
                .authenticationHeader(0x1000, 1)
                .extensionHeader(Ipv6.DSTOPTS, 8)
                .tcp(1, 22, Tcp.ACK | Tcp.PSH).payload(new byte[10]).build();
        assertAccepted(f);
        FlowKey k = p.key;
        assertEquals(6, k.ipProto);
        assertEquals(0xB8, k.tos);
        assertEquals(p.offset + 54 + 8 + 16 + 24 + 24 + 8, k.l4Offset);
        assertEquals(22, k.dstPort);
        assertEquals(Tcp.ACK | Tcp.PSH, k.tcpFlags);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void eightExtensionHeadersAreTheLimit() {
        PacketBuilder b = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO);
        for (int i = 0; i < FlowDissector.MAX_IPV6_EXTENSION_HEADERS; i++) {
            b.extensionHeader(Ipv6.DSTOPTS, 8);
        }
        assertAccepted(b.udp(1, 2).build());
        assertEquals(17, p.key.ipProto);
        b.extensionHeader(Ipv6.DSTOPTS, 8);
        assertDropped(DropReason.IPV6_EXTENSION_HEADER_LIMIT, b.udp(1, 2).build());
    }

    @Test
    void extensionHeaderChainBombIsStopped() {
        // 1000 destination-options headers: the walk stops after the 8th.
        PacketBuilder b = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO);
        for (int i = 0; i < 1000; i++) {
            b.extensionHeader(i % 2 == 0 ? Ipv6.DSTOPTS : Ipv6.ROUTING, 8);
        }
        PacketBuffer big = new PacketBuffer(9000);
        byte[] f = b.udp(1, 2).build();
        assertEquals(DropReason.IPV6_EXTENSION_HEADER_LIMIT.ordinal(), Frames.dissect(big, f));
    }

    @Test
    void extensionHeaderClaimingALengthPastTheEnd() {
        byte[] f = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).extensionHeader(Ipv6.DSTOPTS, 8).udp(1, 2).build();
        f[54 + 1] = (byte) 255; // (255 + 1) * 8 bytes claimed
        assertDropped(DropReason.BAD_IPV6_EXTENSION_HEADER, f);
        f[54 + 1] = 2; // 24 bytes claimed, 16 present
        assertDropped(DropReason.BAD_IPV6_EXTENSION_HEADER, f);
        f[54 + 1] = 1; // 16 bytes: header + the UDP header; then no transport header is left
        assertDropped(DropReason.TRUNCATED_L4, f);
    }

    @Test
    void extensionHeaderPastThePayloadLengthEvenIfInTheFrame() {
        // The frame holds the header, but the IPv6 payload length says it is not part of the packet.
        byte[] f = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).extensionHeader(Ipv6.DSTOPTS, 8).udp(1, 2).build();
        Ipv6.setPayloadLength(f, 14, 4);
        assertDropped(DropReason.BAD_IPV6_EXTENSION_HEADER, f);
        Ipv6.setPayloadLength(f, 14, 8);
        assertDropped(DropReason.TRUNCATED_L4, f);
    }

    @Test
    void extensionHeaderTruncatedAtEveryLength() {
        byte[] f = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).extensionHeader(Ipv6.HOPOPTS, 16).build();
        for (int pl = 0; pl < 16; pl++) {
            Ipv6.setPayloadLength(f, 14, pl);
            assertDropped(DropReason.BAD_IPV6_EXTENSION_HEADER, Arrays.copyOf(f, 54 + pl));
        }
        Ipv6.setPayloadLength(f, 14, 16);
        assertAccepted(f);
        assertEquals(Ipv6.NONE, p.key.ipProto);
    }

    @Test
    void hopByHopOnlyFirst() {
        byte[] f = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO)
                .extensionHeader(Ipv6.DSTOPTS, 8).extensionHeader(Ipv6.HOPOPTS, 8).udp(1, 2).build();
        assertDropped(DropReason.BAD_IPV6_EXTENSION_HEADER, f);
    }

    @Test
    void authenticationHeaderShorterThanItsFixedPart() {
        byte[] f = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).authenticationHeader(1, 1).udp(1, 2).build();
        assertAccepted(f);
        f[54 + 1] = 0; // (0 + 2) * 4 = 8 bytes: less than next header, length, reserved, SPI and sequence
        assertDropped(DropReason.BAD_IPV6_EXTENSION_HEADER, f);
    }

    @Test
    void noNextHeader() {
        assertAccepted(eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).payload(new byte[3]).build());
        assertEquals(Ipv6.NONE, p.key.ipProto);
        assertEquals(-1, p.key.l4Offset);
        assertEquals(p.offset + 54, p.key.payloadOffset);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void icmpv6EchoAndNeighborSolicitation() {
        assertAccepted(eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).icmpv6Echo(9, 10).build());
        assertEquals(58, p.key.ipProto);
        assertEquals(Icmpv6.TYPE_ECHO_REQUEST, p.key.icmpType);
        assertTrue(FlowDissector.l4ChecksumValid(p));
        assertAccepted(eth().ipv6(V6_A_HI, V6_A_LO, 0xFF02_0000_0000_0000L, 0x0000_0001_FF00_0002L)
                .neighborSolicit(V6_B_HI, V6_B_LO, MAC_A).build());
        assertEquals(Icmpv6.TYPE_NEIGHBOR_SOLICIT, p.key.icmpType);
        assertEquals(255, p.key.ttl);
        assertTrue(FlowDissector.l4ChecksumValid(p));
        // ICMP (v4) over IPv6 is an unknown protocol there.
        assertAccepted(eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).protocol(1).payload(new byte[1]).build());
        assertEquals(-1, p.key.icmpType);
    }

    // ---- fragments ----

    @Test
    void ipv4FirstFragmentParsesPortsAndAllowsALongerUdpLength() {
        byte[] f = eth().ipv4(IP_A, IP_B).fragment(0, true, 77).udp(5000, 53).payload(new byte[16]).build();
        Bytes.put16(f, 34 + 4, 3000); // the whole datagram's length
        assertAccepted(f);
        assertTrue(p.key.fragment);
        assertTrue(p.key.firstFragment);
        assertEquals(5000, p.key.srcPort);
        assertFalse(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void ipv4LaterFragmentHasNoTransportHeader() {
        byte[] f = eth().ipv4(IP_A, IP_B).fragment(1480, false, 77).protocol(17).payload(new byte[3]).build();
        assertAccepted(f);
        FlowKey k = p.key;
        assertTrue(k.fragment);
        assertFalse(k.firstFragment);
        assertEquals(17, k.ipProto);
        assertEquals(-1, k.l4Offset);
        assertEquals(0, k.srcPort);
        assertEquals(p.offset + 34, k.payloadOffset);
        assertFalse(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void ipv4DontFragmentIsNotAFragment() {
        assertAccepted(eth().ipv4(IP_A, IP_B).dontFragment().udp(1, 2).build());
        assertFalse(p.key.fragment);
    }

    @Test
    void ipv6Fragments() {
        assertAccepted(eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).fragment(0, true, 5).udp(1, 2).payload(new byte[8]).build());
        assertTrue(p.key.fragment);
        assertTrue(p.key.firstFragment);
        assertEquals(17, p.key.ipProto);
        assertEquals(1, p.key.srcPort);
        assertAccepted(eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).fragment(8, false, 5).protocol(17).payload(new byte[2]).build());
        assertTrue(p.key.fragment);
        assertFalse(p.key.firstFragment);
        assertEquals(17, p.key.ipProto);
        assertEquals(-1, p.key.l4Offset);
        assertEquals(p.offset + 62, p.key.payloadOffset);
        // An atomic fragment (RFC 6946) is a whole packet.
        assertAccepted(eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).fragment(0, false, 5).udp(1, 2).build());
        assertFalse(p.key.fragment);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    // ---- every drop reason ----

    @Test
    void truncatedEthernetAtEveryLength() {
        byte[] f = udp4();
        for (int len = 0; len < 14; len++) {
            assertDropped(DropReason.TRUNCATED_ETHERNET, Arrays.copyOf(f, len));
        }
    }

    @Test
    void truncatedVlanAtEveryLength() {
        byte[] f = eth().qinq(10, 20).ipv4(IP_A, IP_B).udp(1, 2).build();
        for (int len = 14; len < 22; len++) {
            assertDropped(DropReason.TRUNCATED_VLAN, Arrays.copyOf(f, len));
        }
    }

    @Test
    void truncatedArpAtEveryLength() {
        byte[] f = eth().arpRequest(MAC_A, IP_A, IP_B).build();
        for (int len = 14; len < 42; len++) {
            assertDropped(DropReason.TRUNCATED_ARP, Arrays.copyOf(f, len));
        }
    }

    @Test
    void badArpFixedFields() {
        int[][] fields = {{0, 6}, {2, 0x86}, {4, 8}, {5, 16}}; // htype 6, ptype 0x86.., hlen 8, plen 16
        for (int[] fv : fields) {
            byte[] f = eth().arpRequest(MAC_A, IP_A, IP_B).build();
            f[14 + fv[0]] = (byte) fv[1];
            assertDropped(DropReason.BAD_ARP, f);
        }
    }

    @Test
    void truncatedIpv4AtEveryLength() {
        byte[] f = udp4();
        for (int len = 14; len < 34; len++) {
            assertDropped(DropReason.TRUNCATED_IPV4, Arrays.copyOf(f, len));
        }
        for (int len = 34; len < f.length; len++) {
            assertDropped(DropReason.BAD_IPV4_TOTAL_LENGTH, Arrays.copyOf(f, len));
        }
    }

    @Test
    void ipv4OptionsPastTheFrame() {
        byte[] f = udp4();
        f[14] = 0x4F; // 60-byte header claimed, 20 + 12 present
        assertDropped(DropReason.TRUNCATED_IPV4, f);
    }

    @Test
    void badIpVersion() {
        byte[] f = udp4();
        f[14] = 0x65;
        assertDropped(DropReason.BAD_IP_VERSION, fixIpv4(f));
        byte[] g = udp6();
        g[14] = 0x45;
        assertDropped(DropReason.BAD_IP_VERSION, g);
    }

    @Test
    void ihlBelowFive() {
        for (int ihl = 0; ihl < 5; ihl++) {
            byte[] f = udp4();
            f[14] = (byte) (0x40 | ihl);
            assertDropped(DropReason.BAD_IPV4_HEADER_LENGTH, f);
        }
    }

    @Test
    void ipv4TotalLengthThatLies() {
        byte[] f = udp4();
        Bytes.put16(f, 16, f.length - 14 + 1);
        assertDropped(DropReason.BAD_IPV4_TOTAL_LENGTH, fixIpv4(f));
        Bytes.put16(f, 16, 0xFFFF);
        assertDropped(DropReason.BAD_IPV4_TOTAL_LENGTH, fixIpv4(f));
        for (int total = 0; total < 20; total++) {
            Bytes.put16(f, 16, total);
            assertDropped(DropReason.BAD_IPV4_TOTAL_LENGTH, fixIpv4(f));
        }
        byte[] g = eth().ipv4(IP_A, IP_B).ipv4Options(new byte[8]).build();
        Bytes.put16(g, 16, 24); // shorter than its 28-byte header
        assertDropped(DropReason.BAD_IPV4_TOTAL_LENGTH, fixIpv4(g));
    }

    @Test
    void badIpv4Checksum() {
        byte[] f = udp4();
        f[22]--; // TTL changed, checksum not updated
        assertDropped(DropReason.BAD_IPV4_CHECKSUM, f);
        byte[] g = eth().ipv4(IP_A, IP_B).ipv4Options(new byte[] {1, 1, 1, 0}).udp(1, 2).build();
        g[34] = 7; // inside the options: covered by the checksum too
        assertDropped(DropReason.BAD_IPV4_CHECKSUM, g);
    }

    @Test
    void badIpv4SourceAddress() {
        assertDropped(DropReason.BAD_IPV4_ADDRESS, eth().ipv4(0xE000_0001, IP_B).udp(1, 2).build());
        assertDropped(DropReason.BAD_IPV4_ADDRESS, eth().ipv4(0xEFFF_FFFF, IP_B).udp(1, 2).build());
        assertDropped(DropReason.BAD_IPV4_ADDRESS, eth().ipv4(0xFFFF_FFFF, IP_B).udp(1, 2).build());
        // Multicast and broadcast destinations are fine; so are 0.0.0.0 (DHCP) and class E sources.
        assertAccepted(eth().ipv4(0, 0xFFFF_FFFF).udp(68, 67).build());
        assertAccepted(eth().ipv4(IP_A, 0xE000_00FB).udp(5353, 5353).build());
        assertAccepted(eth().ipv4(0xF000_0001, IP_B).udp(1, 2).build());
    }

    @Test
    void truncatedIpv6AtEveryLength() {
        byte[] f = udp6();
        for (int len = 14; len < 54; len++) {
            assertDropped(DropReason.TRUNCATED_IPV6, Arrays.copyOf(f, len));
        }
        for (int len = 54; len < f.length; len++) {
            assertDropped(DropReason.BAD_IPV6_PAYLOAD_LENGTH, Arrays.copyOf(f, len));
        }
    }

    @Test
    void ipv6PayloadLengthThatLies() {
        byte[] f = udp6();
        Ipv6.setPayloadLength(f, 14, 0xFFFF);
        assertDropped(DropReason.BAD_IPV6_PAYLOAD_LENGTH, f);
        Ipv6.setPayloadLength(f, 14, 7); // shorter than the UDP header
        assertDropped(DropReason.TRUNCATED_L4, f);
    }

    @Test
    void multicastIpv6Source() {
        assertDropped(DropReason.BAD_IPV6_ADDRESS, eth().ipv6(0xFF02_0000_0000_0000L, 1, V6_B_HI, V6_B_LO).udp(1, 2).build());
        assertAccepted(eth().ipv6(0, 0, 0xFF02_0000_0000_0000L, 1).udp(1, 2).build());
    }

    @Test
    void transportHeadersTruncatedAtEveryLength() {
        byte[][] v4 = {
            eth().ipv4(IP_A, IP_B).udp(1, 2).build(),
            eth().ipv4(IP_A, IP_B).tcp(1, 2, Tcp.SYN).build(),
            eth().ipv4(IP_A, IP_B).icmpEcho(1, 1).build(),
            eth().ipv4(IP_A, IP_B).esp(1, 1).build(),
        };
        for (byte[] f : v4) {
            int full = Ipv4.totalLength(f, 14);
            for (int total = 20; total < full; total++) {
                byte[] g = f.clone();
                Bytes.put16(g, 16, total);
                assertDropped(DropReason.TRUNCATED_L4, fixIpv4(g));
                // The frame still holds the bytes: the IP length decides, not the frame length.
                assertEquals(f.length, g.length);
            }
        }
        byte[][] v6 = {
            eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).udp(1, 2).build(),
            eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).tcp(1, 2, Tcp.SYN).build(),
            eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).icmpv6Echo(1, 1).build(),
            eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).esp(1, 1).build(),
        };
        for (byte[] f : v6) {
            int full = Ipv6.payloadLength(f, 14);
            for (int pl = 0; pl < full; pl++) {
                byte[] g = f.clone();
                Ipv6.setPayloadLength(g, 14, pl);
                assertDropped(DropReason.TRUNCATED_L4, g);
            }
        }
    }

    @Test
    void icmpNeedsFourBytesAndEchoEight() {
        byte[] f = eth().ipv4(IP_A, IP_B).icmp(Icmp.TYPE_DEST_UNREACH, 3, 0).build();
        for (int total = 20; total < 24; total++) {
            Bytes.put16(f, 16, total);
            assertDropped(DropReason.TRUNCATED_L4, fixIpv4(f));
        }
        for (int total = 24; total <= 28; total++) {
            Bytes.put16(f, 16, total);
            assertAccepted(fixIpv4(f));
            assertEquals(3, p.key.icmpType);
        }
        byte[] e = eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).icmpv6EchoReply(1, 1).build();
        for (int pl = 4; pl < 8; pl++) {
            Ipv6.setPayloadLength(e, 14, pl);
            assertDropped(DropReason.TRUNCATED_L4, e);
        }
    }

    @Test
    void tcpDataOffsetBelowTwentyOrPastTheEnd() {
        for (int doff = 0; doff < 5; doff++) {
            byte[] f = eth().ipv4(IP_A, IP_B).tcp(1, 2, Tcp.SYN).build();
            f[34 + 12] = (byte) (doff << 4);
            assertDropped(DropReason.BAD_L4_HEADER, f);
        }
        byte[] f = eth().ipv4(IP_A, IP_B).tcp(1, 2, Tcp.SYN).payload(new byte[20]).build();
        f[34 + 12] = (byte) (10 << 4); // 40 bytes: exactly what is there
        assertAccepted(f);
        assertEquals(p.key.l4Offset + 40, p.key.payloadOffset);
        f[34 + 12] = (byte) (11 << 4);
        assertDropped(DropReason.TRUNCATED_L4, f);
        f[34 + 12] = (byte) (15 << 4);
        assertDropped(DropReason.TRUNCATED_L4, f);
    }

    @Test
    void udpLengthThatLies() {
        for (int ulen = 0; ulen < 8; ulen++) {
            byte[] f = udp4();
            Bytes.put16(f, 34 + 4, ulen);
            assertDropped(DropReason.BAD_L4_HEADER, f);
        }
        byte[] f = udp4();
        Bytes.put16(f, 34 + 4, Udp.length(f, 34) + 1);
        assertDropped(DropReason.TRUNCATED_L4, f);
        // Shorter than the IP payload is fine (trailing bytes inside the datagram), checksum over the UDP length.
        byte[] g = eth().ipv4(IP_A, IP_B).udp(1, 2).payload(new byte[] {9, 9}).build();
        Bytes.put16(g, 34 + 4, 8);
        Udp.setChecksumV4(g, 14, 34, 8);
        assertAccepted(g);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void frameOutsideItsBufferIsAnRxError() {
        p.reset();
        p.offset = p.data.length - 10;
        p.length = 20;
        assertEquals(DropReason.RX_ERROR.ordinal(), FlowDissector.dissect(p));
        p.offset = -1;
        p.length = 60;
        assertEquals(DropReason.RX_ERROR.ordinal(), FlowDissector.dissect(p));
        p.offset = 0;
        p.length = -5;
        assertEquals(DropReason.RX_ERROR.ordinal(), FlowDissector.dissect(p));
    }

    @Test
    void keyIsClearedBetweenPackets() {
        assertAccepted(eth().vlan(5, 1).ipv4(IP_A, IP_B).tcp(1, 2, Tcp.SYN).build());
        assertAccepted(eth().ethType(0x88CC).build());
        FlowKey k = p.key;
        assertEquals(-1, k.vlanId);
        assertEquals(0, k.ipVersion);
        assertEquals(0, k.ipv4Src);
        assertEquals(0, k.srcPort);
        assertEquals(0, k.tcpFlags);
        assertEquals(-1, k.l4Offset);
    }

    // ---- l4ChecksumValid ----

    @Test
    void l4ChecksumDetectsCorruption() {
        byte[][] frames = {
            eth().ipv4(IP_A, IP_B).udp(1, 2).payload(new byte[] {1, 2, 3}).build(),
            eth().ipv4(IP_A, IP_B).tcp(1, 2, Tcp.ACK).payload(new byte[] {1, 2, 3}).build(),
            eth().ipv4(IP_A, IP_B).icmpEcho(1, 2).payload(new byte[] {1, 2, 3}).build(),
            eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).udp(1, 2).payload(new byte[] {1, 2, 3}).build(),
            eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).tcp(1, 2, Tcp.ACK).payload(new byte[] {1, 2, 3}).build(),
            eth().ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).icmpv6Echo(1, 2).payload(new byte[] {1, 2, 3}).build(),
        };
        for (byte[] f : frames) {
            assertAccepted(f);
            assertTrue(FlowDissector.l4ChecksumValid(p));
            byte[] g = f.clone();
            g[g.length - 1] ^= 0x40;
            assertAccepted(g);
            assertFalse(FlowDissector.l4ChecksumValid(p));
            // The pseudo-header covers the addresses: a rewritten source without a checksum fix is caught.
            byte[] h = f.clone();
            int ipv = h[14] >>> 4;
            if (ipv == 4) {
                Ipv4.setSrc(h, 14, IP_A + 1);
            } else {
                h[14 + 8 + 15]++;
            }
            assertAccepted(h);
            boolean icmpV4 = ipv == 4 && Ipv4.protocol(h, 14) == 1;
            assertEquals(icmpV4, FlowDissector.l4ChecksumValid(p), "ICMPv4 alone has no pseudo-header");
        }
    }

    @Test
    void udpChecksumZero() {
        byte[] f = udp4();
        Bytes.put16(f, 34 + 6, 0);
        assertAccepted(f);
        assertTrue(FlowDissector.l4ChecksumValid(p), "over IPv4, 0 means not computed");
        byte[] g = udp6();
        Bytes.put16(g, 54 + 6, 0);
        assertAccepted(g);
        assertFalse(FlowDissector.l4ChecksumValid(p), "over IPv6 the checksum is mandatory");
    }
}
