package io.netfence.packet;

import static io.netfence.packet.Frames.hex;
import static io.netfence.packet.Frames.naiveSum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    /**
     * Captured from Linux on lo: the kernel's ICMP port unreachable for a UDP datagram to
     * 127.0.0.1:5353. Both the IPv4 header checksum (0x7eeb) and the ICMP checksum (0xc571) were
     * computed by the kernel in software.
     */
    static final byte[] LINUX_ICMP_PORT_UNREACH = hex("""
            000000000000000000000000 0800
            45c00045fd0a000040017eeb7f0000017f000001
            0303c57100000000
            45000029f75f4000401145627f0000017f000001b2de14e90015fe286e657466656e63652d75647034""");

    /** Captured from Linux on lo: ICMPv6 port unreachable for a UDP datagram to [::1]:5353 (checksum 0x6eeb). */
    static final byte[] LINUX_ICMPV6_PORT_UNREACH = hex("""
            000000000000000000000000 86dd
            6007dfe000453a40 00000000000000000000000000000001 00000000000000000000000000000001
            01046eeb00000000
            6004139f00151140000000000000000000000000000000010000000000000000000000000000000181e914e9001500286e657466656e63652d75647036""");

    /** Captured from Linux on lo: ICMPv6 echo request sent through a raw socket, checksum 0x58b0 filled in by the kernel. */
    static final byte[] LINUX_ICMPV6_ECHO = hex("""
            000000000000000000000000 86dd
            600daa5b000d3a40 00000000000000000000000000000001 00000000000000000000000000000001
            800058b01234000170696e6736""");

    @Test
    void rfc1071Example() {
        // RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2 (with end-around carry).
        byte[] b = hex("0001f203f4f5f6f7");
        assertEquals(0xDDF2, Checksum.sum(b, 0, 8, 0));
        assertEquals(0xDDF2, Checksum.fold(Checksum.sum(b, 0, 8, 0)));
        assertEquals(0x220D, Checksum.finish(Checksum.sum(b, 0, 8, 0)));
    }

    @Test
    void oddLengthPadsTheLastByteOnTheRight() {
        byte[] b = hex("010203");
        assertEquals(0x0102 + 0x0300, Checksum.sum(b, 0, 3, 0));
        assertEquals(0x0300, Checksum.sum(b, 2, 1, 0));
        assertEquals(0, Checksum.sum(b, 0, 0, 0));
    }

    @Test
    void initialAccumulatorIsAdded() {
        byte[] b = hex("0001f203f4f5f6f7");
        int split = Checksum.sum(b, 4, 4, Checksum.sum(b, 0, 4, 0));
        assertEquals(Checksum.sum(b, 0, 8, 0), split);
        assertEquals(Checksum.fold(0x1234_5678 + 0), Checksum.sum(new byte[0], 0, 0, 0x1234_5678));
    }

    @Test
    void foldAndFinish() {
        assertEquals(0x0001, Checksum.fold(0x0001_0000));
        assertEquals(0xFFFF, Checksum.fold(0xFFFE_0001));
        assertEquals(0xFFFF, Checksum.fold(0xFFFF_FFFF));
        assertEquals(0x0000, Checksum.finish(0xFFFF));
        assertEquals(0xFFFF, Checksum.finish(0));
    }

    @Test
    void wikipediaCapturedIpv4Header() {
        // A captured header with checksum b861 (the worked example of the "IPv4 header checksum" article).
        byte[] h = hex("450000730000400040 11 b861 c0a80001 c0a800c7");
        assertEquals(0xB861, Ipv4.checksum(h, 0));
        assertTrue(Ipv4.checksumValid(h, 0));
        h[10] = 0;
        h[11] = 0;
        Ipv4.setChecksum(h, 0);
        assertEquals(0xB861, Ipv4.checksum(h, 0));
    }

    @Test
    void linuxComputedIcmpAndIpv4Checksums() {
        byte[] f = LINUX_ICMP_PORT_UNREACH;
        assertTrue(Ipv4.checksumValid(f, 14));
        assertTrue(Icmp.checksumValid(f, 34, f.length - 34));
        byte[] copy = f.clone();
        Ipv4.setChecksum(copy, 14);
        Icmp.setChecksum(copy, 34, f.length - 34);
        assertEquals(0x7EEB, Ipv4.checksum(copy, 14));
        assertEquals(0xC571, Icmp.checksum(copy, 34));
        assertTrue(Arrays.equals(f, copy));
    }

    @Test
    void linuxComputedIcmpv6ChecksumsCoverThePseudoHeader() {
        for (byte[] f : new byte[][] {LINUX_ICMPV6_PORT_UNREACH, LINUX_ICMPV6_ECHO}) {
            int len = f.length - 54;
            assertTrue(Icmpv6.checksumValid(f, 14, 54, len));
            byte[] copy = f.clone();
            Icmpv6.setChecksum(copy, 14, 54, len);
            assertTrue(Arrays.equals(f, copy));
        }
        assertEquals(0x6EEB, Icmpv6.checksum(LINUX_ICMPV6_PORT_UNREACH, 54));
        assertEquals(0x58B0, Icmpv6.checksum(LINUX_ICMPV6_ECHO, 54));
    }

    @Test
    void pseudoHeadersMatchLinuxPartialChecksums() {
        // With checksum offload on lo, Linux leaves the folded pseudo-header sum in the UDP checksum
        // field (CHECKSUM_PARTIAL): 0xfe28 for 127.0.0.1 -> 127.0.0.1, UDP length 21 (quoted in
        // LINUX_ICMP_PORT_UNREACH), 0x0028 for ::1 -> ::1 (quoted in LINUX_ICMPV6_PORT_UNREACH).
        assertEquals(0xFE28, Checksum.fold(Checksum.pseudoHeaderV4(0x7F00_0001, 0x7F00_0001, 17, 21)));
        assertEquals(0xFE28, Udp.checksum(LINUX_ICMP_PORT_UNREACH, 14 + 20 + 8 + 20));
        assertEquals(0x0028, Checksum.fold(Checksum.pseudoHeaderV6(0, 1, 0, 1, 17, 21)));
        assertEquals(0x0028, Udp.checksum(LINUX_ICMPV6_PORT_UNREACH, 14 + 40 + 8 + 40));
    }

    @Test
    void fullUdpChecksumEqualsWhatTheNicDoesWithLinuxPartialChecksums() {
        // A NIC completes CHECKSUM_PARTIAL by summing from the transport header on (the field
        // holding the pseudo-header sum) and storing the complement. Our full computation must agree.
        int[][] cases = {{14 + 20 + 8, 4}, {14 + 40 + 8, 6}};
        byte[][] frames = {LINUX_ICMP_PORT_UNREACH, LINUX_ICMPV6_PORT_UNREACH};
        for (int i = 0; i < 2; i++) {
            byte[] f = frames[i].clone();
            int ip = cases[i][0];
            boolean v6 = cases[i][1] == 6;
            int udp = ip + (v6 ? 40 : 20);
            int nic = Checksum.finish(Checksum.sum(f, udp, 21, 0));
            if (v6) {
                Udp.setChecksumV6(f, ip, udp, 21);
                assertTrue(Udp.checksumValidV6(f, ip, udp, 21));
            } else {
                Udp.setChecksumV4(f, ip, udp, 21);
                assertTrue(Udp.checksumValidV4(f, ip, udp, 21));
            }
            assertEquals(nic, Udp.checksum(f, udp));
        }
    }

    @Test
    void pseudoHeaderV6MatchesNaiveSumOfTheRfc8200Layout() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 1000; i++) {
            byte[] ph = new byte[40];
            long sh = r.nextLong(), sl = r.nextLong(), dh = r.nextLong(), dl = r.nextLong();
            int len = r.nextInt() & 0x7FFF_FFFF;
            int nh = r.nextInt(256);
            Bytes.put64(ph, 0, sh);
            Bytes.put64(ph, 8, sl);
            Bytes.put64(ph, 16, dh);
            Bytes.put64(ph, 24, dl);
            Bytes.put32(ph, 32, len);
            ph[39] = (byte) nh;
            assertEquals(naiveSum(ph, 0, 40), Checksum.fold(Checksum.pseudoHeaderV6(sh, sl, dh, dl, nh, len)));
            byte[] ph4 = new byte[12];
            int s4 = r.nextInt(), d4 = r.nextInt(), l4 = r.nextInt(0x10000);
            Bytes.put32(ph4, 0, s4);
            Bytes.put32(ph4, 4, d4);
            ph4[9] = (byte) nh;
            Bytes.put16(ph4, 10, l4);
            assertEquals(naiveSum(ph4, 0, 12), Checksum.fold(Checksum.pseudoHeaderV4(s4, d4, nh, l4)));
        }
    }

    @Test
    void fastSumEqualsNaiveSumAtEveryAlignmentAndLength() {
        SplittableRandom r = new SplittableRandom(1);
        byte[] b = new byte[3000];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt();
        }
        for (int off = 0; off < 16; off++) {
            for (int len = 0; len < 200; len++) {
                assertEquals(naiveSum(b, off, len), Checksum.sum(b, off, len, 0), "off " + off + " len " + len);
            }
        }
        for (int i = 0; i < 2000; i++) {
            int off = r.nextInt(1000);
            int len = r.nextInt(2000);
            assertEquals(naiveSum(b, off, len), Checksum.sum(b, off, len, 0));
        }
    }

    @Test
    void largestDatagramDoesNotOverflow() {
        byte[] b = new byte[65535];
        Arrays.fill(b, (byte) 0xFF);
        // 32767 words of 0xFFFF (one's-complement zero) and a last byte 0xFF padded to 0xFF00.
        assertEquals(0xFF00, Checksum.sum(b, 0, b.length, 0));
        assertEquals(0xFF00, Checksum.sum(b, 0, b.length, 0xFFFF_FFFF));
        assertEquals(0xFFFF, Checksum.sum(b, 0, b.length - 1, 0));
        assertEquals(naiveSum(b, 0, b.length), Checksum.sum(b, 0, b.length, 0));
    }

    @Test
    void rfc1624WorkedExample() {
        // RFC 1624 section 4: HC 0xDD2F, m 0x5555 -> m' 0x3285. Eqn. 3 gives 0x0000 as full
        // recomputation does (eqn. 2 of RFC 1141 wrongly gave 0xFFFF).
        assertEquals(0x0000, Checksum.update16(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    void incrementalUpdatesEqualFullRecomputationOverRandomHeaders() {
        SplittableRandom r = new SplittableRandom(42);
        byte[] h = new byte[20];
        for (int i = 0; i < 20000; i++) {
            randomHeader(r, h);
            int before = Ipv4.checksum(h, 0);
            // A 16-bit field anywhere except the checksum itself.
            int at = 2 * r.nextInt(10);
            if (at == 10) {
                at = 8;
            }
            int old = Bytes.u16(h, at);
            int neu = r.nextInt(0x10000);
            Bytes.put16(h, at, neu);
            int incremental = Checksum.update16(before, old, neu);
            assertEquals(recompute(h), incremental, "16-bit word at " + at);

            // A 32-bit field (addresses, or any aligned pair of words not covering the checksum).
            int[] wordPairs = {0, 2, 4, 6, 12, 14, 16};
            int at32 = wordPairs[r.nextInt(wordPairs.length)];
            before = Ipv4.checksum(h, 0);
            int old32 = Bytes.i32(h, at32);
            int new32 = r.nextInt();
            Bytes.put32(h, at32, new32);
            incremental = Checksum.update32(before, old32, new32);
            assertEquals(recompute(h), incremental, "32-bit field at " + at32);
        }
    }

    @Test
    void headerMutatorsKeepTheChecksumValid() {
        SplittableRandom r = new SplittableRandom(7);
        byte[] h = new byte[20];
        for (int i = 0; i < 5000; i++) {
            randomHeader(r, h);
            int ttl = Ipv4.ttl(h, 0);
            Ipv4.decrementTtl(h, 0);
            assertEquals(Math.max(0, ttl - 1), Ipv4.ttl(h, 0));
            assertTrue(Ipv4.checksumValid(h, 0));
            Ipv4.setSrc(h, 0, r.nextInt());
            assertTrue(Ipv4.checksumValid(h, 0));
            Ipv4.setDst(h, 0, r.nextInt());
            assertTrue(Ipv4.checksumValid(h, 0));
            Ipv4.setTos(h, 0, r.nextInt(256));
            Ipv4.setTtl(h, 0, r.nextInt(256));
            Ipv4.setTotalLength(h, 0, r.nextInt(0x10000));
            Ipv4.setFlagsFragment(h, 0, r.nextInt(0x10000));
            assertTrue(Ipv4.checksumValid(h, 0));
        }
    }

    @Test
    void ttlDecrementAtEveryTtlEqualsRecomputation() {
        byte[] h = hex("450000730000400040 11 b861 c0a80001 c0a800c7");
        for (int ttl = 255; ttl >= 1; ttl--) {
            Ipv4.setTtl(h, 0, ttl);
            Ipv4.decrementTtl(h, 0);
            int incremental = Ipv4.checksum(h, 0);
            Ipv4.setChecksum(h, 0);
            assertEquals(Ipv4.checksum(h, 0), incremental, "ttl " + ttl);
        }
        Ipv4.setTtl(h, 0, 0);
        Ipv4.decrementTtl(h, 0);
        assertEquals(0, Ipv4.ttl(h, 0));
        assertTrue(Ipv4.checksumValid(h, 0));
    }

    /** Full recomputation over all 20 bytes (the IHL nibble may have been randomised), stored and returned. */
    private static int recompute(byte[] h) {
        Bytes.put16(h, 10, 0);
        int c = Checksum.finish(naiveSum(h, 0, 20));
        Bytes.put16(h, 10, c);
        return c;
    }

    private static void randomHeader(SplittableRandom r, byte[] h) {
        for (int j = 0; j < 20; j++) {
            h[j] = (byte) r.nextInt();
        }
        // Version 4, IHL 5: the covered data is never all zero, where eqn. 3 and recomputation could differ in sign of zero.
        h[0] = 0x45;
        recompute(h);
    }
}
