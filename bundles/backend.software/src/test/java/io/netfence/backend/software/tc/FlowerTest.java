package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.MAC_A;
import static io.netfence.backend.software.tc.TcKit.MAC_B;
import static io.netfence.backend.software.tc.TcKit.alive;
import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.filter;
import static io.netfence.backend.software.tc.TcKit.gact;
import static io.netfence.backend.software.tc.TcKit.markBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.IpAddress;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.packet.Tcp;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.Masked;
import io.netfence.tc.api.PortRange;
import io.netfence.tc.api.SkbeditAction;
import io.netfence.tc.api.TcHook;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** flower: each key matching and not, masks, ranges, IPv4 and IPv6, which filter wins, and 100k filters over 4 masks. */
class FlowerTest {
    private static final int IP = EtherTypes.IPV4;
    private static final int IP6 = EtherTypes.IPV6;

    private static FlowerMatch flower(Consumer<FlowerMatch.Builder> keys) {
        FlowerMatch.Builder b = FlowerMatch.builder();
        keys.accept(b);
        return b.build();
    }

    /** One flower filter that drops what it matches: {@code hit} is dropped, every miss goes on. */
    private static void assertMatches(int protocol, FlowerMatch m, PacketBuilder hit, PacketBuilder... misses) {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, protocol, 0, m, gact(Control.SHOT)));
        assertFalse(alive(kit.ingress(hit.build())), "the matching frame is dropped");
        for (PacketBuilder miss : misses) {
            assertTrue(alive(kit.ingress(miss.build())), "a frame that differs in the key goes on");
        }
    }

    private static Masked v4(String prefix) {
        String[] parts = prefix.split("/");
        int len = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
        long mask = len == 0 ? 0 : (0xFFFF_FFFFL << (32 - len)) & 0xFFFF_FFFFL;
        return Masked.of(IpAddress.parse(parts[0]).lo(), mask);
    }

    private static Masked v6(String prefix) {
        String[] parts = prefix.split("/");
        int len = parts.length > 1 ? Integer.parseInt(parts[1]) : 128;
        IpAddress a = IpAddress.parse(parts[0]);
        long maskHi = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
        long maskLo = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
        return new Masked(a.hi(), a.lo(), maskHi, maskLo);
    }

    private static PacketBuilder udp4(String src, String dst, int sport, int dport) {
        return eth().ipv4(src, dst).udp(sport, dport);
    }

    @Test
    void indevMatchesThePortThePacketCameIn() {
        TcKit kit = new TcKit();
        assertNull(kit.tc.bind("eth1", TcHook.INGRESS, TcKit.BLOCK));
        kit.add(filter(0, 1, IP, 0, flower(b -> b.indev = "eth1"), gact(Control.SHOT)));
        byte[] frame = udp4("10.0.0.1", "10.0.0.2", 1, 2).build();
        assertFalse(alive(kit.ingress(TcKit.ETH1, frame)));
        assertTrue(alive(kit.ingress(TcKit.ETH0, frame)));
    }

    @Test
    void ethernetAddressesExactAndMasked() {
        assertMatches(EtherTypes.ALL, flower(b -> b.dstMac = Masked.exact(MAC_A, 48)),
                PacketBuilder.ethernet(MAC_A, MAC_B).ethType(0x88B5), PacketBuilder.ethernet(MAC_B, MAC_B).ethType(0x88B5));
        assertMatches(EtherTypes.ALL, flower(b -> b.srcMac = Masked.exact(MAC_B, 48)),
                PacketBuilder.ethernet(MAC_A, MAC_B).arpRequest(MAC_B, 1, 2), PacketBuilder.ethernet(MAC_A, MAC_A).arpRequest(MAC_A, 1, 2));
        // The group bit alone: every multicast destination.
        long group = 0x01_00_00_00_00_00L;
        assertMatches(IP, flower(b -> b.dstMac = Masked.of(group, group)),
                PacketBuilder.ethernet(0x01_00_5E_00_00_01L, MAC_B).ipv4("10.0.0.1", "224.0.0.1").udp(1, 2),
                udp4("10.0.0.1", "10.0.0.2", 1, 2));
    }

    @Test
    void vlanIdPriorityAndInnerType() {
        FlowerMatch m = flower(b -> {
            b.vlanId = 100;
            b.vlanPrio = 3;
            b.vlanEthType = IP;
        });
        assertMatches(EtherTypes.VLAN, m, eth().vlan(100, 3).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2),
                eth().vlan(100, 2).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2),
                eth().vlan(101, 3).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2),
                eth().vlan(100, 3).ipv6("2001:db8::1", "2001:db8::2").udp(1, 2),
                eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2));
        // IP keys behind the tag.
        assertMatches(EtherTypes.VLAN, flower(b -> {
            b.vlanEthType = IP;
            b.ipProto = 17;
            b.dstIp = v4("10.0.0.2");
        }), eth().vlan(5, 0).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2), eth().vlan(5, 0).ipv4("10.0.0.1", "10.0.0.3").udp(1, 2));
        // QinQ: the service tag is the protocol, the customer TPID is the type behind it.
        assertMatches(EtherTypes.QINQ, flower(b -> {
            b.vlanId = 10;
            b.vlanEthType = EtherTypes.VLAN;
        }), eth().qinq(10, 20).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2), eth().qinq(11, 20).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2));
    }

    @Test
    void ipProtocol() {
        assertMatches(IP, flower(b -> b.ipProto = 17), udp4("10.0.0.1", "10.0.0.2", 1, 2),
                eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, Tcp.SYN));
    }

    @Test
    void ipv4AddressesWithMasks() {
        assertMatches(IP, flower(b -> b.srcIp = v4("10.0.1.0/24")), udp4("10.0.1.77", "10.9.9.9", 1, 2),
                udp4("10.0.2.77", "10.9.9.9", 1, 2));
        assertMatches(IP, flower(b -> b.dstIp = v4("192.168.7.9")), udp4("10.0.0.1", "192.168.7.9", 1, 2),
                udp4("10.0.0.1", "192.168.7.8", 1, 2), udp4("192.168.7.9", "10.0.0.1", 1, 2));
        assertMatches(IP, flower(b -> {
            b.srcIp = v4("10.0.0.0/8");
            b.dstIp = v4("172.16.0.0/12");
        }), udp4("10.200.0.1", "172.31.255.1", 1, 2), udp4("10.200.0.1", "172.32.0.1", 1, 2),
                udp4("11.0.0.1", "172.16.0.1", 1, 2));
    }

    @Test
    void ipv6AddressesWithMasks() {
        assertMatches(IP6, flower(b -> b.srcIp = v6("2001:db8:1:2::/64")),
                eth().ipv6("2001:db8:1:2::99", "2001:db8::1").udp(1, 2), eth().ipv6("2001:db8:1:3::99", "2001:db8::1").udp(1, 2));
        assertMatches(IP6, flower(b -> b.dstIp = v6("2001:db8::abcd")),
                eth().ipv6("2001:db8::1", "2001:db8::abcd").udp(1, 2), eth().ipv6("2001:db8::1", "2001:db8::abce").udp(1, 2),
                eth().ipv6("2001:db8::abcd", "2001:db8::1").udp(1, 2));
        // A prefix longer than 64 bits uses both halves.
        assertMatches(IP6, flower(b -> b.dstIp = v6("2001:db8::1:0/112")),
                eth().ipv6("2001:db8::1", "2001:db8::1:ff").udp(1, 2), eth().ipv6("2001:db8::1", "2001:db8::2:ff").udp(1, 2));
        // The address keys of an IPv6 filter never see IPv4 frames.
        assertMatches(IP6, flower(b -> b.ipProto = 17), eth().ipv6("::1", "::2").udp(1, 2), udp4("10.0.0.1", "10.0.0.2", 1, 2));
    }

    @Test
    void exactPortsAndRanges() {
        assertMatches(IP, flower(b -> {
            b.ipProto = 6;
            b.dstPort = PortRange.exactly(80);
        }), eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1234, 80, Tcp.SYN), eth().ipv4("10.0.0.1", "10.0.0.2").tcp(80, 81, Tcp.SYN));
        assertMatches(IP, flower(b -> {
            b.ipProto = 17;
            b.srcPort = PortRange.exactly(53);
        }), udp4("10.0.0.1", "10.0.0.2", 53, 1), udp4("10.0.0.1", "10.0.0.2", 54, 53));
        assertMatches(IP, flower(b -> {
            b.ipProto = 17;
            b.dstPort = new PortRange(1000, 2000);
        }), udp4("10.0.0.1", "10.0.0.2", 1, 1500), udp4("10.0.0.1", "10.0.0.2", 1, 999), udp4("10.0.0.1", "10.0.0.2", 1, 2001));
        assertMatches(IP6, flower(b -> {
            b.ipProto = 6;
            b.srcPort = new PortRange(1024, 65535);
            b.dstPort = PortRange.exactly(443);
        }), eth().ipv6("::1", "::2").tcp(40000, 443, Tcp.SYN), eth().ipv6("::1", "::2").tcp(1023, 443, Tcp.SYN),
                eth().ipv6("::1", "::2").tcp(40000, 444, Tcp.SYN));
    }

    @Test
    void tcpFlagsUnderAMask() {
        // SYN set and ACK clear: a connection attempt, not its answer.
        assertMatches(IP, flower(b -> {
            b.ipProto = 6;
            b.tcpFlags = Masked.of(Tcp.SYN, Tcp.SYN | Tcp.ACK);
        }), eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, Tcp.SYN | Tcp.ECE),
                eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, Tcp.SYN | Tcp.ACK), eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, Tcp.ACK));
    }

    @Test
    void tosAndTtl() {
        // DSCP EF whatever the ECN bits.
        assertMatches(IP, flower(b -> b.ipTos = Masked.of(0xB8, 0xFC)), eth().ipv4("10.0.0.1", "10.0.0.2").tos(0xB9).udp(1, 2),
                eth().ipv4("10.0.0.1", "10.0.0.2").tos(0x00).udp(1, 2));
        assertMatches(IP6, flower(b -> b.ipTtl = Masked.of(1, 0xFF)), eth().ipv6("::1", "::2").hopLimit(1).udp(1, 2),
                eth().ipv6("::1", "::2").hopLimit(2).udp(1, 2));
        assertMatches(IP, flower(b -> b.ipTtl = Masked.of(64, 0xFF)), eth().ipv4("10.0.0.1", "10.0.0.2").ttl(64).udp(1, 2),
                eth().ipv4("10.0.0.1", "10.0.0.2").ttl(63).udp(1, 2));
    }

    @Test
    void icmpAndIcmpv6TypeAndCode() {
        assertMatches(IP, flower(b -> {
            b.ipProto = 1;
            b.icmpType = 8;
            b.icmpCode = 0;
        }), eth().ipv4("10.0.0.1", "10.0.0.2").icmpEcho(1, 1), eth().ipv4("10.0.0.1", "10.0.0.2").icmpEchoReply(1, 1));
        assertMatches(IP, flower(b -> {
            b.ipProto = 1;
            b.icmpType = 3;
            b.icmpCode = 3;
        }), eth().ipv4("10.0.0.1", "10.0.0.2").icmp(3, 3, 0), eth().ipv4("10.0.0.1", "10.0.0.2").icmp(3, 1, 0));
        assertMatches(IP6, flower(b -> {
            b.ipProto = 58;
            b.icmpType = 128;
        }), eth().ipv6("::1", "::2").icmpv6Echo(1, 1), eth().ipv6("::1", "::2").icmpv6EchoReply(1, 1));
        // Code 0 is a value, not "absent": a packet without ICMP never has it.
        assertMatches(IP, flower(b -> {
            b.ipProto = 1;
            b.icmpCode = 0;
        }), eth().ipv4("10.0.0.1", "10.0.0.2").icmpEcho(1, 1), eth().ipv4("10.0.0.1", "10.0.0.2").icmp(3, 1, 0));
    }

    @Test
    void theProtocolOfTheInstanceComesFirst() {
        // protocol all with a MAC key sees ARP and IP alike; protocol ip does not see ARP.
        FlowerMatch mac = flower(b -> b.dstMac = Masked.exact(MAC_A, 48));
        assertMatches(EtherTypes.ALL, mac, PacketBuilder.ethernet(MAC_A, MAC_B).arpRequest(MAC_B, 1, 2),
                PacketBuilder.ethernet(MAC_B, MAC_A).arpRequest(MAC_A, 1, 2));
        assertMatches(IP, mac, udp4("10.0.0.1", "10.0.0.2", 1, 2), PacketBuilder.ethernet(MAC_A, MAC_B).arpRequest(MAC_B, 1, 2));
    }

    @Test
    void amongFiltersOfDifferentMasksTheLowestHandleWins() {
        for (boolean lowFirst : new boolean[] {true, false}) {
            TcKit kit = new TcKit();
            var low = filter(0, 1, IP, 10, flower(b -> b.ipProto = 17), markBits(1));
            var high = filter(0, 1, IP, 20, flower(b -> b.dstIp = v4("10.0.0.2")), markBits(2));
            kit.add(lowFirst ? low : high);
            kit.add(lowFirst ? high : low);
            assertEquals(1, kit.ingress(udp4("10.0.0.1", "10.0.0.2", 1, 2).build()).mark, "handle 10 ran, handle 20 did not");
            assertEquals(2, kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, Tcp.SYN).build()).mark, "only handle 20 matches TCP");
        }
        // The group holding the smallest handle (1) matches with handle 30; another group matches with 20.
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, IP, 1, flower(b -> {
            b.ipProto = 17;
            b.dstIp = v4("10.9.9.9");
        }), markBits(1)));
        kit.add(filter(0, 1, IP, 30, flower(b -> {
            b.ipProto = 17;
            b.dstIp = v4("10.0.0.2");
        }), markBits(2)));
        kit.add(filter(0, 1, IP, 20, flower(b -> b.ipProto = 17), markBits(4)));
        assertEquals(4, kit.ingress(udp4("10.0.0.1", "10.0.0.2", 1, 2).build()).mark, "handle 20 beats handle 30 of an earlier group");
        assertEquals(1, kit.ingress(udp4("10.0.0.1", "10.9.9.9", 1, 2).build()).mark);
    }

    @Test
    void rangesSharingTheRestOfTheKeyAreToldApartInHandleOrder() {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, IP, 5, flower(b -> {
            b.ipProto = 17;
            b.dstPort = new PortRange(1000, 1999);
        }), markBits(1)));
        kit.add(filter(0, 1, IP, 3, flower(b -> {
            b.ipProto = 17;
            b.dstPort = new PortRange(1500, 2500);
        }), markBits(2)));
        assertEquals(2, kit.ingress(udp4("10.0.0.1", "10.0.0.2", 1, 1600).build()).mark);
        assertEquals(1, kit.ingress(udp4("10.0.0.1", "10.0.0.2", 1, 1200).build()).mark);
        assertEquals(2, kit.ingress(udp4("10.0.0.1", "10.0.0.2", 1, 2400).build()).mark);
        assertEquals(0, kit.ingress(udp4("10.0.0.1", "10.0.0.2", 1, 3000).build()).mark);
    }

    /**
     * 100,000 filters in one instance over four masks, each setting the mark to its handle: every
     * sampled packet finds its own filter, and a near miss finds none. (Speed is for benchmarks.)
     */
    @Test
    void aHundredThousandFiltersOverFourMasksEachFindTheirPacket() {
        int perMask = 25_000;
        TcKit kit = new TcKit();
        for (int i = 0; i < perMask; i++) {
            int n = i;
            offer(kit, 1 + n, flower(b -> {
                b.ipProto = 17;
                b.dstIp = Masked.of(0x0A00_0000L | n, 0xFFFF_FFFFL);
                b.dstPort = PortRange.exactly(5000 + n % 1000);
            }));
            offer(kit, 1 + perMask + n, flower(b -> {
                b.ipProto = 6;
                b.srcIp = Masked.of(0x0B00_0000L | ((long) n << 8), 0xFFFF_FF00L);
            }));
            offer(kit, 1 + 2 * perMask + n, flower(b -> b.dstMac = Masked.exact(0x02AA_0000_0000L | n, 48)));
            offer(kit, 1 + 3 * perMask + n, flower(b -> {
                b.ipProto = 17;
                b.srcIp = Masked.of(0x0C00_0000L | n, 0xFFFF_FFFFL);
                b.srcPort = PortRange.exactly(6000 + n % 1000);
            }));
        }
        kit.tc.commit();
        SplittableRandom random = new SplittableRandom(42);
        for (int t = 0; t < 2000; t++) {
            int n = random.nextInt(perMask);
            String a = ip(0x0A00_0000 | n);
            assertEquals(1 + n, kit.ingress(udp4("9.9.9.9", a, 7, 5000 + n % 1000).build()).mark, "udp to " + a);
            String b = ip(0x0B00_0000 | (n << 8) | 77);
            assertEquals(1 + perMask + n, kit.ingress(eth().ipv4(b, "9.9.9.9").tcp(1, 2, Tcp.SYN).build()).mark, "tcp from " + b);
            PacketBuilder icmp = PacketBuilder.ethernet(0x02AA_0000_0000L | n, MAC_B).ipv4("9.9.9.9", "9.9.9.8").icmpEcho(1, 1);
            assertEquals(1 + 2 * perMask + n, kit.ingress(icmp.build()).mark, "to mac " + n);
            String d = ip(0x0C00_0000 | n);
            assertEquals(1 + 3 * perMask + n, kit.ingress(udp4(d, "9.9.9.9", 6000 + n % 1000, 7).build()).mark, "udp from " + d);
        }
        PacketBuffer nearMiss = kit.ingress(udp4("9.9.9.9", ip(0x0A00_0005), 7, 5006).build());
        assertEquals(0, nearMiss.mark);
        assertTrue(alive(nearMiss));
    }

    /**
     * Filters committed one at a time (added in place into their mask groups, which grow and
     * reorder as they go) classify exactly as the same filters compiled at once: handles come in
     * random order, masks arrive late, keys repeat with port ranges.
     */
    @Test
    void filtersAddedOneByOneClassifyAsTheSameFiltersAddedAtOnce() {
        int n = 6000;
        List<Long> handles = new java.util.ArrayList<>();
        for (long h = 1; h <= n; h++) {
            handles.add(h);
        }
        java.util.Collections.shuffle(handles, new java.util.Random(7));
        TcKit once = new TcKit();
        TcKit oneByOne = new TcKit();
        for (int i = 0; i < n; i++) {
            long handle = handles.get(i);
            int k = (int) (handle % 1500);
            FlowerMatch m = switch ((int) (handle % 4)) {
                case 0 -> flower(b -> b.dstIp = Masked.of(0x0A00_0000L | k, 0xFFFF_FFFFL));
                case 1 -> flower(b -> {
                    b.ipProto = 17;
                    b.dstIp = Masked.of(0x0A00_0000L | k, 0xFFFF_FFFFL);
                    b.dstPort = new PortRange(1000 + (int) (handle % 7) * 10, 1009 + (int) (handle % 7) * 10);
                });
                case 2 -> flower(b -> b.srcIp = Masked.of(0x0B00_0000L | ((long) k << 8), 0xFFFF_FF00L));
                default -> i < n / 2 ? flower(b -> b.dstMac = Masked.exact(0x02AA_0000_0000L | k, 48))
                        : flower(b -> b.ipTtl = Masked.of(k & 0xFF, 0xFF)); // a fifth mask, only late
            };
            offer(once, handle, m);
            offer(oneByOne, handle, m);
            oneByOne.tc.commit();
        }
        once.tc.commit();
        SplittableRandom random = new SplittableRandom(11);
        int matched = 0;
        for (int t = 0; t < 4000; t++) {
            int k = random.nextInt(1600);
            int port = 995 + random.nextInt(80);
            byte[] frame = switch (t % 3) {
                case 0 -> udp4(ip(0x0B00_0000 | (k << 8) | 5), ip(0x0A00_0000 | k), 7, port).build();
                case 1 -> PacketBuilder.ethernet(0x02AA_0000_0000L | k, MAC_B).ipv4("9.9.9.9", ip(0x0A00_0000 | k)).ttl(k & 0xFF)
                        .udp(7, port).build();
                default -> eth().ipv4(ip(0x0C00_0000 | k), "9.9.9.9").ttl(k & 0xFF).tcp(1, 2, Tcp.SYN).build();
            };
            int mark = once.ingress(frame).mark;
            assertEquals(mark, oneByOne.ingress(frame).mark, "packet " + t);
            matched += mark != 0 ? 1 : 0;
        }
        assertTrue(matched > 1000 && matched < 4000, "hits and misses both: " + matched + " of 4000 matched");
    }

    /**
     * A worker classifies all the time while filters are added one at a time (in place): it never
     * fails and never sees a filter half there — a packet either finds its own filter or none —
     * and once the adds are done every packet finds its filter.
     */
    @Test
    void aWorkerClassifyingWhileFiltersAreAddedSeesEachEitherWholeOrNotYet() throws Exception {
        int n = 4000;
        TcKit kit = new TcKit();
        offer(kit, 1, flower(b -> b.dstIp = Masked.of(0x0A00_0000L, 0xFFFF_FFFFL)));
        kit.tc.commit();
        java.util.concurrent.atomic.AtomicBoolean adding = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicLong checked = new java.util.concurrent.atomic.AtomicLong();
        Thread worker = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(3);
            try {
                while (adding.get()) {
                    int k = random.nextInt(n);
                    int mark = kit.ingress(udp4("9.9.9.9", ip(0x0A00_0000 | k), 7, 9).build()).mark;
                    if (mark != 0 && mark != k + 1) {
                        throw new AssertionError("packet for filter " + (k + 1) + " ran filter " + mark);
                    }
                    checked.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        for (int k = 1; k < n; k++) {
            int key = k;
            offer(kit, k + 1, flower(b -> b.dstIp = Masked.of(0x0A00_0000L | key, 0xFFFF_FFFFL)));
            kit.tc.commit();
        }
        adding.set(false);
        worker.join(10_000);
        assertNull(failure.get(), () -> "the worker failed: " + failure.get());
        assertTrue(checked.get() > 0, "the worker classified while filters were added");
        for (int k = 0; k < n; k++) {
            assertEquals(k + 1, kit.ingress(udp4("9.9.9.9", ip(0x0A00_0000 | k), 7, 9).build()).mark);
        }
    }

    private static void offer(TcKit kit, long handle, FlowerMatch m) {
        SkbeditAction mark = new SkbeditAction(0, Control.PIPE, handle, 0xFFFF_FFFFL, -1);
        assertNull(kit.offer(filter(0, 1, IP, handle, m, mark)));
    }

    private static String ip(int bits) {
        return IpAddress.v4(bits).toString();
    }
}
