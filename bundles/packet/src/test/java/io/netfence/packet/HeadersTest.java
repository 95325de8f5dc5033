package io.netfence.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HeadersTest {
    @Test
    void ethernetReadWrite() {
        byte[] b = new byte[20];
        Ethernet.write(b, 3, 0xFFFF_FFFF_FFFFL, 0x0200_0000_0001L, 0x86DD);
        assertEquals(0xFFFF_FFFF_FFFFL, Ethernet.dst(b, 3));
        assertEquals(0x0200_0000_0001L, Ethernet.src(b, 3));
        assertEquals(0x86DD, Ethernet.type(b, 3));
        assertTrue(Ethernet.isBroadcast(Ethernet.dst(b, 3)));
        assertTrue(Ethernet.isMulticast(0x0100_5E00_0001L));
        assertFalse(Ethernet.isMulticast(0x0200_0000_0001L));
        Ethernet.setDst(b, 3, 5);
        Ethernet.setSrc(b, 3, 6);
        Ethernet.setType(b, 3, 0x0800);
        assertEquals(5, Ethernet.dst(b, 3));
        assertEquals(6, Ethernet.src(b, 3));
        assertEquals(0x0800, Ethernet.type(b, 3));
    }

    @Test
    void vlanTciFields() {
        byte[] b = new byte[8];
        Vlan.write(b, 0, Vlan.TPID_8021Q, 4095, 7);
        assertEquals(0x8100, Vlan.tpid(b, 0));
        assertEquals(0xEFFF, Vlan.tci(b, 0));
        assertEquals(4095, Vlan.vid(b, 0));
        assertEquals(7, Vlan.pcp(b, 0));
        assertEquals(0, Vlan.dei(b, 0));
        b[2] |= 0x10; // DEI
        Vlan.modify(b, 0, 12, 3);
        assertEquals(12, Vlan.vid(b, 0));
        assertEquals(3, Vlan.pcp(b, 0));
        assertEquals(1, Vlan.dei(b, 0));
    }

    @Test
    void vlanPushThenPopRestoresTheFrame() {
        byte[] frame = PacketBuilder.ethernet(Frames.MAC_B, Frames.MAC_A).ipv4(Frames.IP_A, Frames.IP_B).udp(1, 2).build();
        PacketBuffer p = new PacketBuffer(256);
        p.load(frame, 0, frame.length);
        assertEquals(-1, FlowDissector.dissect(p));
        int l3 = p.key.l3Offset;

        int off = Vlan.push(p, Vlan.TPID_8021Q, 42, 6);
        assertEquals(PacketBuffer.HEADROOM - 4, off);
        assertEquals(frame.length + 4, p.length);
        // The key follows the frame without a new dissection, and the network header did not move.
        assertEquals(off, p.key.l2Offset);
        assertEquals(42, p.key.vlanId);
        assertEquals(6, p.key.vlanPrio);
        assertEquals(-1, FlowDissector.dissect(p));
        assertEquals(l3, p.key.l3Offset);
        assertEquals(42, p.key.vlanId);
        assertEquals(6, p.key.vlanPrio);
        assertEquals(Frames.MAC_B, p.key.ethDst);
        assertEquals(Frames.MAC_A, p.key.ethSrc);

        Vlan.push(p, Vlan.TPID_8021AD, 7, 1);
        assertEquals(-1, FlowDissector.dissect(p));
        assertEquals(7, p.key.vlanId);
        assertEquals(42, p.key.cvlanId);

        Vlan.pop(p);
        assertEquals(42, p.key.vlanId);
        assertEquals(6, p.key.vlanPrio);
        assertEquals(-1, p.key.cvlanId);
        Vlan.pop(p);
        assertEquals(-1, p.key.vlanId);
        assertArrayEquals(frame, p.toByteArray());
        // Popping an untagged frame changes nothing.
        Vlan.pop(p);
        assertArrayEquals(frame, p.toByteArray());
    }

    @Test
    void vlanPushWithoutHeadroomFails() {
        PacketBuffer p = new PacketBuffer(64);
        byte[] frame = new byte[60];
        p.load(frame, 0, 60);
        p.offset = 3;
        System.arraycopy(frame, 0, p.data, 3, 60);
        assertEquals(-1, Vlan.push(p, Vlan.TPID_8021Q, 1, 0));
        assertEquals(3, p.offset);
        assertEquals(60, p.length);
        p.offset = PacketBuffer.HEADROOM;
        p.length = 13;
        assertEquals(-1, Vlan.push(p, Vlan.TPID_8021Q, 1, 0));
        p.length = 17;
        Ethernet.setType(p.data, p.offset, 0x8100);
        Vlan.pop(p); // too short to carry a whole tag: untouched
        assertEquals(17, p.length);
    }

    @Test
    void arpWriteWritesTheFixedFields() {
        byte[] b = new byte[Arp.LEN];
        Arp.write(b, 0, Arp.OP_REPLY, 1, 2, 3, 4);
        assertArrayEquals(Frames.hex("0001 0800 06 04 0002 000000000001 00000002 000000000003 00000004"), b);
    }

    @Test
    void linkLayerOptionWalksSafely() {
        byte[] b = new byte[64];
        int off = 0;
        b[off] = (byte) Icmpv6.TYPE_NEIGHBOR_ADVERT;
        // Options: a nonce-like unknown option (type 14, 8 bytes), then target LL address.
        b[24] = 14;
        b[25] = 1;
        Icmpv6.writeLinkLayerOption(b, 32, Icmpv6.TARGET_LL_ADDR, 0x0200_0000_00AAL);
        assertEquals(0x0200_0000_00AAL, Icmpv6.linkLayerOption(b, off, 40, Icmpv6.TARGET_LL_ADDR));
        assertEquals(-1, Icmpv6.linkLayerOption(b, off, 40, Icmpv6.SOURCE_LL_ADDR));
        // The option runs past the message.
        assertEquals(-1, Icmpv6.linkLayerOption(b, off, 39, Icmpv6.TARGET_LL_ADDR));
        // A zero-length option anywhere invalidates the message (RFC 4861 4.6), even after a match.
        b[40] = 5;
        b[41] = 0;
        assertEquals(-1, Icmpv6.linkLayerOption(b, off, 48, Icmpv6.TARGET_LL_ADDR));
        b[25] = 0;
        assertEquals(-1, Icmpv6.linkLayerOption(b, off, 40, Icmpv6.TARGET_LL_ADDR));
        // A lone trailing byte cannot hold an option header.
        b[25] = 1;
        assertEquals(-1, Icmpv6.linkLayerOption(b, off, 41, Icmpv6.TARGET_LL_ADDR));
        // Messages without options, or shorter than their fixed part.
        b[off] = (byte) Icmpv6.TYPE_ECHO_REQUEST;
        assertEquals(-1, Icmpv6.linkLayerOption(b, off, 40, Icmpv6.TARGET_LL_ADDR));
        b[off] = (byte) Icmpv6.TYPE_NEIGHBOR_ADVERT;
        assertEquals(-1, Icmpv6.linkLayerOption(b, off, 20, Icmpv6.TARGET_LL_ADDR));
        // Router solicitation options start at 8; router advertisement at 16.
        byte[] rs = new byte[16];
        rs[0] = (byte) Icmpv6.TYPE_ROUTER_SOLICIT;
        Icmpv6.writeLinkLayerOption(rs, 8, Icmpv6.SOURCE_LL_ADDR, 0x0200_0000_00BBL);
        assertEquals(0x0200_0000_00BBL, Icmpv6.linkLayerOption(rs, 0, 16, Icmpv6.SOURCE_LL_ADDR));
        byte[] ra = new byte[24];
        ra[0] = (byte) Icmpv6.TYPE_ROUTER_ADVERT;
        Icmpv6.writeLinkLayerOption(ra, 16, Icmpv6.SOURCE_LL_ADDR, 0x0200_0000_00CCL);
        assertEquals(0x0200_0000_00CCL, Icmpv6.linkLayerOption(ra, 0, 24, Icmpv6.SOURCE_LL_ADDR));
    }

    @Test
    void linkLayerOptionNeverReadsOutsideTheMessage() {
        // Every length of a message flush against the end of the array: no exception, -1 or the MAC.
        byte[] msg = new byte[40];
        msg[0] = (byte) Icmpv6.TYPE_NEIGHBOR_SOLICIT;
        Icmpv6.writeLinkLayerOption(msg, 24, Icmpv6.SOURCE_LL_ADDR, 0x0200_0000_0001L);
        Icmpv6.writeLinkLayerOption(msg, 32, 99, 0);
        for (int len = 1; len <= 40; len++) {
            byte[] b = Arrays.copyOf(msg, len);
            long mac = Icmpv6.linkLayerOption(b, 0, len, Icmpv6.SOURCE_LL_ADDR);
            // Only where the message ends exactly on an option boundary after the SLLA option is it valid.
            assertEquals(len == 32 || len == 40 ? 0x0200_0000_0001L : -1, mac, "len " + len);
        }
    }

    @Test
    void ipv6ExtensionHeaderLengths() {
        byte[] b = new byte[8];
        b[1] = 2;
        assertEquals(24, Ipv6.extensionHeaderLength(b, 0, Ipv6.DSTOPTS));
        assertEquals(24, Ipv6.extensionHeaderLength(b, 0, Ipv6.HOPOPTS));
        assertEquals(24, Ipv6.extensionHeaderLength(b, 0, Ipv6.ROUTING));
        assertEquals(16, Ipv6.extensionHeaderLength(b, 0, Ipv6.AH));
        assertEquals(8, Ipv6.extensionHeaderLength(b, 0, Ipv6.FRAGMENT));
        assertTrue(Ipv6.isExtensionHeader(Ipv6.AH));
        assertFalse(Ipv6.isExtensionHeader(Ipv6.ESP));
        assertFalse(Ipv6.isExtensionHeader(Ipv6.NONE));
    }

    @Test
    void ipv4WriteHeader() {
        byte[] b = new byte[24];
        Ipv4.writeHeader(b, 4, 0x2E, 1500, 0xBEEF, 63, 6, 0x0A000001, 0x0A000002);
        assertEquals(4, Ipv4.version(b, 4));
        assertEquals(20, Ipv4.headerLength(b, 4));
        assertEquals(0x2E, Ipv4.tos(b, 4));
        assertEquals(1500, Ipv4.totalLength(b, 4));
        assertEquals(0xBEEF, Ipv4.id(b, 4));
        assertEquals(0, Ipv4.flagsFragment(b, 4));
        assertEquals(63, Ipv4.ttl(b, 4));
        assertEquals(6, Ipv4.protocol(b, 4));
        assertEquals(0x0A000001, Ipv4.src(b, 4));
        assertEquals(0x0A000002, Ipv4.dst(b, 4));
        assertTrue(Ipv4.checksumValid(b, 4));
    }

    @Test
    void udpAndTcpWrite() {
        byte[] b = new byte[28];
        Udp.write(b, 0, 1, 2, 28);
        assertEquals(1, Udp.srcPort(b, 0));
        assertEquals(2, Udp.dstPort(b, 0));
        assertEquals(28, Udp.length(b, 0));
        assertEquals(0, Udp.checksum(b, 0));
        Udp.setSrcPort(b, 0, 65535);
        Udp.setDstPort(b, 0, 4500);
        assertEquals(65535, Udp.srcPort(b, 0));
        assertEquals(4500, Udp.dstPort(b, 0));
        Tcp.write(b, 0, 3, 4, -1, -2, Tcp.NS | Tcp.CWR | Tcp.ECE, 0xFFFF);
        assertEquals(Tcp.NS | Tcp.CWR | Tcp.ECE, Tcp.flags(b, 0));
        assertEquals(-1, Tcp.seq(b, 0));
        assertEquals(-2, Tcp.ack(b, 0));
        assertEquals(0xFFFF, Tcp.window(b, 0));
        assertEquals(20, Tcp.dataOffset(b, 0));
    }
}
