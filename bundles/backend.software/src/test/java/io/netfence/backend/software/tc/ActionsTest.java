package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.alive;
import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.filter;
import static io.netfence.backend.software.tc.TcKit.gact;
import static io.netfence.backend.software.tc.TcKit.markBits;
import static io.netfence.backend.software.tc.TcKit.matchAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.Bytes;
import io.netfence.packet.DropReason;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.Ipv4;
import io.netfence.packet.Ipv6;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.Tcp;
import io.netfence.packet.Udp;
import io.netfence.packet.Vlan;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.CsumAction;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.GactAction;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.MirredAction;
import io.netfence.tc.api.PeditAction;
import io.netfence.tc.api.PeditAction.Cmd;
import io.netfence.tc.api.PeditAction.Header;
import io.netfence.tc.api.PoliceAction;
import io.netfence.tc.api.SampleAction;
import io.netfence.tc.api.SkbeditAction;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcStats;
import io.netfence.tc.api.VlanAction;
import io.netfence.tc.spi.ClsStats;
import io.netfence.tc.spi.SharedAction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every action and control, their counters, shared counters, police under several workers. */
class ActionsTest {
    private static final int TC_DROP = DropReason.TC_DROP.ordinal();

    private static byte[] udp4() {
        return eth().ipv4("10.0.0.1", "10.0.0.2").udp(1000, 2000).build();
    }

    private static byte[] tcp4() {
        return eth().ipv4("10.0.0.1", "10.0.0.2").ttl(64).tcp(1234, 80, Tcp.SYN).payload(new byte[] {1, 2, 3}).build();
    }

    // --- gact ------------------------------------------------------------------------------------

    @Test
    void passEndsClassificationAndShotDropsAndCounts() {
        TcKit kit = new TcKit();
        long pass = kit.add(filter(0, 1, EtherTypes.IPV4, 0, new MatchAll(), gact(Control.OK)));
        long drop = kit.add(matchAll(0, 2, gact(Control.SHOT)));
        assertTrue(alive(kit.ingress(udp4())), "ok: prio 2 not reached");
        PacketBuffer arp = kit.ingress(eth().arpRequest(TcKit.MAC_B, 1, 2).build());
        assertEquals(TC_DROP, arp.dropReason);
        ClsStats s = kit.stats(drop);
        assertEquals(1, s.filter().packets());
        assertEquals(1, s.filter().drops());
        assertEquals(1, s.actions().get(0).drops());
        assertEquals(arp.length - 14, s.actions().get(0).bytes(), "at ingress, without the Ethernet header (ByteCountTest)");
        assertTrue(s.actions().get(0).lastUsedMillis() > 0);
        assertEquals(1, kit.stats(pass).filter().packets());
        assertEquals(0, kit.stats(pass).filter().drops());
    }

    @Test
    void pipeRunsTheNextActionAndTrapLetsThePacketGo() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, gact(Control.PIPE), markBits(1), gact(Control.TRAP), markBits(2)));
        kit.add(matchAll(0, 2, gact(Control.SHOT)));
        PacketBuffer p = kit.ingress(udp4());
        assertTrue(alive(p));
        assertEquals(1, p.mark, "trap ended the list and the classification");
    }

    @Test
    void stolenWithoutARedirectTakesThePacketAway() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, gact(Control.STOLEN)));
        assertEquals(TC_DROP, kit.ingress(udp4()).dropReason);
    }

    @Test
    void jumpSkipsTheNextActions() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, gact(Control.jump(2)), markBits(1), markBits(2), markBits(4), gact(Control.jump(5)), markBits(8)));
        PacketBuffer p = kit.ingress(udp4());
        assertEquals(4, p.mark, "jump 2 skipped two marks; jump 5 ran past the end");
        assertTrue(alive(p));
    }

    @Test
    void randomDetermGivesEveryNthPacketTheOtherControl() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, new GactAction(0, Control.OK, GactAction.RandomKind.DETERM, Control.SHOT, 3)));
        StringBuilder fates = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            fates.append(alive(kit.ingress(udp4())) ? 'o' : 'x');
        }
        assertEquals("ooxooxoox", fates.toString());
        assertEquals(3, kit.stats(cookie).actions().get(0).drops());
    }

    @Test
    void randomNetrandGivesTheOtherControlWithProbabilityOneInN() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new GactAction(0, Control.OK, GactAction.RandomKind.NETRAND, Control.SHOT, 4)));
        int dropped = 0;
        for (int i = 0; i < 10_000; i++) {
            dropped += alive(kit.ingress(udp4())) ? 0 : 1;
        }
        // 2500 expected, standard deviation 43: these bounds are 11 deviations away.
        assertTrue(dropped > 2000 && dropped < 3000, dropped + " of 10000 dropped");
    }

    // --- mirred ----------------------------------------------------------------------------------

    @Test
    void mirredEgressRedirectSetsTheOutPort() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, new MirredAction(0, null, false, true, "eth2")));
        kit.add(matchAll(0, 2, gact(Control.SHOT)));
        byte[] frame = udp4();
        PacketBuffer p = kit.ingress(frame);
        assertTrue(alive(p));
        assertEquals(TcKit.ETH2, p.outPort);
        assertArrayEquals(frame, p.toByteArray(), "redirected untouched");
        assertEquals(1, kit.stats(cookie).actions().get(0).packets());
    }

    @Test
    void mirredAtEgressSendsThePacketToAnotherPort() {
        TcKit kit = new TcKit();
        assertNull(kit.tc.bind("eth1", TcHook.EGRESS, TcKit.BLOCK));
        kit.add(matchAll(0, 1, new MirredAction(0, Control.STOLEN, false, true, "eth0")));
        PacketBuffer p = kit.egress(TcKit.ETH1, udp4());
        assertTrue(alive(p));
        assertEquals(TcKit.ETH0, p.outPort);
    }

    /** Records what mirred asked of the packet path; says yes while {@code room} lasts. */
    static final class RecordingContext implements io.netfence.net.spi.StageContext {
        final List<String> asked = new java.util.ArrayList<>();
        int room;

        RecordingContext(int room) {
            this.room = room;
        }

        @Override
        public boolean mirror(PacketBuffer p, int port, boolean ingress) {
            asked.add("mirror " + port + (ingress ? " ingress" : " egress"));
            return room-- > 0;
        }

        @Override
        public boolean redirectIngress(PacketBuffer p, int port) {
            asked.add("redirect " + port + " ingress");
            if (room-- <= 0) {
                return false;
            }
            p.dropReason = Integer.MAX_VALUE; // what the dataplane does: handed on, not dropped
            return true;
        }
    }

    @Test
    void mirredMirrorAsksForACopyAndTheListGoesOn() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, new MirredAction(0, null, false, false, "eth1"),
                new MirredAction(0, null, true, false, "eth2"), gact(Control.OK)));
        RecordingContext ctx = new RecordingContext(1);
        PacketBuffer p = kit.ingress(udp4(), ctx);
        assertTrue(alive(p), "a mirror keeps the packet");
        assertEquals(-1, p.outPort);
        assertEquals(List.of("mirror " + TcKit.ETH1 + " egress", "mirror " + TcKit.ETH2 + " ingress"), ctx.asked);
        assertEquals(0, kit.stats(cookie).actions().get(0).overlimits());
        assertEquals(1, kit.stats(cookie).actions().get(1).overlimits(), "the copy that could not be made counts as an overlimit");
    }

    @Test
    void mirredIngressRedirectHandsThePacketOverOrDropsIt() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, new MirredAction(0, null, true, true, "eth2")));
        RecordingContext ctx = new RecordingContext(1);
        PacketBuffer p = kit.ingress(udp4(), ctx);
        assertEquals(List.of("redirect " + TcKit.ETH2 + " ingress"), ctx.asked);
        assertEquals(Integer.MAX_VALUE, p.dropReason, "handed over, not dropped");
        PacketBuffer refused = kit.ingress(udp4(), ctx);
        assertEquals(TC_DROP, refused.dropReason, "nested too deep: dropped");
        assertEquals(1, kit.stats(cookie).actions().get(0).overlimits());
    }

    // --- vlan ------------------------------------------------------------------------------------

    @Test
    void vlanPushTagsTheFrameAndPopRestoresIt() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new VlanAction(0, null, VlanAction.Op.PUSH, 42, 5, EtherTypes.VLAN)));
        byte[] frame = udp4();
        PacketBuffer p = kit.ingress(frame);
        assertTrue(alive(p));
        assertEquals(frame.length + 4, p.length);
        assertEquals(EtherTypes.VLAN, Vlan.tpid(p.data, p.offset + 12));
        assertEquals(42, Vlan.vid(p.data, p.offset + 12));
        assertEquals(5, Vlan.pcp(p.data, p.offset + 12));
        assertEquals(42, p.key.vlanId, "the key follows the frame");
        assertEquals(p.key.l3Offset, p.offset + 18);

        TcKit popper = new TcKit();
        popper.add(matchAll(0, 1, new VlanAction(0, null, VlanAction.Op.POP, 0, -1, 0)));
        PacketBuffer popped = popper.ingress(p.toByteArray());
        assertArrayEquals(frame, popped.toByteArray());
        assertEquals(-1, popped.key.vlanId);
        assertArrayEquals(frame, popper.ingress(frame).toByteArray(), "pop of an untagged frame does nothing");
    }

    @Test
    void vlanModifyRewritesIdAndKeepsPriorityUnlessGiven() {
        byte[] tagged = eth().vlan(10, 6).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new VlanAction(0, null, VlanAction.Op.MODIFY, 20, -1, 0)));
        PacketBuffer p = kit.ingress(tagged);
        assertEquals(20, Vlan.vid(p.data, p.offset + 12));
        assertEquals(6, Vlan.pcp(p.data, p.offset + 12));
        assertEquals(20, p.key.vlanId);

        TcKit qinq = new TcKit();
        qinq.add(matchAll(0, 1, new VlanAction(0, null, VlanAction.Op.MODIFY, 30, 1, EtherTypes.QINQ)));
        PacketBuffer q = qinq.ingress(tagged);
        assertEquals(EtherTypes.QINQ, Vlan.tpid(q.data, q.offset + 12));
        assertEquals(30, Vlan.vid(q.data, q.offset + 12));
        assertEquals(1, Vlan.pcp(q.data, q.offset + 12));
        byte[] untagged = udp4();
        assertArrayEquals(untagged, qinq.ingress(untagged).toByteArray(), "modify of an untagged frame does nothing");
    }

    @Test
    void aPushedTagIsSeenByTheNextInstance() {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, EtherTypes.IPV4, 0, new MatchAll(),
                new VlanAction(0, null, VlanAction.Op.PUSH, 7, 0, EtherTypes.VLAN), gact(Control.CONTINUE)));
        kit.add(filter(0, 2, EtherTypes.IPV4, 0, new MatchAll(), markBits(1)));
        kit.add(filter(0, 3, EtherTypes.VLAN, 0, new MatchAll(), markBits(2)));
        assertEquals(2, kit.ingress(udp4()).mark);
    }

    // --- pedit and csum --------------------------------------------------------------------------

    @Test
    void peditDecrementsTheTtlAndCsumFixesTheHeader() {
        TcKit kit = new TcKit();
        // pedit ex munge ip ttl add 0xff pipe csum ip
        kit.add(matchAll(0, 1, new PeditAction(0, Control.PIPE, List.of(new PeditAction.Key(Header.IP4, 8, 0xFF00_0000, 0x00FF_FFFF, Cmd.ADD))),
                new CsumAction(0, null, CsumAction.IPH)));
        PacketBuffer p = kit.ingress(tcp4());
        assertTrue(alive(p));
        assertEquals(63, Ipv4.ttl(p.data, p.key.l3Offset));
        assertEquals(63, p.key.ttl, "the key was dissected again");
        assertTrue(Ipv4.checksumValid(p.data, p.key.l3Offset));
    }

    @Test
    void aHeaderLeftWithABadChecksumIsDroppedAsTheStackWould() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new PeditAction(0, Control.OK, List.of(new PeditAction.Key(Header.IP4, 8, 0xFF00_0000, 0x00FF_FFFF, Cmd.ADD)))));
        assertEquals(DropReason.BAD_IPV4_CHECKSUM.ordinal(), kit.ingress(tcp4()).dropReason);
    }

    @Test
    void peditOfTransportAndEthernetWordsWithTheirChecksums() {
        TcKit kit = new TcKit();
        PeditAction pedit = new PeditAction(0, Control.PIPE, List.of(
                new PeditAction.Key(Header.TCP, 0, 8080, 0xFFFF_0000, Cmd.SET),
                new PeditAction.Key(Header.ETH, 0, 0x0211_2233, 0, Cmd.SET),
                new PeditAction.Key(Header.ETH, 4, 0x4455_0000, 0x0000_FFFF, Cmd.SET)));
        kit.add(matchAll(0, 1, pedit, new CsumAction(0, null, CsumAction.TCP | CsumAction.IPH)));
        PacketBuffer p = kit.ingress(tcp4());
        assertTrue(alive(p));
        assertEquals(8080, p.key.dstPort);
        assertEquals(1234, p.key.srcPort);
        assertEquals(0x0211_2233_4455L, p.key.ethDst);
        assertEquals(TcKit.MAC_B, p.key.ethSrc);
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void aKeyForAHeaderTheFrameLacksStopsTheActionAndCountsAnOverlimit() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, new PeditAction(0, Control.PIPE, List.of(new PeditAction.Key(Header.TCP, 0, 1, 0xFFFF_0000, Cmd.SET))),
                markBits(1)));
        byte[] frame = udp4();
        PacketBuffer p = kit.ingress(frame);
        assertArrayEquals(frame, p.toByteArray());
        assertEquals(1, p.mark, "the action's control still applies");
        assertEquals(1, kit.stats(cookie).actions().get(0).overlimits());
    }

    @Test
    void peditOfIpv6NeedsNoChecksum() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new PeditAction(0, Control.OK, List.of(new PeditAction.Key(Header.IP6, 4, 5, 0xFFFF_FF00, Cmd.SET)))));
        PacketBuffer p = kit.ingress(eth().ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).build());
        assertTrue(alive(p));
        assertEquals(5, Ipv6.hopLimit(p.data, p.key.l3Offset));
        assertTrue(FlowDissector.l4ChecksumValid(p));
    }

    @Test
    void csumRecomputesTransportChecksumsOfBothFamilies() {
        assertCsumRepairs(eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(new byte[] {9, 9, 9}).build(), 6, CsumAction.UDP);
        assertCsumRepairs(tcp4(), 16, CsumAction.TCP);
        assertCsumRepairs(eth().ipv4("10.0.0.1", "10.0.0.2").icmpEcho(7, 1).build(), 2, CsumAction.ICMP);
        assertCsumRepairs(eth().ipv6("2001:db8::1", "2001:db8::2").tcp(1, 2, Tcp.ACK).build(), 16, CsumAction.TCP);
        assertCsumRepairs(eth().ipv6("2001:db8::1", "2001:db8::2").udp(1, 2).build(), 6, CsumAction.UDP);
        assertCsumRepairs(eth().ipv6("2001:db8::1", "2001:db8::2").icmpv6Echo(7, 1).build(), 2, CsumAction.ICMP);
    }

    /** Breaks the checksum at {@code checksumAt} past the transport header; csum with {@code flag} repairs it. */
    private static void assertCsumRepairs(byte[] frame, int checksumAt, int flag) {
        PacketBuffer probe = TcKit.packet(frame, TcKit.ETH0, -1);
        int at = probe.key.l4Offset - probe.offset + checksumAt;
        frame[at] ^= 0x5A;
        assertFalse(FlowDissector.l4ChecksumValid(TcKit.packet(frame, TcKit.ETH0, -1)), "broken");
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new CsumAction(0, null, flag)));
        PacketBuffer p = kit.ingress(frame);
        assertTrue(alive(p));
        assertTrue(FlowDissector.l4ChecksumValid(p), "repaired");
    }

    @Test
    void aUdpIpv4ChecksumOfZeroMeansNoneAndStaysZero() {
        byte[] frame = udp4();
        PacketBuffer probe = TcKit.packet(frame, TcKit.ETH0, -1);
        Bytes.put16(frame, probe.key.l4Offset - probe.offset + 6, 0);
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new CsumAction(0, null, CsumAction.UDP)));
        PacketBuffer p = kit.ingress(frame);
        assertEquals(0, Udp.checksum(p.data, p.key.l4Offset));
    }

    // --- skbedit ---------------------------------------------------------------------------------

    @Test
    void skbeditSetsTheMarkUnderItsMaskAndThePriority() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new SkbeditAction(0, null, 0x0000_AB00L, 0x0000_FF00L, 0x10_0001L)));
        PacketBuffer p = TcKit.packet(udp4(), TcKit.ETH0, -1);
        p.mark = 0x1234_5678;
        PacketBatch batch = PacketBatch.referring(1);
        batch.add(p);
        kit.tc.ingressStage().process(batch, TcKit.ETH0);
        assertEquals(0x1234_AB78, p.mark);
        assertEquals(0x10_0001, p.priority);
    }

    // --- police ----------------------------------------------------------------------------------

    @Test
    void policeInBytesLetsTheBurstThroughThenExceeds() {
        TcKit kit = new TcKit();
        byte[] frame = eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).size(1000).build();
        // 1000 bytes/s, burst 3000 bytes: three frames now, the fourth over the limit.
        long cookie = kit.add(matchAll(0, 1, new PoliceAction(0, 1000, 3000, 0, 0, 0, Control.PIPE, Control.SHOT), markBits(1)));
        for (int i = 0; i < 3; i++) {
            PacketBuffer p = kit.ingress(frame);
            assertTrue(alive(p), "frame " + i + " conforms");
            assertEquals(1, p.mark, "conform pipe ran the next action");
        }
        assertEquals(TC_DROP, kit.ingress(frame).dropReason);
        TcStats police = kit.stats(cookie).actions().get(0);
        assertEquals(4, police.packets());
        assertEquals(1, police.overlimits());
        assertEquals(1, police.drops());
    }

    @Test
    void policePeakrateIsASecondBucketOfMtuBytes() {
        TcKit kit = new TcKit();
        byte[] frame = eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).size(1000).build();
        // rate 1000 B/s with a 100 kB burst would take many frames; peakrate 1000 B/s over an mtu of 1500 bytes holds one.
        long cookie = kit.add(matchAll(0, 1, new PoliceAction(0, 1000, 100_000, 0, 0, 1500, Control.PIPE, Control.SHOT, 1000)));
        assertTrue(alive(kit.ingress(frame)));
        assertEquals(TC_DROP, kit.ingress(frame).dropReason, "the peak bucket is empty");
        assertEquals(1, kit.stats(cookie).actions().get(0).overlimits());
    }

    @Test
    void skbeditPtypeIsKeptButChangesNothing() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, new SkbeditAction(0, null, 0, 0, -1, SkbeditAction.PTYPE_OTHERHOST)));
        PacketBuffer p = kit.ingress(eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build());
        assertTrue(alive(p));
        assertEquals(1, kit.stats(cookie).actions().get(0).packets());
    }

    @Test
    void policeInPacketsAndTheMtu() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, new PoliceAction(0, 0, 0, 10, 5, 500, Control.OK, Control.SHOT)));
        byte[] big = eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).size(600).build();
        assertFalse(alive(kit.ingress(big)), "longer than the mtu: exceeds whatever the tokens");
        int passed = 0;
        for (int i = 0; i < 8; i++) {
            passed += alive(kit.ingress(udp4())) ? 1 : 0;
        }
        assertEquals(5, passed, "a burst of 5 packets");
        assertEquals(4, kit.stats(cookie).actions().get(0).overlimits());
    }

    @Test
    void policeHoldsItsRateAcrossWorkers() throws Exception {
        TcKit kit = new TcKit();
        // One packet per second, a burst of 1000: the test ends long before the bucket refills much.
        long cookie = kit.add(matchAll(0, 1, new PoliceAction(0, 0, 0, 1, 1000, 0, Control.OK, Control.SHOT)));
        byte[] frame = udp4();
        int workers = 4;
        int perWorker = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                results.add(pool.submit(() -> {
                    PacketBuffer p = new PacketBuffer();
                    PacketBatch batch = PacketBatch.referring(1);
                    int passed = 0;
                    for (int i = 0; i < perWorker; i++) {
                        p.load(frame, 0, frame.length);
                        p.inPort = TcKit.ETH0;
                        FlowDissector.dissect(p);
                        batch.clear();
                        batch.add(p);
                        kit.tc.ingressStage().process(batch, TcKit.ETH0);
                        passed += alive(p) ? 1 : 0;
                    }
                    return passed;
                }));
            }
            int passed = 0;
            for (Future<Integer> f : results) {
                passed += f.get(30, TimeUnit.SECONDS);
            }
            assertTrue(passed >= 1000 && passed <= 1005, passed + " conformed");
            TcStats police = kit.stats(cookie).actions().get(0);
            assertEquals(workers * perWorker, police.packets());
            assertEquals(workers * perWorker - passed, police.overlimits());
        } finally {
            pool.shutdownNow();
        }
    }

    // --- sample ----------------------------------------------------------------------------------

    @Test
    void sampleCountsOneInNAndLetsEveryPacketGoOn() {
        TcKit kit = new TcKit();
        SharedAction everyOne = kit.share(new SampleAction(0, null, 1, 5, 0));
        SharedAction oneInFour = kit.share(new SampleAction(0, null, 4, 5, 128));
        long cookie = kit.add(matchAll(0, 1, everyOne.action(), oneInFour.action()), List.of(everyOne, oneInFour));
        for (int i = 0; i < 10_000; i++) {
            assertTrue(alive(kit.ingress(udp4())));
        }
        assertEquals(10_000, kit.tc.sampledPackets(everyOne.index()));
        long picked = kit.tc.sampledPackets(oneInFour.index());
        assertTrue(picked > 2000 && picked < 3000, picked + " of 10000 sampled at 1 in 4");
        assertEquals(10_000, kit.stats(cookie).actions().get(1).packets(), "the action's packets count all it saw");
    }

    // --- shared actions --------------------------------------------------------------------------

    @Test
    void aSharedActionCountsForEveryFilterThatBindsIt() {
        TcKit kit = new TcKit();
        SharedAction shared = kit.share(gact(Control.PIPE));
        SharedAction own = kit.share(markBits(1));
        long udp = kit.add(filter(0, 1, EtherTypes.IPV4, 0, new MatchAll(), shared.action(), own.action()),
                List.of(shared, own));
        long arp = kit.add(filter(0, 2, EtherTypes.ARP, 0, new MatchAll(), shared.action()), List.of(shared));
        kit.ingress(udp4());
        kit.ingress(udp4());
        kit.ingress(eth().arpRequest(TcKit.MAC_B, 1, 2).build());
        assertEquals(3, kit.stats(udp).actions().get(0).packets());
        assertEquals(3, kit.stats(arp).actions().get(0).packets());
        assertEquals(2, kit.stats(udp).actions().get(1).packets());
        assertEquals(2, kit.stats(udp).filter().packets());
        assertEquals(1, kit.stats(arp).filter().packets());

        kit.tc.destroy(TcKit.BLOCK, udp);
        kit.tc.commit();
        assertNull(kit.stats(udp));
        assertEquals(3, kit.stats(arp).actions().get(0).packets(), "still bound: its counters live on");
        kit.tc.destroy(TcKit.BLOCK, arp);
        kit.tc.commit();
        long again = kit.add(matchAll(0, 1, shared.action()), List.of(shared));
        assertEquals(0, kit.stats(again).actions().get(0).packets(), "unbound everywhere, it was deleted: a new one starts at 0");
    }

    @Test
    void aSharedActionChangedInOneFilterChangesForAllOfThemAtCommit() {
        TcKit kit = new TcKit();
        SharedAction police = kit.share(new PoliceAction(0, 0, 0, 1, 1, 0, Control.OK, Control.SHOT));
        long ip = kit.add(filter(0, 1, EtherTypes.IPV4, 11, new MatchAll(), police.action()), List.of(police));
        kit.add(filter(0, 2, EtherTypes.ARP, 0, new MatchAll(), police.action()), List.of(police));
        byte[] arp = eth().arpRequest(TcKit.MAC_B, 1, 2).build();
        assertTrue(alive(kit.ingress(arp)));
        assertFalse(alive(kit.ingress(arp)), "a burst of one");
        // tc actions replace action police index N: a bigger burst, offered through the IPv4 filter.
        SharedAction bigger = new SharedAction(new PoliceAction(police.index(), 0, 0, 1, 100, 0, Control.OK, Control.SHOT));
        assertNull(kit.offer(filter(0, 1, EtherTypes.IPV4, 11, new MatchAll(), bigger.action()), List.of(bigger), ip));
        kit.tc.commit();
        assertTrue(alive(kit.ingress(arp)), "the ARP filter runs the new police with a full bucket");
        assertEquals(3, kit.stats(ip).actions().get(0).packets(), "counters kept across the change");
    }
}
