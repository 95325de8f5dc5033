package io.netfence.packet;

import static io.netfence.packet.Frames.IP_A;
import static io.netfence.packet.Frames.IP_B;
import static io.netfence.packet.Frames.MAC_A;
import static io.netfence.packet.Frames.MAC_B;
import static io.netfence.packet.Frames.V6_A_HI;
import static io.netfence.packet.Frames.V6_A_LO;
import static io.netfence.packet.Frames.V6_B_HI;
import static io.netfence.packet.Frames.V6_B_LO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded, reproducible fuzzing: random and randomly mutated frames go through the dissector with
 * the frame flush against the end of its array, so any read past the frame would throw. Nothing
 * may throw, every result must be -1 or a DropReason ordinal, and the offsets in an accepted key
 * must lie inside the frame.
 */
class FlowDissectorFuzzTest {
    private static final int[] ETHER_TYPES = {0x0800, 0x86DD, 0x0806, 0x8100, 0x88A8, 0x88CC};
    private static final int[] NEXT_HEADERS = {0, 6, 17, 43, 44, 50, 51, 58, 59, 60, 132, 1};
    private static final int[] INTERESTING = {0, 1, 2, 4, 5, 6, 7, 8, 0x0F, 0x10, 17, 20, 40, 43, 44, 50, 51, 58, 59, 60,
        0x40, 0x45, 0x4F, 0x60, 0x7F, 0x80, 0x81, 0x86, 0x88, 0xDD, 0xFE, 0xFF};

    private final PacketBuffer p = new PacketBuffer(2048);
    private final int[] seen = new int[DropReason.count() + 1];

    private static List<byte[]> templates() {
        List<byte[]> t = new ArrayList<>();
        PacketBuilder v4 = PacketBuilder.ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B);
        t.add(v4.udp(1, 2).payload(new byte[12]).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).tcp(1, 2, Tcp.SYN).payload(new byte[12]).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).icmpEcho(1, 2).payload(new byte[8]).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).esp(1, 2).payload(new byte[24]).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).ipv4Options(new byte[] {1, 1, 1, 0}).tcp(1, 2, Tcp.ACK).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).fragment(0, true, 3).udp(1, 2).payload(new byte[16]).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv4(IP_A, IP_B).fragment(16, false, 3).protocol(17).payload(new byte[16]).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).vlan(5, 1).ipv4(IP_A, IP_B).udp(1, 2).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).qinq(5, 6).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).udp(1, 2).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).arpRequest(MAC_A, IP_A, IP_B).build());
        PacketBuilder v6 = PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO);
        t.add(v6.udp(1, 2).payload(new byte[8]).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO)
                .extensionHeader(Ipv6.HOPOPTS, 8).extensionHeader(Ipv6.ROUTING, 16).fragment(0, true, 9)
                .authenticationHeader(4, 5).extensionHeader(Ipv6.DSTOPTS, 8).tcp(1, 2, Tcp.SYN).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO)
                .fragment(64, false, 9).protocol(6).payload(new byte[8]).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).icmpv6Echo(1, 2).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).neighborSolicit(V6_B_HI, V6_B_LO, MAC_A).build());
        t.add(PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO).esp(7, 8).payload(new byte[16]).build());
        PacketBuilder chain = PacketBuilder.ethernet(MAC_B, MAC_A).ipv6(V6_A_HI, V6_A_LO, V6_B_HI, V6_B_LO);
        for (int i = 0; i < 9; i++) {
            chain.extensionHeader(Ipv6.DSTOPTS, 8);
        }
        t.add(chain.udp(1, 2).build());
        t.add(ChecksumTest.LINUX_ICMP_PORT_UNREACH);
        t.add(ChecksumTest.LINUX_ICMPV6_PORT_UNREACH);
        return t;
    }

    @Test
    void randomFrames() {
        SplittableRandom r = new SplittableRandom(0xF00D);
        for (int i = 0; i < 30000; i++) {
            byte[] f = new byte[r.nextInt(200)];
            for (int j = 0; j < f.length; j++) {
                f[j] = (byte) r.nextInt();
            }
            // Steer most frames past the Ethernet header so deeper parsers see random bytes too.
            if (f.length >= 14 && r.nextInt(4) != 0) {
                Bytes.put16(f, 12, ETHER_TYPES[r.nextInt(ETHER_TYPES.length)]);
                int l3 = 14;
                while (Vlan.isTpid(Ethernet.type(f, 0)) && f.length >= l3 + 4 && r.nextBoolean()) {
                    Bytes.put16(f, l3 + 2, ETHER_TYPES[r.nextInt(3)]);
                    l3 += 4;
                }
                steer(r, f, Bytes.u16(f, l3 - 2), l3);
            }
            check(f, i);
        }
    }

    @Test
    void mutatedFrames() {
        SplittableRandom r = new SplittableRandom(0xBADC0DE);
        List<byte[]> templates = templates();
        for (byte[] t : templates) {
            check(t, -1);
        }
        for (int i = 0; i < 60000; i++) {
            byte[] f = templates.get(r.nextInt(templates.size())).clone();
            int mutations = 1 + r.nextInt(4);
            for (int m = 0; m < mutations && f.length > 0; m++) {
                switch (r.nextInt(6)) {
                    case 0 -> f[r.nextInt(f.length)] ^= (byte) (1 << r.nextInt(8));
                    case 1 -> f[r.nextInt(f.length)] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
                    case 2 -> f = Arrays.copyOf(f, r.nextInt(f.length + 1));
                    case 3 -> {
                        int extra = 1 + r.nextInt(40);
                        int old = f.length;
                        f = Arrays.copyOf(f, old + extra);
                        for (int j = old; j < f.length; j++) {
                            f[j] = (byte) r.nextInt();
                        }
                    }
                    case 4 -> {
                        // Smash a 16-bit field where length fields live in the common layouts.
                        int[] at = {16, 18, 20, 38, 42, 46, 58, 60, 66};
                        int o = at[r.nextInt(at.length)];
                        if (o + 2 <= f.length) {
                            Bytes.put16(f, o, r.nextBoolean() ? r.nextInt(0x10000) : f.length - 14 + r.nextInt(-8, 9));
                        }
                    }
                    default -> {
                        int o = 14 + 40 + 8 * r.nextInt(8) + r.nextInt(2);
                        if (o < f.length) {
                            f[o] = (byte) (o % 2 == 0 ? NEXT_HEADERS[r.nextInt(NEXT_HEADERS.length)] : r.nextInt(256));
                        }
                    }
                }
            }
            // Half the time re-sum the IPv4 header so the mutation is seen by the layers behind it.
            if (r.nextBoolean() && f.length >= 34 && Ethernet.type(f, 0) == FlowKey.ETH_P_IPV4) {
                int ihl = Ipv4.headerLength(f, 14);
                if (ihl >= 20 && 14 + ihl <= f.length) {
                    Ipv4.setChecksum(f, 14);
                }
            }
            check(f, i);
        }
        Set<DropReason> reached = EnumSet.noneOf(DropReason.class);
        for (int c = 0; c < DropReason.count(); c++) {
            if (seen[c] > 0) {
                reached.add(DropReason.of(c));
            }
        }
        // The mutations must reach every check of the dissector (else the fuzzing proves little).
        Set<DropReason> expected = EnumSet.range(DropReason.TRUNCATED_ETHERNET, DropReason.BAD_L4_HEADER);
        expected.remove(DropReason.TRUNCATED_VLAN);
        expected.remove(DropReason.BAD_IPV6_ADDRESS);
        expected.remove(DropReason.BAD_IPV4_ADDRESS);
        assertTrue(reached.containsAll(expected), "not reached: " + difference(expected, reached));
        assertTrue(seen[DropReason.count()] > 5000, "accepted only " + seen[DropReason.count()]);
    }

    private static Set<DropReason> difference(Set<DropReason> a, Set<DropReason> b) {
        Set<DropReason> d = EnumSet.copyOf(a);
        d.removeAll(b);
        return d;
    }

    private static void steer(SplittableRandom r, byte[] f, int type, int l3) {
        if (type == FlowKey.ETH_P_IPV4 && f.length >= l3 + 20) {
            f[l3] = (byte) (0x40 | (r.nextInt(3) == 0 ? r.nextInt(16) : 5));
            if (r.nextBoolean()) {
                Bytes.put16(f, l3 + 2, f.length - l3 - r.nextInt(3));
            }
            f[l3 + 9] = (byte) NEXT_HEADERS[r.nextInt(NEXT_HEADERS.length)];
            int ihl = Ipv4.headerLength(f, l3);
            if (ihl >= 20 && l3 + ihl <= f.length && r.nextInt(4) != 0) {
                Ipv4.setChecksum(f, l3);
            }
        } else if (type == FlowKey.ETH_P_IPV6 && f.length >= l3 + 40) {
            f[l3] = (byte) (0x60 | (f[l3] & 0x0F));
            if (r.nextBoolean()) {
                Ipv6.setPayloadLength(f, l3, f.length - l3 - 40 - r.nextInt(3));
            }
            f[l3 + 6] = (byte) NEXT_HEADERS[r.nextInt(NEXT_HEADERS.length)];
            f[l3 + 8] &= 0x7F; // mostly not a multicast source
        }
    }

    private void check(byte[] f, int iteration) {
        int code;
        try {
            code = Frames.dissect(p, f);
        } catch (RuntimeException e) {
            fail("iteration " + iteration + ": dissect threw on " + HexFormat.of().formatHex(f), e);
            return;
        }
        assertTrue(code == -1 || (code >= 0 && code < DropReason.count()), "code " + code);
        seen[code < 0 ? DropReason.count() : code]++;
        int start = p.offset;
        int end = p.offset + p.length;
        FlowKey k = p.key;
        if (code == -1) {
            try {
                FlowDissector.l4ChecksumValid(p);
            } catch (RuntimeException e) {
                fail("iteration " + iteration + ": l4ChecksumValid threw on " + HexFormat.of().formatHex(f), e);
            }
            assertEquals(start, k.l2Offset);
            for (int o : new int[] {k.l3Offset, k.l4Offset, k.payloadOffset}) {
                assertTrue(o == -1 || (o >= start && o <= end), "offset " + o + " outside " + start + ".." + end);
            }
            assertTrue(k.l4Offset == -1 || k.l4Offset >= k.l3Offset);
            assertTrue(k.payloadOffset == -1 || k.payloadOffset >= k.l4Offset);
        }
        // Deterministic: the same bytes give the same answer.
        assertEquals(code, Frames.dissect(p, f));
    }
}
