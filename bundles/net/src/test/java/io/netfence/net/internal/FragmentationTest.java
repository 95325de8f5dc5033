package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.packet.Bytes;
import io.netfence.packet.DropReason;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.Icmp;
import io.netfence.packet.Icmpv6;
import io.netfence.packet.IpAddress;
import io.netfence.packet.Ipv4;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fragmentation and reassembly on the real worker threads, between the hosts of
 * {@link TwoHostFixture}. What the appliance fragments is put back together by
 * {@link Fragments}, which shares no code with it.
 */
class FragmentationTest extends TwoHostFixture {
    static final int ETH = 14;

    @BeforeEach
    void neighbours() {
        staticNeighbours();
        net.addNeighbour("eth0", IpAddress.parse("2001:db8::2"), new MacAddress(H0));
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Exactly {@code n} frames sent by {@code d}, then nothing more. */
    static List<byte[]> sent(QueueDriver.QueueDevice d, int n) throws InterruptedException {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] f = d.sent();
            assertNotNull(f, "frame " + (i + 1) + " of " + n);
            out.add(f);
        }
        assertTrue(d.quietFor(50), "no more than " + n + " frames");
        return out;
    }

    long drops(String link, DropReason r) {
        return stats(link).dropReasons().getOrDefault(r.label(), 0L);
    }

    @Test
    void aForwardedPacketTooBigForTheLinkIsFragmentedAndReassemblesToTheOriginal() throws Exception {
        net.setLink("eth1", new LinkChange(null, 576, null));
        // Router alert (copied flag set) and record route (not copied): 12 bytes of options with padding.
        byte[] options = {(byte) 0x94, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0};
        byte[] frame = PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_H1).ttl(64).id(0x4242).ipv4Options(options)
                .udp(4000, 5000).payload(random(3000, 1)).build();
        eth0.inject(frame);
        int ihl = 32;
        int piece = (576 - ihl) & ~7;
        int count = (3008 + piece - 1) / piece;
        List<byte[]> frags = sent(eth1, count);
        for (int i = 0; i < count; i++) {
            byte[] f = frags.get(i);
            PacketBuffer p = load(f);
            assertEquals(H1, p.key.ethDst);
            assertEquals(MAC1, p.key.ethSrc);
            assertTrue(f.length - ETH <= 576, "fits the MTU: " + (f.length - ETH));
            assertEquals(ihl, Ipv4.headerLength(f, ETH), "the header keeps its length");
            assertEquals(63, Ipv4.ttl(f, ETH), "TTL decremented once");
            assertTrue(Ipv4.checksumValid(f, ETH), "each fragment has its own checksum");
            assertFalse(Ipv4.dontFragment(f, ETH));
            assertEquals(0x4242, Ipv4.id(f, ETH));
            assertEquals(i * piece, Ipv4.fragmentOffset(f, ETH));
            assertEquals(i < count - 1, Ipv4.moreFragments(f, ETH));
            byte[] opts = Arrays.copyOfRange(f, ETH + 20, ETH + 24 + 7);
            assertArrayEquals(new byte[] {(byte) 0x94, 4, 0, 0}, Arrays.copyOf(opts, 4), "router alert is copied");
            byte[] rr = Arrays.copyOfRange(opts, 4, 11);
            if (i == 0) {
                assertArrayEquals(Arrays.copyOfRange(options, 4, 11), rr, "the first fragment keeps every option");
            } else {
                assertArrayEquals(new byte[] {1, 1, 1, 1, 1, 1, 1}, rr, "record route is not copied: no-ops instead");
            }
        }
        byte[] whole = Fragments.reassemble(frags);
        byte[] expected = frame.clone();
        expected[ETH + 8] = 63;
        Ipv4.setChecksum(expected, ETH);
        assertArrayEquals(Arrays.copyOfRange(expected, ETH, expected.length), Arrays.copyOfRange(whole, ETH, whole.length),
                "the fragments reassemble to the packet, TTL minus one");
        await("counted", () -> stats("eth1").txPackets() == count);
        assertEquals(0, stats("eth0").rxDropped());
    }

    @Test
    void aFragmentTooBigForTheLinkIsFragmentedAgainKeepingItsOffset() throws Exception {
        net.setLink("eth1", new LinkChange(null, 600, null));
        byte[] frame = PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_H1).ttl(9).udp(1, 2).payload(random(2992, 2)).build();
        List<byte[]> original = Fragments.ipv4(frame, 1500);
        // The second of three 1480-byte pieces (offset 1480, MF set) goes through a 600-byte link.
        eth0.inject(original.get(1));
        List<byte[]> pieces = sent(eth1, 3);
        for (byte[] f : pieces) {
            assertTrue(Ipv4.moreFragments(f, ETH), "MF stays set: more of the datagram follows");
            assertEquals(8, Ipv4.ttl(f, ETH));
        }
        assertEquals(1480, Ipv4.fragmentOffset(pieces.get(0), ETH));
        assertEquals(1480 + 576, Ipv4.fragmentOffset(pieces.get(1), ETH));
        List<byte[]> all = new ArrayList<>(pieces);
        all.add(original.get(0));
        all.add(original.get(2));
        byte[] whole = Fragments.reassemble(all);
        assertArrayEquals(Arrays.copyOfRange(frame, ETH + 28, frame.length), Arrays.copyOfRange(whole, ETH + 28, whole.length));
    }

    @Test
    void aLinkThatCannotSendFragmentsDropsWhatIsTooBig() throws Exception {
        eth1.noFragments = true;
        net.setLink("eth1", new LinkChange(null, 576, null));
        eth0.inject(PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_H1).udp(1, 2).size(1000).build());
        await("counted", () -> drops("eth0", DropReason.MTU_EXCEEDED) == 1);
        assertTrue(eth1.quietFor(50));
    }

    @Test
    void dontFragmentStillGetsFragmentationNeeded() throws Exception {
        net.setLink("eth1", new LinkChange(null, 1280, null));
        eth0.inject(PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_H1).dontFragment().udp(1, 2).size(1414).build());
        PacketBuffer err = eth0.sentPacket();
        assertNotNull(err);
        assertEquals(Icmp.FRAG_NEEDED, err.key.icmpCode);
        assertEquals(1280, Icmp.nextHopMtu(err.data, err.key.l4Offset));
        assertTrue(eth1.quietFor(50));
        await("counted", () -> drops("eth0", DropReason.MTU_EXCEEDED) == 1);
    }

    @Test
    void aBigPingInFragmentsIsReassembledAndAnsweredInFragments() throws Exception {
        byte[] payload = random(4000, 3);
        byte[] request = PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_ETH0).id(7).icmpEcho(99, 5).payload(payload).build();
        List<byte[]> frags = Fragments.ipv4(request, 1500);
        assertEquals(3, frags.size());
        Collections.reverse(frags);
        for (byte[] f : frags) {
            eth0.inject(f);
        }
        byte[] reply = Fragments.reassemble(sent(eth0, 3));
        PacketBuffer p = load(reply);
        assertEquals(Icmp.TYPE_ECHO_REPLY, p.key.icmpType);
        assertEquals(IP_ETH0, p.key.ipv4Src);
        assertEquals(IP_H0, p.key.ipv4Dst);
        assertEquals(H0, p.key.ethDst);
        assertEquals(99, Icmp.echoId(p.data, p.key.l4Offset));
        assertTrue(FlowDissector.l4ChecksumValid(p), "the reply's ICMP checksum covers the whole datagram");
        assertArrayEquals(payload, Arrays.copyOfRange(p.data, p.key.l4Offset + 8, p.offset + p.length));
        await("counters", () -> stats("eth0").rxPackets() == 3 && stats("eth0").txPackets() == 3);
        assertEquals(0, stats("eth0").rxDropped());
    }

    @Test
    void anIpv6PingInFragmentsIsReassembledAndAnsweredInFragments() throws Exception {
        byte[] payload = random(3000, 4);
        byte[] request = PacketBuilder.ethernet(MAC0, H0).ipv6("2001:db8::2", "2001:db8::1").icmpv6Echo(5, 6).payload(payload).build();
        List<byte[]> frags = Fragments.ipv6(request, 1280, 0x1234_5678);
        assertEquals(3, frags.size());
        eth0.inject(frags.get(1));
        eth0.inject(frags.get(0));
        eth0.inject(frags.get(2));
        List<byte[]> out = sent(eth0, 3);
        for (byte[] f : out) {
            assertTrue(f.length - ETH <= 1500);
        }
        byte[] reply = Fragments.reassemble(out);
        PacketBuffer p = load(reply);
        assertEquals(Icmpv6.TYPE_ECHO_REPLY, p.key.icmpType);
        assertEquals(H0, p.key.ethDst);
        assertEquals(IpAddress.parse("2001:db8::2"), IpAddress.v6(p.key.ipv6DstHi, p.key.ipv6DstLo));
        assertTrue(FlowDissector.l4ChecksumValid(p));
        assertArrayEquals(payload, Arrays.copyOfRange(p.data, p.key.l4Offset + 8, p.offset + p.length));
    }

    @Test
    void overlapsDiscardTheDatagramAndDuplicatesOnlyThemselves() throws Exception {
        byte[] request = PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_ETH0).id(11).icmpEcho(1, 1).payload(random(2000, 5)).build();
        List<byte[]> frags = Fragments.ipv4(request, 1500);
        eth0.inject(frags.get(0));
        eth0.inject(frags.get(0));
        eth0.inject(frags.get(1));
        byte[] reply = Fragments.reassemble(sent(eth0, 2));
        assertEquals(Icmp.TYPE_ECHO_REPLY, load(reply).key.icmpType, "a duplicate does not stop the datagram");
        await("duplicate counted", () -> drops("eth0", DropReason.FRAG_DUPLICATE) == 1);

        // The second fragment starts 8 bytes early: it overlaps the first, and both are discarded.
        byte[] overlapping = Fragments.ipv4(request, 1500).get(1);
        byte[] early = new byte[overlapping.length + 8];
        System.arraycopy(overlapping, 0, early, 0, ETH + 20);
        System.arraycopy(request, ETH + 20 + 1472, early, ETH + 20, early.length - ETH - 20);
        Bytes.put16(early, ETH + 2, early.length - ETH);
        Bytes.put16(early, ETH + 6, 1472 >>> 3);
        Ipv4.setChecksum(early, ETH);
        eth0.inject(frags.get(0));
        eth0.inject(early);
        await("overlap counted", () -> drops("eth0", DropReason.FRAG_OVERLAP) == 2);
        // The proper second fragment now starts a datagram of its own that never completes.
        eth0.inject(frags.get(1));
        assertTrue(eth0.quietFor(100), "no reply to a discarded datagram");

        // IPv6: the same rule (RFC 5722).
        byte[] v6 = PacketBuilder.ethernet(MAC0, H0).ipv6("2001:db8::2", "2001:db8::1").icmpv6Echo(5, 6).payload(random(2000, 6)).build();
        List<byte[]> f6 = Fragments.ipv6(v6, 1280, 77);
        byte[] early6 = f6.get(1).clone();
        Bytes.put16(early6, ETH + 40 + 2, (Bytes.u16(early6, ETH + 40 + 2) - 8) | 1);
        eth0.inject(f6.get(0));
        eth0.inject(early6);
        await("IPv6 overlap counted", () -> drops("eth0", DropReason.FRAG_OVERLAP) == 4);
        assertTrue(eth0.quietFor(50));
    }

    @Test
    void aDatagramBeyond65535BytesIsDiscarded() throws Exception {
        byte[] request = PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_ETH0).id(12).icmpEcho(1, 1).payload(random(2000, 7)).build();
        eth0.inject(Fragments.ipv4(request, 1500).get(0));
        // A last fragment at the highest offset: 65528 + 100 bytes of data.
        byte[] far = PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_ETH0).protocol(Ipv4.PROTO_ICMP).payload(new byte[100]).build();
        Bytes.put16(far, ETH + 4, 12);
        Bytes.put16(far, ETH + 6, 65528 >>> 3);
        Ipv4.setChecksum(far, ETH);
        eth0.inject(far);
        await("too big counted for both fragments", () -> drops("eth0", DropReason.FRAG_TOO_BIG) == 2);
        assertTrue(eth0.quietFor(50));
    }

    @Test
    void contradictoryLastFragmentsDiscardTheDatagram() throws Exception {
        byte[] request = PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_ETH0).id(13).icmpEcho(1, 1).payload(random(3000, 8)).build();
        List<byte[]> frags = Fragments.ipv4(request, 1500);
        eth0.inject(frags.get(2));
        // The middle fragment with MF clear claims the datagram ends at 2960, not 3008.
        byte[] shortLast = frags.get(1).clone();
        Bytes.put16(shortLast, ETH + 6, 1480 >>> 3);
        Ipv4.setChecksum(shortLast, ETH);
        eth0.inject(shortLast);
        await("invalid counted", () -> drops("eth0", DropReason.FRAG_INVALID) == 2);
    }

    @Test
    void forwardedFragmentsAreForwardedAsTheyAre() throws Exception {
        byte[] frame = PacketBuilder.ethernet(MAC0, H0).ipv4(IP_H0, IP_H1).ttl(30).udp(1, 2).payload(random(2500, 9)).build();
        List<byte[]> frags = Fragments.ipv4(frame, 1500);
        for (byte[] f : frags) {
            eth0.inject(f);
        }
        List<byte[]> out = sent(eth1, 2);
        for (int i = 0; i < 2; i++) {
            byte[] got = out.get(i);
            byte[] want = frags.get(i).clone();
            assertEquals(29, Ipv4.ttl(got, ETH));
            want[ETH + 8] = 29;
            Ipv4.setChecksum(want, ETH);
            assertArrayEquals(Arrays.copyOfRange(want, ETH, want.length), Arrays.copyOfRange(got, ETH, got.length));
        }
    }

    static PacketBuffer load(byte[] frame) {
        PacketBuffer p = new PacketBuffer(Math.max(frame.length, PacketBuffer.DEFAULT_CAPACITY));
        p.load(frame, 0, frame.length);
        assertEquals(-1, FlowDissector.dissect(p), "well formed");
        return p;
    }
}
