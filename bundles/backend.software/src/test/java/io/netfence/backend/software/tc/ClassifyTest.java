package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.alive;
import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.filter;
import static io.netfence.backend.software.tc.TcKit.gact;
import static io.netfence.backend.software.tc.TcKit.markBits;
import static io.netfence.backend.software.tc.TcKit.matchAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.DropReason;
import io.netfence.packet.Ipv4;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.Control;
import io.netfence.tc.api.EtherTypes;
import io.netfence.tc.api.FlowerMatch;
import io.netfence.tc.api.Masked;
import io.netfence.tc.api.MatchAll;
import io.netfence.tc.api.TcHook;
import io.netfence.tc.api.TcLimits;
import io.netfence.tc.spi.ClsOffload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order of classification: prio, protocol, chains, goto chain, reclassify and its bound, the hooks. */
class ClassifyTest {
    private static byte[] udp4() {
        return eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
    }

    @Test
    void lowerPrioRunsFirstAndTheFirstDecisionEndsClassification() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 10, gact(Control.SHOT)));
        kit.add(matchAll(0, 5, markBits(1)));
        PacketBuffer p = kit.ingress(udp4());
        assertTrue(alive(p), "prio 5 decided (pipe at the end of its list is ok)");
        assertEquals(1, p.mark);
        kit.add(matchAll(0, 1, gact(Control.SHOT)));
        assertFalse(alive(kit.ingress(udp4())));
    }

    @Test
    void eachInstanceSeesOnlyItsProtocol() {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, EtherTypes.IPV6, 0, new MatchAll(), markBits(1)));
        kit.add(filter(0, 2, EtherTypes.ARP, 0, new MatchAll(), markBits(2)));
        kit.add(filter(0, 3, EtherTypes.IPV4, 0, new MatchAll(), markBits(4)));
        kit.add(filter(0, 4, EtherTypes.ALL, 0, new MatchAll(), markBits(8)));
        assertEquals(4, kit.ingress(udp4()).mark);
        assertEquals(1, kit.ingress(eth().ipv6("::1", "::2").udp(1, 2).build()).mark);
        assertEquals(2, kit.ingress(eth().arpRequest(TcKit.MAC_B, 1, 2).build()).mark);
        assertEquals(8, kit.ingress(eth().ethType(0x88B5).build()).mark);
    }

    @Test
    void aTaggedFrameIsOfProtocolItsOuterTag() {
        TcKit kit = new TcKit();
        kit.add(filter(0, 1, EtherTypes.IPV4, 0, new MatchAll(), markBits(1)));
        kit.add(filter(0, 2, EtherTypes.VLAN, 0, new MatchAll(), markBits(2)));
        kit.add(filter(0, 3, EtherTypes.QINQ, 0, new MatchAll(), markBits(4)));
        assertEquals(2, kit.ingress(eth().vlan(7, 0).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build()).mark);
        assertEquals(4, kit.ingress(eth().qinq(7, 8).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build()).mark);
        assertEquals(1, kit.ingress(udp4()).mark);
    }

    @Test
    void continueGoesOnWithTheNextInstance() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, markBits(1), gact(Control.CONTINUE)));
        kit.add(filter(0, 2, EtherTypes.IPV4, 0, FlowerMatch.ANY, markBits(2), gact(Control.CONTINUE)));
        kit.add(matchAll(0, 3, markBits(4)));
        kit.add(matchAll(0, 4, markBits(8)));
        assertEquals(7, kit.ingress(udp4()).mark);
    }

    @Test
    void gotoChainContinuesThereAndAnEmptyChainDecidesNothing() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, markBits(1), gact(Control.gotoChain(5))));
        kit.add(matchAll(0, 2, gact(Control.SHOT)));
        kit.add(matchAll(5, 1, markBits(2), gact(Control.gotoChain(9))));
        PacketBuffer p = kit.ingress(udp4());
        assertTrue(alive(p), "chain 9 is empty: the packet goes on; chain 0's prio 2 never ran");
        assertEquals(3, p.mark);
        kit.add(matchAll(9, 1, gact(Control.SHOT)));
        assertFalse(alive(kit.ingress(udp4())));
    }

    @Test
    void chainsOtherThanZeroAreOnlyReachedByGoto() {
        TcKit kit = new TcKit();
        kit.add(matchAll(3, 1, gact(Control.SHOT)));
        assertTrue(alive(kit.ingress(udp4())));
    }

    @Test
    void reclassifyLoopsAreCutAndCounted() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, gact(Control.RECLASSIFY)));
        PacketBuffer p = kit.ingress(udp4());
        assertEquals(DropReason.TC_RECLASSIFY_LOOP.ordinal(), p.dropReason);
        assertEquals(1, kit.tc.reclassifyLoopDrops());
        // The first pass and MAX_RECLASSIFY passes back: the 17th reclassify is the one refused.
        assertEquals(TcLimits.MAX_RECLASSIFY + 1, kit.stats(cookie).filter().packets());
    }

    @Test
    void gotoChainLoopsAreCutToo() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, gact(Control.gotoChain(1))));
        kit.add(matchAll(1, 1, gact(Control.gotoChain(0))));
        assertFalse(alive(kit.ingress(udp4())));
        assertFalse(alive(kit.ingress(udp4())));
        assertEquals(2, kit.tc.reclassifyLoopDrops());
    }

    @Test
    void aBoundedNumberOfReclassifiesIsFine() {
        TcKit kit = new TcKit();
        // Two filters in a row of chains: 0 -> 1 -> 2 -> ... -> 16, the last one marks.
        for (int c = 0; c < TcLimits.MAX_RECLASSIFY; c++) {
            kit.add(matchAll(c, 1, gact(Control.gotoChain(c + 1))));
        }
        kit.add(matchAll(TcLimits.MAX_RECLASSIFY, 1, markBits(1)));
        PacketBuffer p = kit.ingress(udp4());
        assertTrue(alive(p));
        assertEquals(1, p.mark);
        assertEquals(0, kit.tc.reclassifyLoopDrops());
    }

    @Test
    void theEgressHookClassifiesPacketsLeavingThePort() {
        TcKit kit = new TcKit();
        assertNull(kit.tc.bind("eth1", TcHook.EGRESS, 99));
        assertNull(kit.tc.replace(new ClsOffload(99, 1, matchAll(0, 1, gact(Control.SHOT)).withHandle(1),
                List.of(kit.share(gact(Control.SHOT))))));
        kit.tc.commit();
        assertFalse(alive(kit.egress(TcKit.ETH1, udp4())));
        assertTrue(alive(kit.egress(TcKit.ETH2, udp4())), "eth2's egress has no block");
        assertTrue(alive(kit.ingress(TcKit.ETH1, udp4())), "eth1's ingress has no block");
    }

    @Test
    void egressSeesTheFrameAsItLeavesNotAsItArrived() {
        TcKit kit = new TcKit();
        assertNull(kit.tc.bind("eth1", TcHook.EGRESS, TcKit.BLOCK));
        FlowerMatch.Builder b = FlowerMatch.builder();
        b.ipTtl = Masked.of(63, 0xFF);
        kit.add(filter(0, 1, EtherTypes.IPV4, 0, b.build(), gact(Control.SHOT)));
        PacketBuffer p = TcKit.packet(eth().ipv4("10.0.0.1", "10.0.0.2").ttl(64).udp(1, 2).build(), TcKit.ETH2, TcKit.ETH1);
        // Routing decremented the TTL after the packet was dissected.
        Ipv4.decrementTtl(p.data, p.key.l3Offset);
        PacketBatch batch = PacketBatch.referring(1);
        batch.add(p);
        kit.tc.egressStage().process(batch, TcKit.ETH1);
        assertFalse(alive(p));
    }

    @Test
    void packetsAlreadyDroppedAreLeftAlone() {
        TcKit kit = new TcKit();
        long cookie = kit.add(matchAll(0, 1, markBits(1)));
        PacketBuffer p = TcKit.packet(udp4(), TcKit.ETH0, -1);
        p.dropReason = DropReason.NO_ROUTE.ordinal();
        PacketBatch batch = PacketBatch.referring(1);
        batch.add(p);
        kit.tc.ingressStage().process(batch, TcKit.ETH0);
        assertEquals(0, p.mark);
        assertEquals(0, kit.stats(cookie).filter().packets());
    }
}
