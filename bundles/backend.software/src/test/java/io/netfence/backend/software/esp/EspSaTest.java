package io.netfence.backend.software.esp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.backend.software.esp.EspKit.Opened;
import io.netfence.backend.software.esp.EspKit.Topology;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.EspTransform;
import io.netfence.crypto.internal.JceEngine;
import io.netfence.packet.Bytes;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.PacketBuilder;
import io.netfence.packet.Udp;
import io.netfence.xfrm.api.OutboundSequence;
import io.netfence.xfrm.api.ReplayWindow;
import io.netfence.xfrm.api.SequenceStore;
import io.netfence.xfrm.api.XfrmMode;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link EspSa} on its own: round trips in every topology, sequence numbers, each refusal with its code, ECN. */
class EspSaTest {
    private static final EspSuite GCM = EspSuite.aead("rfc4106(gcm(aes))", 160, 128);
    private static final EspSuite CBC = EspSuite.encAuth("cbc(aes)", 128, "hmac(sha256)", 128);
    private static final int SPI = 0x4242;

    /** The keys of one SA; each direction gets its own transform from them, as each worker would. */
    private record Keys(EspSuite suite, byte[] enc, byte[] auth) {
        static Keys of(EspSuite suite, int seed) {
            byte[] enc = new byte[suite.encKeyBytes()];
            byte[] auth = new byte[suite.authKeyBytes()];
            new SplittableRandom(seed).nextBytes(enc);
            new SplittableRandom(seed + 1).nextBytes(auth);
            return new Keys(suite, enc, auth);
        }

        EspTransform transform() {
            return new JceEngine().create(suite, enc, auth);
        }

        EspSa out(Topology t, long last) {
            return t.sa(transform(), SPI, new OutboundSequence(false, last), null);
        }

        EspSa in(Topology t, ReplayWindow w) {
            return t.sa(transform(), SPI, null, w);
        }
    }

    @ParameterizedTest
    @EnumSource(Topology.class)
    void roundTripsGiveThePacketBackAndNumberTheSequence(Topology t) {
        for (EspSuite suite : List.of(GCM, CBC)) {
            Keys k = Keys.of(suite, t.ordinal());
            EspSa out = k.out(t, 0);
            ReplayWindow w = new ReplayWindow(64, false);
            EspSa in = k.in(t, w);
            int n = 0;
            for (int size : new int[] {0, 1, 2, 3, 17, 100, 1400}) {
                byte[] inner = t.packet(size, size);
                byte[] outer = EspKit.seal(out, inner);
                n++;
                int esp = EspKit.espOffset(outer) + (t.natt != 0 ? Udp.HEADER_LEN : 0);
                assertEquals(SPI, Bytes.i32(outer, esp));
                assertEquals(n, Bytes.i32(outer, esp + 4), t + ": sequence numbers 1, 2, 3, ...");
                assertEquals(0, (outer.length - esp - 8 - suite.cipher().ivBytes() - suite.icvBytes()) % suite.cipher().blockBytes(),
                        "padded to the cipher block");
                Opened o = EspKit.open(in, outer);
                assertTrue(o.code() >= 0, t + " " + suite + ": refused with " + o.code());
                assertArrayEquals(inner, o.packet(), t + " " + suite + " size " + size + ": the packet back byte for byte");
                assertEquals(n, w.top());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"TUNNEL_4_IN_4", "TUNNEL_6_IN_4", "TUNNEL_4_IN_6", "TRANSPORT_4_OPTIONS", "TRANSPORT_6_ROUTED", "UDP_6_IN_6",
            "UDP_TRANSPORT_4", "UDP_TRANSPORT_6"})
    void badPacketsAreRefusedWithTheirCodeAndNeverMoveTheWindow(Topology t) {
        for (EspSuite suite : List.of(GCM, CBC)) {
            Keys k = Keys.of(suite, 9);
            byte[] inner = t.packet(19, 3);
            byte[] good = EspKit.seal(k.out(t, 0), inner);
            int l4 = EspKit.espOffset(good);
            int esp = l4 + (t.natt != 0 ? Udp.HEADER_LEN : 0);
            int text = esp + 8 + suite.cipher().ivBytes();
            int textEnd = good.length - suite.icvBytes();
            int block = suite.cipher().blockBytes();
            ReplayWindow w = new ReplayWindow(64, false);
            EspSa in = k.in(t, w);
            String what = t + " " + suite;

            // Truncated: one byte short, nothing after the ESP header, a whole block short, or shorter than the IP header says.
            assertEquals(EspSa.BAD_LENGTH, open(in, lengthsFixed(Arrays.copyOf(good, good.length - 1), l4, t), l4), what);
            assertEquals(EspSa.BAD_LENGTH, open(in, lengthsFixed(Arrays.copyOf(good, esp + 8), l4, t), l4), what);
            assertEquals(EspSa.AUTH_FAILED, open(in, lengthsFixed(Arrays.copyOf(good, good.length - block), l4, t), l4), what);
            assertEquals(EspSa.BAD_LENGTH, EspKit.open(in, good, l4, good.length - 1).code(), what + ": the IP length claims more than there is");
            assertEquals(EspSa.BAD_LENGTH, EspKit.open(in, good, l4, t.family == 4 ? 19 : 39).code(), what + ": not even an IP header");

            // A changed ICV, a changed ciphertext byte.
            byte[] badIcv = good.clone();
            badIcv[badIcv.length - 1] ^= (byte) 0x80;
            assertEquals(EspSa.AUTH_FAILED, open(in, udpChecksumFixed(badIcv, l4, t), l4), what);
            byte[] badText = good.clone();
            badText[text] ^= 1;
            assertEquals(EspSa.AUTH_FAILED, open(in, udpChecksumFixed(badText, l4, t), l4), what);

            // Authentic but wrong inside: next header, padding, pad length, inner length.
            byte[] plain = good.clone();
            assertTrue(k.transform().open(plain, esp, text, textEnd - text, 0, false));
            assertTrue(plain[textEnd - 2] > 0, "the test packet has padding to spoil");
            int wrongNext = t.mode == XfrmMode.TUNNEL ? Udp.PROTO : Ipv6.HOPOPTS;
            assertEquals(EspSa.BAD_TRAILER, open(in, resealed(k, good, l4, esp, text, textEnd, t, p -> p[textEnd - 1] = (byte) wrongNext), l4),
                    what + ": next header " + wrongNext);
            assertEquals(EspSa.BAD_TRAILER, open(in, resealed(k, good, l4, esp, text, textEnd, t, p -> p[textEnd - 3] ^= 1), l4),
                    what + ": padding not 1, 2, 3, ...");
            assertEquals(EspSa.BAD_TRAILER, open(in, resealed(k, good, l4, esp, text, textEnd, t, p -> p[textEnd - 2] = (byte) 255), l4),
                    what + ": pad length past the start");
            if (t.mode == XfrmMode.TUNNEL) {
                int swapped = t.innerV4() ? EspSa.NEXT_IPV6 : EspSa.NEXT_IPV4;
                assertEquals(EspSa.BAD_TRAILER, open(in, resealed(k, good, l4, esp, text, textEnd, t, p -> p[textEnd - 1] = (byte) swapped), l4),
                        what + ": next header of the other family");
                int lengthField = text + (t.innerV4() ? 2 : 4);
                assertEquals(EspSa.BAD_TRAILER, open(in, resealed(k, good, l4, esp, text, textEnd, t, p -> p[lengthField + 1]++), l4),
                        what + ": inner length not what ESP carried");
            }

            // Sequence number 0 is never sent: refused before the ICV is computed.
            byte[] zero = good.clone();
            Bytes.put32(zero, esp + 4, 0);
            assertEquals(EspSa.ZERO_SEQUENCE, open(in, udpChecksumFixed(zero, l4, t), l4), what);

            assertEquals(0, w.top(), what + ": nothing refused moved the window");
            Opened o = EspKit.open(in, good);
            assertTrue(o.code() >= 0, what + ": the genuine packet still goes through: " + o.code());
            assertArrayEquals(inner, o.packet(), what + ": the packet back byte for byte");
            assertEquals(1, w.top());
            assertEquals(EspSa.REPLAYED, EspKit.open(in, good).code(), what);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"TUNNEL_4_IN_4", "TRANSPORT_6_ROUTED", "UDP_4_IN_6"})
    void aDummyPacketAdvancesTheWindowAndDeliversNothing(Topology t) {
        Keys k = Keys.of(GCM, 11);
        byte[] good = EspKit.seal(k.out(t, 0), t.packet(40, 1));
        int l4 = EspKit.espOffset(good);
        int esp = l4 + (t.natt != 0 ? Udp.HEADER_LEN : 0);
        int textEnd = good.length - GCM.icvBytes();
        ReplayWindow w = new ReplayWindow(64, false);
        byte[] dummy = resealed(k, good, l4, esp, esp + 16, textEnd, t, p -> p[textEnd - 1] = EspSa.NEXT_NONE);
        assertEquals(EspSa.DUMMY, open(k.in(t, w), dummy, l4));
        assertEquals(1, w.top(), "RFC 4303 2.6: authentic, so counted against replay");
    }

    @Test
    void theWrongFamilyOrAHeaderChainThatDoesNotLeadToEspIsRefused() {
        Keys k = Keys.of(GCM, 12);
        byte[] v6 = EspKit.seal(k.out(Topology.TUNNEL_6_IN_6, 0), Topology.TUNNEL_6_IN_6.packet(50, 1));
        ReplayWindow w = new ReplayWindow(64, false);
        assertEquals(EspSa.WRONG_FAMILY, EspKit.open(k.in(Topology.TUNNEL_6_IN_4, w), v6).code(), "IPv6 outer on an IPv4 tunnel");
        EspSa in = k.in(Topology.TUNNEL_6_IN_6, w);
        assertEquals(EspSa.BAD_HEADER, EspKit.open(in, v6, 48, v6.length).code(), "ESP is not where the caller says");
        byte[] version5 = v6.clone();
        version5[0] = 0x50;
        assertEquals(EspSa.BAD_HEADER, EspKit.open(k.in(Topology.TRANSPORT_4, w), version5, 40, v6.length).code());
        byte[] tcp = PacketBuilder.ethernet(2, 1).ipv6("2001:db8::2", "2001:db8::1").tcp(4000, 4000, 0x10).payload(new byte[64]).build();
        byte[] tcpIp = Arrays.copyOfRange(tcp, 14, tcp.length);
        assertEquals(EspSa.BAD_HEADER, EspKit.open(in, tcpIp, 40, tcpIp.length).code(), "TCP is neither ESP nor ESP in UDP");
        assertEquals(0, w.top());

        // The IPv6 outer header may carry extension headers of its own: the chain is walked to ESP.
        byte[] withOptions = withDestinationOptions(v6);
        assertEquals(48, EspKit.espOffset(withOptions));
        Opened o = EspKit.open(in, withOptions);
        assertArrayEquals(Topology.TUNNEL_6_IN_6.packet(50, 1), o.packet());
    }

    @Test
    void ikeAndKeepalivesOnTheNatPortAreNotEsp() {
        Keys k = Keys.of(GCM, 13);
        for (Topology t : List.of(Topology.UDP_4_IN_4, Topology.UDP_6_IN_6)) {
            EspSa in = k.in(t, new ReplayWindow(64, false));
            boolean v4 = t.family == 4;
            for (byte[] payload : new byte[][] {{0, 0, 0, 0, 1, 2, 3, 4, 5}, {(byte) 0xFF}}) {
                PacketBuilder p = PacketBuilder.ethernet(2, 1);
                if (v4) {
                    p.ipv4("192.0.2.2", "192.0.2.1");
                } else {
                    p.ipv6("2001:db8::2", "2001:db8::1");
                }
                byte[] frame = p.udp(4500, 4500).payload(payload).build();
                byte[] ip = Arrays.copyOfRange(frame, 14, frame.length);
                assertEquals(EspSa.NOT_ESP, EspKit.open(in, ip).code(), t + ": the non-ESP marker or a keepalive (RFC 3948 2.2, 2.3)");
            }
        }
    }

    @Test
    void espInUdpOverIpv6NeedsItsChecksum() {
        Keys k = Keys.of(GCM, 14);
        Topology t = Topology.UDP_4_IN_6;
        byte[] good = EspKit.seal(k.out(t, 0), t.packet(200, 1));
        int l4 = EspKit.espOffset(good);
        ReplayWindow w = new ReplayWindow(64, false);
        EspSa in = k.in(t, w);
        byte[] zero = good.clone();
        Bytes.put16(zero, l4 + 6, 0);
        assertEquals(EspSa.BAD_CHECKSUM, open(in, zero, l4), "zero is not allowed over IPv6 (RFC 8200 8.1)");
        byte[] wrong = good.clone();
        Bytes.put16(wrong, l4 + 6, Udp.checksum(good, l4) ^ 0x0100);
        assertEquals(EspSa.BAD_CHECKSUM, open(in, wrong, l4));
        assertEquals(0, w.top());
        assertTrue(EspKit.open(in, good).code() >= 0);
    }

    @Test
    void oldAndRepeatedNumbersAreRefused() {
        Keys k = Keys.of(GCM, 15);
        Topology t = Topology.TUNNEL_4_IN_4;
        EspSa out = k.out(t, 0);
        byte[][] sealed = new byte[70][];
        for (int i = 0; i < sealed.length; i++) {
            sealed[i] = EspKit.seal(out, t.packet(10, i));
        }
        ReplayWindow w = new ReplayWindow(64, false);
        EspSa in = k.in(t, w);
        assertTrue(EspKit.open(in, sealed[69]).code() >= 0);
        assertEquals(EspSa.TOO_OLD, EspKit.open(in, sealed[0]).code(), "sequence 1 is 69 behind a window of 64");
        assertTrue(EspKit.open(in, sealed[10]).code() >= 0, "within the window, out of order");
        assertEquals(EspSa.REPLAYED, EspKit.open(in, sealed[10]).code());
        assertEquals(70, w.top());
    }

    @Test
    void encapsulationRefusesWithoutUsingANumber() {
        Keys k = Keys.of(GCM, 16);
        Topology t = Topology.TUNNEL_4_IN_6;
        byte[] inner = t.packet(100, 1);
        byte[] b = new byte[1024];
        System.arraycopy(inner, 0, b, 256, inner.length);

        OutboundSequence last = new OutboundSequence(false, 0xFFFF_FFFFL);
        assertEquals(EspSa.EXHAUSTED, t.sa(k.transform(), SPI, last, null).encapsulate(b.clone(), 256, inner.length));
        OutboundSequence behind = new OutboundSequence(false, 0, new SequenceStore() {
            @Override
            public long load(String sa) {
                return 0;
            }

            @Override
            public void reserve(String sa, long mark, java.util.function.LongConsumer done) {
                // never confirmed: the disk is behind
            }
        }, "sa", 1024);
        assertEquals(EspSa.NOT_DURABLE, t.sa(k.transform(), SPI, behind, null).encapsulate(b.clone(), 256, inner.length));
        assertEquals(0, behind.last(), "no number was used");

        OutboundSequence seq = new OutboundSequence(false, 0);
        EspSa out = t.sa(k.transform(), SPI, seq, null);
        assertEquals(EspSa.BAD_HEADER, out.encapsulate(b.clone(), 256, inner.length - 1), "the IP header claims more than there is");
        byte[] v5 = b.clone();
        v5[256] = 0x55;
        assertEquals(EspSa.BAD_HEADER, out.encapsulate(v5, 256, inner.length), "neither IPv4 nor IPv6");
        assertEquals(0, seq.last(), "refused packets used no sequence number");

        // Bytes past the packet's own length (Ethernet padding) are not part of it.
        int total = out.encapsulate(b, 256, inner.length + 6);
        byte[] outer = Arrays.copyOfRange(b, 256 - out.overheadFront(), 256 - out.overheadFront() + total);
        assertArrayEquals(inner, EspKit.open(k.in(t, new ReplayWindow(64, false)), outer).packet());
    }

    @Test
    void constructionNeedsOneDirectionAndTunnelAddressesOfOneFamily() {
        EspTransform tr = Keys.of(GCM, 1).transform();
        OutboundSequence s = new OutboundSequence(false, 0);
        ReplayWindow w = new ReplayWindow(64, false);
        assertThrows(IllegalArgumentException.class, () -> new EspSa(tr, 1, XfrmMode.TUNNEL, EspKit.LOCAL4, EspKit.REMOTE6, s, null));
        assertThrows(IllegalArgumentException.class, () -> new EspSa(tr, 1, XfrmMode.TUNNEL, null, null, s, null));
        assertThrows(IllegalArgumentException.class, () -> new EspSa(tr, 1, XfrmMode.TRANSPORT, null, null, s, w));
        assertThrows(IllegalArgumentException.class, () -> new EspSa(tr, 1, XfrmMode.TRANSPORT, null, null, null, null));
        assertEquals(XfrmMode.TRANSPORT, new EspSa(tr, 1, XfrmMode.TRANSPORT, null, null, s, null).mode());
    }

    /** RFC 6040 section 4.2, normal mode; codepoints 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE. */
    @ParameterizedTest
    @EnumSource(names = {"TUNNEL_4_IN_4", "TUNNEL_6_IN_6", "TUNNEL_4_IN_6", "TUNNEL_6_IN_4"})
    void ecnOfTheOuterHeaderReachesTheInnerPacket(Topology t) {
        int[][] innerOuterResult = {
                {2, 3, 3}, {1, 3, 3}, {3, 3, 3}, {0, 3, 0}, // CE is carried into ECN-capable packets; Not-ECT stays (Linux, not RFC 6040's drop)
                {2, 1, 1}, {1, 2, 1}, {3, 1, 3}, {2, 2, 2},
                {0, 0, 0}, {2, 0, 2}, {3, 0, 3}, {1, 1, 1}};
        Keys k = Keys.of(GCM, 17);
        EspSa out = k.out(t, 0);
        EspSa in = k.in(t, new ReplayWindow(64, false));
        for (int[] c : innerOuterResult) {
            byte[] inner = t.packet(30, c[0]);
            int ds = 0xB8; // DSCP 46 (EF)
            setDs(inner, ds | c[0]);
            byte[] outer = EspKit.seal(out, inner);
            assertEquals(ds | c[0], ds(outer), t + ": DSCP and ECN copied to the outer header");
            setDs(outer, ds | c[1]);
            byte[] result = EspKit.open(in, outer).packet();
            String what = t + " inner " + c[0] + " outer " + c[1];
            assertEquals(ds | c[2], ds(result), what);
            if (t.innerV4()) {
                assertTrue(Ipv4.checksumValid(result, 0), what + ": inner checksum kept right");
            }
            setDs(result, ds | c[0]);
            if (t.innerV4()) {
                Ipv4.setChecksum(result, 0);
            }
            assertArrayEquals(inner, result, what + ": nothing else changed");
        }
    }

    private static void setDs(byte[] ip, int ds) {
        if ((ip[0] & 0xF0) == 0x40) {
            Ipv4.setTos(ip, 0, ds);
        } else {
            Ipv6.setTrafficClass(ip, 0, ds);
        }
    }

    private static int ds(byte[] ip) {
        return (ip[0] & 0xF0) == 0x40 ? Ipv4.tos(ip, 0) : Ipv6.trafficClass(ip, 0);
    }

    @Test
    void cbcHmacWithEsnAuthenticatesTheHighHalfAfterThePayload() throws Exception {
        byte[] enc = new byte[16];
        byte[] auth = new byte[32];
        new SplittableRandom(5).nextBytes(auth);
        Topology t = Topology.TUNNEL_4_IN_4;
        EspSa sa = t.sa(new JceEngine().create(CBC, enc, auth), 0x77, new OutboundSequence(true, 0x5_0000_0010L), null);
        byte[] outer = EspKit.seal(sa, t.packet(200, 5));
        int esp = 20;
        int end = outer.length - 16;
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(auth, "HmacSHA256"));
        mac.update(outer, esp, end - esp);
        mac.update(new byte[] {0, 0, 0, 5}); // RFC 4303 2.2.1: the high 32 bits, appended, not sent
        assertArrayEquals(Arrays.copyOf(mac.doFinal(), 16), Arrays.copyOfRange(outer, end, end + 16));
        assertEquals(0x11, Bytes.i32(outer, esp + 4), "only the low half travels");
    }

    private static int open(EspSa in, byte[] outer, int l4) {
        return EspKit.open(in, outer, l4, outer.length).code();
    }

    /** The packet with its ESP plaintext edited and sealed again under the same key, so only the edit is wrong. */
    private static byte[] resealed(Keys k, byte[] good, int l4, int esp, int text, int textEnd, Topology t, Consumer<byte[]> edit) {
        byte[] b = good.clone();
        assertTrue(k.transform().open(b, esp, text, textEnd - text, 0, false));
        edit.accept(b);
        k.transform().seal(b, esp, text, textEnd - text, 0, false);
        return udpChecksumFixed(b, l4, t);
    }

    /** IP (and UDP) lengths set to the packet's new length, so only ESP sees it shortened. */
    private static byte[] lengthsFixed(byte[] p, int l4, Topology t) {
        if (t.family == 4) {
            Ipv4.setTotalLength(p, 0, p.length);
        } else {
            Ipv6.setPayloadLength(p, 0, p.length - Ipv6.HEADER_LEN);
        }
        if (t.natt != 0) {
            Bytes.put16(p, l4 + 4, p.length - l4);
        }
        return udpChecksumFixed(p, l4, t);
    }

    /** Over IPv6 the UDP checksum would catch the change before ESP sees it. */
    private static byte[] udpChecksumFixed(byte[] p, int l4, Topology t) {
        if (t.natt != 0 && t.family == 6) {
            Udp.setChecksumV6(p, 0, l4, p.length - l4);
        }
        return p;
    }

    /** An 8-byte destination options header (PadN) inserted after the IPv6 header. */
    private static byte[] withDestinationOptions(byte[] v6) {
        byte[] p = new byte[v6.length + 8];
        System.arraycopy(v6, 0, p, 0, Ipv6.HEADER_LEN);
        System.arraycopy(v6, Ipv6.HEADER_LEN, p, Ipv6.HEADER_LEN + 8, v6.length - Ipv6.HEADER_LEN);
        p[Ipv6.HEADER_LEN] = v6[6];
        p[Ipv6.HEADER_LEN + 2] = 1;
        p[Ipv6.HEADER_LEN + 3] = 4;
        p[6] = (byte) Ipv6.DSTOPTS;
        Ipv6.setPayloadLength(p, 0, p.length - Ipv6.HEADER_LEN);
        return p;
    }
}
