package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkStats;
import io.netfence.net.api.NetException;
import io.netfence.net.api.Route;
import io.netfence.net.api.RouteType;
import io.netfence.net.spi.Hook;
import io.netfence.net.spi.PacketStage;
import io.netfence.packet.Arp;
import io.netfence.packet.Bytes;
import io.netfence.packet.FlowKey;
import io.netfence.packet.Icmp;
import io.netfence.packet.Icmpv6;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.Ipv4;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packet path end to end on real worker threads: frames go into a link's receive queue and
 * what the dataplane transmits is checked byte by byte, with the counters that must explain it.
 * Between the hosts of {@link TwoHostFixture}.
 */
class ForwardingTest extends TwoHostFixture {
    @Test
    void answersArpForItsAddressAndLearnsTheAsker() throws Exception {
        eth0.inject(fromH0().arpRequest(H0, IP_H0, IP_ETH0).build());
        PacketBuffer reply = eth0.sentPacket();
        assertNotNull(reply, "an ARP reply");
        FlowKey k = reply.key;
        assertEquals(FlowKey.ETH_P_ARP, k.ethType);
        assertEquals(H0, k.ethDst);
        assertEquals(MAC0, k.ethSrc);
        assertEquals(Arp.OP_REPLY, Arp.op(reply.data, k.l3Offset));
        assertEquals(MAC0, Arp.senderMac(reply.data, k.l3Offset));
        assertEquals(IP_ETH0, Arp.senderIp(reply.data, k.l3Offset));
        assertTrue(net.neighbours().stream().anyMatch(n -> n.address().equals(IpAddress.parse("10.0.0.2"))
                && n.mac().equals(new MacAddress(H0))), "the asker is learned: " + net.neighbours());
    }

    @Test
    void forwardsRewritingMacsAndTtlWithAValidChecksum() throws Exception {
        staticNeighbours();
        byte[] payload = "netfence forwards this".getBytes();
        byte[] frame = fromH0().ipv4(IP_H0, IP_H1).ttl(64).udp(4000, 5000).payload(payload).build();
        eth0.inject(frame);
        PacketBuffer out = eth1.sentPacket();
        assertNotNull(out, "forwarded out of eth1");
        FlowKey k = out.key;
        assertEquals(H1, k.ethDst);
        assertEquals(MAC1, k.ethSrc);
        assertEquals(63, k.ttl);
        assertTrue(Ipv4.checksumValid(out.data, k.l3Offset), "IPv4 checksum updated");
        assertEquals(IP_H0, k.ipv4Src);
        assertEquals(IP_H1, k.ipv4Dst);
        byte[] tail = Arrays.copyOfRange(out.data, out.offset + out.length - payload.length, out.offset + out.length);
        assertArrayEquals(payload, tail);
        await("counters", () -> stats("eth1").txPackets() == 1 && stats("eth0").rxPackets() == 1);
        assertEquals(frame.length, stats("eth0").rxBytes());
        assertEquals(0, stats("eth0").rxDropped());
    }

    @Test
    void resolvesAnUnknownNextHopWithArpAndSendsWhatWaited() throws Exception {
        byte[] frame = fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build();
        eth0.inject(frame);
        PacketBuffer request = eth1.sentPacket();
        assertNotNull(request, "an ARP request goes out first");
        assertEquals(FlowKey.ETH_P_ARP, request.key.ethType);
        assertEquals(0xFFFF_FFFF_FFFFL, request.key.ethDst);
        assertEquals(IP_H1, Arp.targetIp(request.data, request.key.l3Offset));
        eth1.inject(PacketBuilder.ethernet(MAC1, H1).arpReply(H1, IP_H1, MAC1, 0x0A01_0001).build());
        PacketBuffer out = eth1.sentPacket();
        assertNotNull(out, "the waiting packet follows the reply");
        assertEquals(FlowKey.ETH_P_IPV4, out.key.ethType);
        assertEquals(H1, out.key.ethDst);
    }

    @Test
    void answersPingFromItsOwnAddress() throws Exception {
        staticNeighbours();
        eth0.inject(fromH0().ipv4(IP_H0, IP_ETH0).icmpEcho(77, 1).payload(new byte[32]).build());
        PacketBuffer reply = eth0.sentPacket();
        assertNotNull(reply);
        FlowKey k = reply.key;
        assertEquals(Icmp.TYPE_ECHO_REPLY, k.icmpType);
        assertEquals(IP_ETH0, k.ipv4Src);
        assertEquals(IP_H0, k.ipv4Dst);
        assertEquals(77, Icmp.echoId(reply.data, k.l4Offset));
        assertTrue(Icmp.checksumValid(reply.data, k.l4Offset, Ipv4.totalLength(reply.data, k.l3Offset) - 20));
    }

    @Test
    void ttlOneGetsTimeExceededFromTheIngressAddress() throws Exception {
        staticNeighbours();
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).ttl(1).udp(1, 2).build());
        PacketBuffer err = eth0.sentPacket();
        assertNotNull(err);
        assertEquals(Icmp.TYPE_TIME_EXCEEDED, err.key.icmpType);
        assertEquals(IP_ETH0, err.key.ipv4Src);
        // The quoted header is the original one (TTL 1, destination H1).
        int quoted = err.key.l4Offset + 8;
        assertEquals(IP_H1, Ipv4.dst(err.data, quoted));
        assertTrue(eth1.quietFor(100));
        await("ttl drop counted", () -> stats("eth0").dropReasons().getOrDefault("ttl_exceeded", 0L) == 1);
    }

    @Test
    void noRouteGetsNetUnreachableAndIsCounted() throws Exception {
        staticNeighbours();
        eth0.inject(fromH0().ipv4(IP_H0, 0xC000_0201).udp(1, 2).build());
        PacketBuffer err = eth0.sentPacket();
        assertNotNull(err);
        assertEquals(Icmp.TYPE_DEST_UNREACH, err.key.icmpType);
        assertEquals(Icmp.NET_UNREACH, err.key.icmpCode);
        await("no_route counted", () -> stats("eth0").dropReasons().getOrDefault("no_route", 0L) == 1);
        assertEquals(1, stats("eth0").rxDropped());
    }

    @Test
    void tooBigWithDontFragmentGetsFragmentationNeededWithTheMtu() throws Exception {
        staticNeighbours();
        net.setLink("eth1", new LinkChange(null, 1280, null));
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).dontFragment().udp(1, 2).size(1414).build());
        PacketBuffer err = eth0.sentPacket();
        assertNotNull(err);
        assertEquals(Icmp.FRAG_NEEDED, err.key.icmpCode);
        assertEquals(1280, Icmp.nextHopMtu(err.data, err.key.l4Offset));
        assertTrue(eth1.quietFor(50));
        // DF clear: fragmented instead (FragmentationTest has the details).
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).size(1414).build());
        assertTrue(Ipv4.moreFragments(eth1.sent(), 14));
        assertNotNull(eth1.sent());
        assertEquals(1, stats("eth0").dropReasons().getOrDefault("mtu_exceeded", 0L));
    }

    @Test
    void malformedFramesAreDroppedAndCountedByReason() throws Exception {
        staticNeighbours();
        byte[] bad = fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build();
        bad[14 + 10] ^= 0x55; // IPv4 header checksum
        eth0.inject(bad);
        byte[] truncated = Arrays.copyOf(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build(), 20);
        eth0.inject(truncated);
        byte[] lying = fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build();
        Bytes.put16(lying, 14 + 2, 1400); // total length beyond the frame
        Ipv4.setChecksum(lying, 14);
        eth0.inject(lying);
        eth0.inject(new byte[5]);
        await("four drops", () -> stats("eth0").rxDropped() == 4);
        LinkStats s = stats("eth0");
        assertEquals(1L, s.dropReasons().get("bad_ipv4_csum"));
        assertEquals(1L, s.dropReasons().get("truncated_ipv4"));
        assertEquals(1L, s.dropReasons().get("bad_ipv4_len"));
        assertEquals(1L, s.dropReasons().get("truncated_eth"));
        assertTrue(eth1.quietFor(50));
        // The worker lives on: a good packet still goes through.
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        assertNotNull(eth1.sent());
    }

    @Test
    void routesViaAGatewayAndHonoursBlackholeAndUnreachable() throws Exception {
        staticNeighbours();
        net.addNeighbour("eth1", IpAddress.parse("10.1.0.254"), new MacAddress(0x02_00_00_00_02_54L));
        net.addRoute(Route.via(IpPrefix.parse("198.51.100.0/24"), IpAddress.parse("10.1.0.254"), null));
        net.addRoute(new Route(RouteType.BLACKHOLE, IpPrefix.parse("198.51.100.128/25"), null, null, 0, null, "static"));
        net.addRoute(new Route(RouteType.UNREACHABLE, IpPrefix.parse("203.0.113.0/24"), null, null, 0, null, "static"));

        eth0.inject(fromH0().ipv4(IP_H0, 0xC633_6405).udp(1, 2).build()); // 198.51.100.5
        PacketBuffer out = eth1.sentPacket();
        // This assertion failed once in CI and never again in hundreds of runs: say all we know.
        assertNotNull(out, () -> "nothing left eth1; eth0 " + stats("eth0") + ", eth1 " + stats("eth1") + ", eth0 sent "
                + eth0.tx.size() + ", routes " + net.routes(4) + ", neighbours " + net.neighbours());
        assertEquals(0x02_00_00_00_02_54L, out.key.ethDst);

        eth0.inject(fromH0().ipv4(IP_H0, 0xC633_6485).udp(1, 2).build()); // 198.51.100.133: blackhole
        await("blackhole", () -> stats("eth0").dropReasons().getOrDefault("blackhole", 0L) == 1);

        eth0.inject(fromH0().ipv4(IP_H0, 0xCB00_7101).udp(1, 2).build()); // 203.0.113.1: unreachable
        PacketBuffer err = eth0.sentPacket();
        assertNotNull(err);
        assertEquals(Icmp.HOST_UNREACH, err.key.icmpCode);
        assertTrue(eth1.quietFor(50));
    }

    @Test
    void ipv6NeighbourDiscoveryAndPing() throws Exception {
        IpAddress me = IpAddress.parse("2001:db8::1");
        IpAddress host = IpAddress.parse("2001:db8::2");
        eth0.inject(PacketBuilder.ethernet(0x3333_FF00_0001L, H0).ipv6(host, IpAddress.parse("ff02::1:ff00:1"))
                .hopLimit(255).neighborSolicit(me.hi(), me.lo(), H0).build());
        PacketBuffer na = eth0.sentPacket();
        assertNotNull(na, "a neighbour advertisement");
        assertEquals(Icmpv6.TYPE_NEIGHBOR_ADVERT, na.key.icmpType);
        assertEquals(H0, na.key.ethDst);

        eth0.inject(fromH0().ipv6(host, me).icmpv6Echo(9, 1).payload(new byte[16]).build());
        PacketBuffer reply = eth0.sentPacket();
        assertNotNull(reply, "an echo reply (the host was learned from its solicitation)");
        assertEquals(Icmpv6.TYPE_ECHO_REPLY, reply.key.icmpType);
        assertEquals(me.hi(), reply.key.ipv6SrcHi);
        assertEquals(me.lo(), reply.key.ipv6SrcLo);
    }

    @Test
    void ipv6ForwardingDecrementsTheHopLimit() throws Exception {
        net.addNeighbour("eth1", IpAddress.parse("2001:db8:1::2"), new MacAddress(H1));
        eth0.inject(fromH0().ipv6("2001:db8::2", "2001:db8:1::2").hopLimit(9).udp(1, 2).build());
        PacketBuffer out = eth1.sentPacket();
        assertNotNull(out);
        assertEquals(8, out.key.ttl);
        assertEquals(H1, out.key.ethDst);
    }

    @Test
    void aLinkThatIsDownDropsWhatIsRoutedToIt() throws Exception {
        staticNeighbours();
        net.setLink("eth1", new LinkChange(false, null, null));
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        await("link_down", () -> stats("eth0").dropReasons().getOrDefault("link_down", 0L) == 1);
        assertTrue(eth1.quietFor(50));
    }

    @Test
    void aDeviceThatRefusesToSendIsCountedOnBothSides() throws Exception {
        staticNeighbours();
        eth1.refuseTx = true;
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        await("tx dropped", () -> stats("eth1").txDropped() == 1);
        assertEquals(1L, stats("eth0").dropReasons().get("tx_error"));
    }

    /** A stage that does, for every packet arriving on {@code from}, what {@code action} says. */
    private static PacketStage stage(int from, java.util.function.BiConsumer<PacketBuffer, io.netfence.net.spi.StageContext> action) {
        return new PacketStage() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public void process(PacketBatch batch, int port) {
                throw new AssertionError("the dataplane calls the variant with the stage context");
            }

            @Override
            public void process(PacketBatch batch, int port, io.netfence.net.spi.StageContext context) {
                if (port != from) {
                    return;
                }
                for (int i = 0; i < batch.count(); i++) {
                    action.accept(batch.get(i), context);
                }
            }
        };
    }

    @Test
    void aStageCanMirrorACopyOutOfAnotherPortWhileThePacketGoesOn() throws Exception {
        staticNeighbours();
        int eth0Index = net.link("eth0").index();
        int eth1Index = net.link("eth1").index();
        PacketStage mirror = stage(eth0Index, (p, ctx) -> assertTrue(ctx.mirror(p, eth0Index, false)));
        net.addStage(mirror, Hook.INGRESS, 10);
        byte[] frame = fromH0().ipv4(IP_H0, IP_H1).ttl(64).udp(4000, 5000).build();
        eth0.inject(frame);
        assertArrayEquals(frame, eth0.sent(), "the copy leaves eth0 as it arrived");
        PacketBuffer forwarded = eth1.sentPacket();
        assertNotNull(forwarded, "the packet itself is forwarded");
        assertEquals(63, forwarded.key.ttl, "the copy did not share the original's buffer");
        await("counted", () -> stats("eth0").txPackets() == 1 && stats("eth1").txPackets() == 1 && stats("eth0").rxDropped() == 0);
        net.removeStage(mirror);
        assertTrue(eth1Index > 0);
    }

    @Test
    void aStageCanHandAPacketToAnotherPortsReceivePath() throws Exception {
        staticNeighbours();
        int eth0Index = net.link("eth0").index();
        int eth1Index = net.link("eth1").index();
        // What arrives on eth0 is received again on eth1: addressed to eth1's own address, it is
        // answered there (the echo reply leaves eth1, towards its neighbour 10.1.0.2).
        PacketStage toEth1 = stage(eth0Index, (p, ctx) -> assertTrue(ctx.redirectIngress(p, eth1Index)));
        net.addStage(toEth1, Hook.INGRESS, 10);
        eth0.inject(PacketBuilder.ethernet(MAC1, H1).ipv4(0x0A01_0002, 0x0A01_0001).icmpEcho(7, 1).build());
        PacketBuffer reply = eth1.sentPacket();
        assertNotNull(reply, "received on eth1 and answered there");
        assertEquals(0x0A01_0002, reply.key.ipv4Dst);
        assertTrue(eth0.quietFor(100), "nothing goes back out of eth0");
        await("received on eth1, not dropped on eth0", () -> stats("eth1").rxPackets() == 1 && stats("eth0").rxDropped() == 0);
        net.removeStage(toEth1);
    }

    @Test
    void mirrorsThatPointAtEachOtherStopAtTheNestingLimit() throws Exception {
        int eth0Index = net.link("eth0").index();
        int eth1Index = net.link("eth1").index();
        List<Boolean> answers = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        // eth0's ingress mirrors into eth1's receive path, whose ingress mirrors back into eth0's.
        PacketStage ping = stage(eth0Index, (p, ctx) -> answers.add(ctx.mirror(p, eth1Index, true)));
        PacketStage pong = stage(eth1Index, (p, ctx) -> answers.add(ctx.mirror(p, eth0Index, true)));
        net.addStage(ping, Hook.INGRESS, 10);
        net.addStage(pong, Hook.INGRESS, 11);
        eth0.inject(fromH0().ipv4(IP_H0, 0xC000_0201).udp(1, 2).build());
        await("the chain ended", () -> answers.size() == io.netfence.net.spi.StageContext.MAX_NEST + 1);
        assertEquals(Boolean.FALSE, answers.getLast(), "refused at the limit: " + answers);
        assertEquals(io.netfence.net.spi.StageContext.MAX_NEST, answers.stream().filter(a -> a).count());
        net.removeStage(ping);
        net.removeStage(pong);
    }

    @Test
    void anEgressRedirectLeavesThroughTheTargetsOwnEgressStages() throws Exception {
        staticNeighbours();
        int eth0Index = net.link("eth0").index();
        int eth1Index = net.link("eth1").index();
        List<Integer> seenAtEgress = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        // eth1's egress sends everything out of eth0 instead; eth0's egress stages must see it
        // (Linux: mirred at egress is dev_queue_xmit to the target, which runs its egress hook).
        PacketStage toEth0 = stage(eth1Index, (p, ctx) -> p.outPort = eth0Index);
        PacketStage watch0 = stage(eth0Index, (p, ctx) -> seenAtEgress.add(p.outPort));
        net.addStage(toEth0, Hook.EGRESS, 10);
        net.addStage(watch0, Hook.EGRESS, 11);
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).ttl(64).udp(4000, 5000).build());
        PacketBuffer out = eth0.sentPacket();
        assertNotNull(out, "routed to eth1, redirected at eth1's egress, sent by eth0");
        assertEquals(63, out.key.ttl, "forwarded once");
        assertTrue(eth1.quietFor(50));
        assertEquals(List.of(eth0Index), seenAtEgress, "eth0's egress stages saw it once");
        await("counted on eth0", () -> stats("eth0").txPackets() == 1 && stats("eth1").txPackets() == 0);
        net.removeStage(toEth0);
        net.removeStage(watch0);
    }

    @Test
    void aPortsEgressMirroringToItselfSendsEveryCopyInTheSameBatch() throws Exception {
        staticNeighbours();
        int eth1Index = net.link("eth1").index();
        List<Boolean> answers = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        // Each copy lands in the slot being sent; it must go out now, not linger in that slot.
        PacketStage self = stage(eth1Index, (p, ctx) -> answers.add(ctx.mirror(p, eth1Index, false)));
        net.addStage(self, Hook.EGRESS, 10);
        byte[] frame = fromH0().ipv4(IP_H0, IP_H1).ttl(64).udp(4000, 5000).build();
        eth0.inject(frame);
        for (int i = 0; i <= io.netfence.net.spi.StageContext.MAX_NEST; i++) {
            assertNotNull(eth1.sentPacket(), "frame " + i + ": the packet and one copy per nesting level");
        }
        assertTrue(eth1.quietFor(50));
        assertEquals(io.netfence.net.spi.StageContext.MAX_NEST, answers.stream().filter(a -> a).count(), "" + answers);
        net.removeStage(self);
        eth0.inject(frame);
        assertNotNull(eth1.sentPacket());
        assertTrue(eth1.quietFor(50), "nothing stale went out with the next batch");
    }

    @Test
    void egressRedirectsThatPointAtEachOtherAreDroppedAtTheNestingLimit() throws Exception {
        staticNeighbours();
        int eth0Index = net.link("eth0").index();
        int eth1Index = net.link("eth1").index();
        java.util.concurrent.atomic.AtomicInteger hops = new java.util.concurrent.atomic.AtomicInteger();
        PacketStage ping = stage(eth1Index, (p, ctx) -> {
            hops.incrementAndGet();
            p.outPort = eth0Index;
        });
        PacketStage pong = stage(eth0Index, (p, ctx) -> {
            hops.incrementAndGet();
            p.outPort = eth1Index;
        });
        net.addStage(ping, Hook.EGRESS, 10);
        net.addStage(pong, Hook.EGRESS, 11);
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        await("dropped as a redirect loop",
                () -> stats("eth0").dropReasons().getOrDefault("tc_redirect_loop", 0L) == 1);
        assertEquals(io.netfence.net.spi.StageContext.MAX_NEST + 1, hops.get(), "the first egress and four redirects");
        assertTrue(eth0.quietFor(50) && eth1.quietFor(0), "nothing leaves");
        // The worker is free: the next packet is forwarded as usual once the stages are gone.
        net.removeStage(ping);
        net.removeStage(pong);
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        assertNotNull(eth1.sentPacket());
    }

    @Test
    void linkListenersHearOfADeletedLinkAfterTheDataplaneDroppedIt() {
        List<String> heard = new java.util.ArrayList<>();
        int index = net.link("eth1").index();
        net.addLinkListener((name, ifindex) -> {
            // Called outside the control plane's lock: the link is already gone when asked.
            assertThrows(NetException.class, () -> net.link(name));
            heard.add(name + "#" + ifindex);
        });
        net.addLinkListener((name, ifindex) -> {
            throw new IllegalStateException("a broken listener does not stop the others");
        });
        net.deleteLink("eth1");
        assertEquals(List.of("eth1#" + index), heard);
    }

    @Test
    void linkListenersHearOfAnAddedLinkWithItsNewIndex() {
        List<String> heard = new java.util.ArrayList<>();
        int old = net.link("eth1").index();
        net.addLinkListener(new io.netfence.net.spi.LinkListener() {
            @Override
            public void linkRemoved(String name, int ifindex) {
                heard.add("-" + name);
            }

            @Override
            public void linkAdded(String name, int ifindex) {
                // Outside the lock, with the link already usable.
                assertEquals(ifindex, net.link(name).index());
                heard.add("+" + name + "#" + ifindex);
            }
        });
        String type = net.link("eth1").type();
        net.deleteLink("eth1");
        int index = net.addLink(new io.netfence.net.api.LinkSpec("eth1", type, 0, null, 0, List.of())).index();
        assertTrue(index != old, "a name used before gets a new index");
        assertEquals(List.of("-eth1", "+eth1#" + index), heard);
    }

    @Test
    void anIngressStageCanRedirectAndAThrowingStageOnlyDropsItsBatch() throws Exception {
        staticNeighbours();
        // Redirect: everything from eth0 straight out of eth1 (no routing, no rewrite).
        PacketStage redirect = new PacketStage() {
            @Override
            public String name() {
                return "redirect";
            }

            @Override
            public void process(PacketBatch batch, int port) {
                for (int i = 0; i < batch.count(); i++) {
                    batch.get(i).outPort = net.link("eth1").index();
                }
            }
        };
        net.addStage(redirect, Hook.INGRESS, 10);
        byte[] frame = fromH0().ipv4(IP_H0, 0xC000_0201).udp(1, 2).build(); // no route: only the stage can send it
        eth0.inject(frame);
        byte[] out = eth1.sent();
        assertArrayEquals(frame, out, "redirected untouched");
        net.removeStage(redirect);

        PacketStage broken = new PacketStage() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void process(PacketBatch batch, int port) {
                throw new IllegalStateException("a bug in a stage");
            }
        };
        net.addStage(broken, Hook.INGRESS, 10);
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        await("stage_drop", () -> stats("eth0").dropReasons().getOrDefault("stage_drop", 0L) == 1);
        net.removeStage(broken);
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        assertNotNull(eth1.sent(), "the worker survived the stage");
    }

    @Test
    void packetsWaitingForADeletedNeighbourAreCounted() throws Exception {
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        assertNotNull(eth1.sent(), "ARP request");
        await("queued", () -> net.neighbours().stream().anyMatch(n -> n.queuedPackets() == 1));
        net.deleteNeighbour("eth1", IpAddress.parse("10.1.0.2"));
        assertEquals(1L, stats("eth0").dropReasons().get("neigh_unresolved"));
    }

    @Test
    void workersCanBeResizedWhileTrafficFlowsWithoutLosingPackets() throws Exception {
        staticNeighbours();
        byte[] frame = fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build();
        int total = 0;
        for (int workers : new int[] {2, 1, 3, 1}) {
            for (int i = 0; i < 500; i++) {
                eth0.inject(frame);
            }
            total += 500;
            net.setWorkerCount(workers);
            assertEquals(workers, net.workers().size());
        }
        int expected = total;
        await("all forwarded", () -> stats("eth1").txPackets() == expected);
        assertEquals(0, stats("eth0").rxDropped());
    }

    @Test
    void clearedCountersStartFromZero() throws Exception {
        staticNeighbours();
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        await("forwarded", () -> stats("eth1").txPackets() == 1);
        net.clearCounters();
        assertEquals(0, stats("eth1").txPackets());
        assertEquals(0, stats("eth0").rxPackets());
        eth0.inject(fromH0().ipv4(IP_H0, IP_H1).udp(1, 2).build());
        await("forwarded again", () -> stats("eth1").txPackets() == 1);
    }
}
