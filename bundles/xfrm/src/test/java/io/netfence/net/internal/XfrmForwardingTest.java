package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.backend.software.xfrm.SoftwareXfrmProvider;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.internal.JceEngine;
import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.net.api.Route;
import io.netfence.packet.DropReason;
import io.netfence.packet.Icmp;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.Ipv4;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.xfrm.api.KeyMaterial;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.internal.XfrmCore;
import io.netfence.xfrm.internal.XfrmLinkDriver;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/**
 * IPsec in the real packet path, between two appliances whose WAN ports are wired together by the
 * test: site A (LAN 10.1.0.0/24, WAN 192.0.2.1) and site B (LAN 10.2.0.0/24, WAN 192.0.2.2),
 * policy-based ESP tunnel mode between the WAN addresses, each direction its own SA.
 */
class XfrmForwardingTest {
    static final long A_LAN_MAC = 0x02_0A_00_00_00_01L;
    static final long A_WAN_MAC = 0x02_0A_00_00_00_02L;
    static final long B_LAN_MAC = 0x02_0B_00_00_00_01L;
    static final long B_WAN_MAC = 0x02_0B_00_00_00_02L;
    static final long H1 = 0x02_00_00_00_01_01L;
    static final long H2 = 0x02_00_00_00_02_02L;
    static final IpAddress WAN_A = IpAddress.parse("192.0.2.1");
    static final IpAddress WAN_B = IpAddress.parse("192.0.2.2");

    Site a;
    Site b;

    /** One appliance: a control plane with queue links and an xfrm core on the software backend. */
    static final class Site {
        final ControlPlane net = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        final QueueDriver driver = new QueueDriver();
        final XfrmCore xfrm = new XfrmCore();

        Site() {
            SoftwareXfrmProvider sw = new SoftwareXfrmProvider();
            sw.addEngine(new JceEngine());
            xfrm.setSoftwareBackend(sw);
            net.addDriver(driver);
            net.addDriver(new XfrmLinkDriver());
            net.setXfrmLayer(xfrm);
            net.start();
        }

        QueueDriver.QueueDevice link(String name, long mac, String address) {
            net.addLink(new LinkSpec(name, QueueDriver.TYPE, 0, new MacAddress(mac), 0, List.of()));
            net.addAddress(name, IpPrefix.parse(address));
            net.setLink(name, new LinkChange(true, null, null));
            return driver.devices.get(name);
        }

        void close() {
            net.stop();
            xfrm.close();
        }
    }

    QueueDriver.QueueDevice aLan;
    QueueDriver.QueueDevice aWan;
    QueueDriver.QueueDevice bLan;
    QueueDriver.QueueDevice bWan;

    static XfrmState sa(IpAddress src, IpAddress dst, int spi, int reqid, int ifId) {
        return new XfrmState(src, dst, spi, XfrmMode.TUNNEL, reqid, new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.NONE, 128),
                KeyMaterial.parseHex("0x0102030405060708090a0b0c0d0e0f1011121314"), null, 128, false, null, Lifetime.NONE, null,
                Mark.NONE, ifId, null);
    }

    static XfrmPolicy policy(String src, String dst, XfrmDirection dir, IpAddress tsrc, IpAddress tdst, int reqid, int ifId) {
        return new XfrmPolicy(new Selector(IpPrefix.parse(src), IpPrefix.parse(dst), 0, 0, 0, 0, 0, null), dir, 100,
                XfrmPolicy.Action.ALLOW, 0, List.of(new Template(tsrc, tdst, 0, XfrmMode.TUNNEL, reqid, false)), ifId, Mark.NONE,
                Lifetime.NONE, null);
    }

    @BeforeEach
    void sites() {
        a = new Site();
        b = new Site();
        aLan = a.link("lan0", A_LAN_MAC, "10.1.0.1/24");
        aWan = a.link("wan0", A_WAN_MAC, "192.0.2.1/24");
        bLan = b.link("lan0", B_LAN_MAC, "10.2.0.1/24");
        bWan = b.link("wan0", B_WAN_MAC, "192.0.2.2/24");
        a.net.addNeighbour("lan0", IpAddress.parse("10.1.0.2"), new MacAddress(H1));
        a.net.addNeighbour("wan0", WAN_B, new MacAddress(B_WAN_MAC));
        b.net.addNeighbour("lan0", IpAddress.parse("10.2.0.2"), new MacAddress(H2));
        b.net.addNeighbour("wan0", WAN_A, new MacAddress(A_WAN_MAC));
        a.net.addRoute(Route.via(IpPrefix.parse("10.2.0.0/16"), WAN_B, null));
        b.net.addRoute(Route.via(IpPrefix.parse("10.1.0.0/16"), WAN_A, null));
        for (Site s : new Site[] {a, b}) {
            s.xfrm.addState(sa(WAN_A, WAN_B, 0x1001, 1, 0));
            s.xfrm.addState(sa(WAN_B, WAN_A, 0x2002, 1, 0));
        }
        a.xfrm.addPolicy(policy("10.1.0.0/16", "10.2.0.0/16", XfrmDirection.OUT, WAN_A, WAN_B, 1, 0));
        a.xfrm.addPolicy(policy("10.2.0.0/16", "10.1.0.0/16", XfrmDirection.FWD, WAN_B, WAN_A, 1, 0));
        a.xfrm.addPolicy(policy("10.2.0.0/16", "10.1.0.0/16", XfrmDirection.IN, WAN_B, WAN_A, 1, 0));
        b.xfrm.addPolicy(policy("10.2.0.0/16", "10.1.0.0/16", XfrmDirection.OUT, WAN_B, WAN_A, 1, 0));
        b.xfrm.addPolicy(policy("10.1.0.0/16", "10.2.0.0/16", XfrmDirection.FWD, WAN_A, WAN_B, 1, 0));
        b.xfrm.addPolicy(policy("10.1.0.0/16", "10.2.0.0/16", XfrmDirection.IN, WAN_A, WAN_B, 1, 0));
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    static byte[] udp(long dstMac, long srcMac, String src, String dst, int size, boolean df) {
        PacketBuilder pb = PacketBuilder.ethernet(dstMac, srcMac).ipv4(src, dst).ttl(64);
        if (df) {
            pb.dontFragment();
        }
        return pb.udp(4000, 5000).size(size).build();
    }

    static byte[] ipOf(PacketBuffer p) {
        return Arrays.copyOfRange(p.data, p.key.l3Offset, p.offset + p.length);
    }

    @Test
    void forwardedTrafficCrossesTheTunnelBothWays() throws Exception {
        byte[] sent = udp(A_LAN_MAC, H1, "10.1.0.2", "10.2.0.2", 200, true);
        aLan.inject(sent);
        PacketBuffer esp = aWan.sentPacket();
        assertNotNull(esp, "A sends ESP");
        assertEquals(Ipv4.PROTO_ESP, esp.key.ipProto);
        assertEquals(WAN_A.v4bits(), esp.key.ipv4Src);
        assertEquals(WAN_B.v4bits(), esp.key.ipv4Dst);
        assertEquals(0x1001, esp.key.espSpi);
        assertEquals(B_WAN_MAC, esp.key.ethDst);
        assertEquals(A_WAN_MAC, esp.key.ethSrc);
        assertTrue(Ipv4.dontFragment(esp.data, esp.key.l3Offset), "DF copied to the outer header");

        bWan.inject(esp.toByteArray());
        PacketBuffer out = bLan.sentPacket();
        assertNotNull(out, "B delivers the inner packet");
        assertEquals(H2, out.key.ethDst);
        byte[] expected = ipOf(load(sent));
        byte[] got = ipOf(out);
        assertEquals(62, got[8] & 0xFF, "TTL decremented once per appliance");
        expected[8] = got[8];
        expected[10] = got[10];
        expected[11] = got[11];
        assertArrayEquals(expected, got, "the inner packet arrives intact");
        assertTrue(Ipv4.checksumValid(out.data, out.key.l3Offset));

        // And back.
        bLan.inject(udp(B_LAN_MAC, H2, "10.2.0.2", "10.1.0.2", 100, false));
        PacketBuffer back = bWan.sentPacket();
        assertEquals(0x2002, back.key.espSpi);
        aWan.inject(back.toByteArray());
        PacketBuffer home = aLan.sentPacket();
        assertNotNull(home);
        assertEquals(IpAddress.parse("10.2.0.2").v4bits(), home.key.ipv4Src);
        assertEquals(1, a.xfrm.state(WAN_A, 0x2002).counters().packets());
        assertEquals(1, b.xfrm.state(WAN_B, 0x1001).counters().packets());
    }

    static PacketBuffer load(byte[] frame) {
        PacketBuffer p = new PacketBuffer(Math.max(frame.length, PacketBuffer.DEFAULT_CAPACITY));
        p.load(frame, 0, frame.length);
        io.netfence.packet.FlowDissector.dissect(p);
        return p;
    }

    @Test
    void theApplianceAnswersPingThroughTheTunnel() throws Exception {
        aLan.inject(PacketBuilder.ethernet(A_LAN_MAC, H1).ipv4("10.1.0.2", "10.2.0.1").icmpEcho(7, 1).build());
        bWan.inject(aWan.sentPacket().toByteArray());
        PacketBuffer reply = bWan.sentPacket();
        assertNotNull(reply, "B's echo reply leaves encrypted");
        assertEquals(0x2002, reply.key.espSpi);
        aWan.inject(reply.toByteArray());
        PacketBuffer home = aLan.sentPacket();
        assertNotNull(home);
        assertEquals(Icmp.TYPE_ECHO_REPLY, home.key.icmpType);
    }

    @Test
    void tooBigForTheTunnelGetsFragmentationNeededWithTheTunnelMtu() throws Exception {
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.2.0.2", 1514, true));
        PacketBuffer icmp = aLan.sentPacket();
        assertNotNull(icmp, "an ICMP error to the sender");
        assertEquals(Icmp.TYPE_DEST_UNREACH, icmp.key.icmpType);
        assertEquals(Icmp.FRAG_NEEDED, icmp.key.icmpCode);
        int mtu = io.netfence.packet.Bytes.u16(icmp.data, icmp.key.l4Offset + 6);
        // Outer IPv4, ESP header, IV, worst-case padding to the 4-byte block, pad length, next header, ICV.
        int overhead = 20 + 8 + 8 + 3 + 2 + 16;
        assertEquals(1500 - overhead, mtu);
        assertTrue(aWan.quietFor(100));
        assertEquals(1, a.net.link("lan0").stats().dropReasons().getOrDefault(DropReason.XFRM_MTU.label(), 0L));
    }

    /** Frames {@code d} sends until it is quiet for 100 ms. */
    static List<byte[]> drain(QueueDriver.QueueDevice d) throws InterruptedException {
        List<byte[]> out = new java.util.ArrayList<>();
        for (byte[] f = d.sent(); f != null; f = d.tx.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            out.add(f);
        }
        return out;
    }

    @Test
    void tooBigForTheTunnelWithDfClearIsEncryptedAndTheOuterPacketFragmented() throws Exception {
        byte[] sent = udp(A_LAN_MAC, H1, "10.1.0.2", "10.2.0.2", 1514, false);
        aLan.inject(sent);
        List<byte[]> outer = drain(aWan);
        assertEquals(2, outer.size(), "the ESP packet leaves in two fragments");
        for (byte[] f : outer) {
            PacketBuffer p = load(f);
            assertTrue(p.key.fragment);
            assertEquals(Ipv4.PROTO_ESP, p.key.ipProto);
            assertEquals(WAN_A.v4bits(), p.key.ipv4Src);
            assertEquals(WAN_B.v4bits(), p.key.ipv4Dst);
            assertTrue(f.length - 14 <= 1500);
            assertTrue(!Ipv4.dontFragment(f, 14), "DF copied from the inner header: clear");
        }
        PacketBuffer esp = load(Fragments.reassemble(outer));
        assertEquals(0x1001, esp.key.espSpi, "the fragments make up one ESP packet");
        assertEquals(0, a.net.link("lan0").stats().rxDropped());

        // B reassembles the outer packet (fragments in any order), decrypts it and forwards the inner one.
        bWan.inject(outer.get(1));
        bWan.inject(outer.get(0));
        PacketBuffer out = bLan.sentPacket();
        assertNotNull(out, "B delivers the inner packet");
        byte[] expected = ipOf(load(sent));
        byte[] got = ipOf(out);
        expected[8] = got[8];
        expected[10] = got[10];
        expected[11] = got[11];
        assertEquals(62, got[8] & 0xFF);
        assertArrayEquals(expected, got, "the inner packet arrives intact");
        assertEquals(1, b.xfrm.state(WAN_B, 0x1001).counters().packets());
    }

    @Test
    void aBigPingThroughTheTunnelIsFragmentedAndReassembledOnEveryLayer() throws Exception {
        byte[] payload = new byte[3000];
        new java.util.Random(5).nextBytes(payload);
        byte[] request = PacketBuilder.ethernet(A_LAN_MAC, H1).ipv4("10.1.0.2", "10.2.0.1").id(31).icmpEcho(3, 4).payload(payload).build();
        // H1 fragments its ping; A encrypts each fragment, whose ESP packet is too big again and is fragmented.
        for (byte[] f : Fragments.ipv4(request, 1500)) {
            aLan.inject(f);
        }
        List<byte[]> toB = drain(aWan);
        assertEquals(5, toB.size(), "two 1500-byte fragments need two ESP fragments each, the last fits");
        // B: outer reassembly, decryption, inner reassembly, the echo reply, encrypted and fragmented.
        for (byte[] f : toB) {
            bWan.inject(f);
        }
        List<byte[]> toA = drain(bWan);
        assertEquals(3, toA.size(), "the encrypted reply leaves B in fragments");
        assertEquals(0x2002, load(Fragments.reassemble(toA)).key.espSpi);
        for (byte[] f : toA) {
            aWan.inject(f);
        }
        // A: reassembles and decrypts, and fragments the reply for H1's 1500-byte link.
        List<byte[]> home = drain(aLan);
        assertEquals(3, home.size());
        PacketBuffer reply = load(Fragments.reassemble(home));
        assertEquals(Icmp.TYPE_ECHO_REPLY, reply.key.icmpType);
        assertEquals(IpAddress.parse("10.2.0.1").v4bits(), reply.key.ipv4Src);
        assertTrue(io.netfence.packet.FlowDissector.l4ChecksumValid(reply));
        assertArrayEquals(payload, Arrays.copyOfRange(reply.data, reply.key.l4Offset + 8, reply.offset + reply.length));
        assertEquals(0, b.net.link("wan0").stats().rxDropped());
        assertEquals(0, a.net.link("wan0").stats().rxDropped());
    }

    @Test
    void clearTrafficThatShouldHaveBeenProtectedIsDropped() throws Exception {
        // Sent to B's WAN in clear, bypassing the tunnel: the fwd policy requires ESP.
        bWan.inject(udp(B_WAN_MAC, A_WAN_MAC, "10.1.0.2", "10.2.0.2", 100, false));
        assertTrue(bLan.quietFor(200));
        assertEquals(1, b.net.link("wan0").stats().dropReasons().getOrDefault(DropReason.XFRM_TEMPLATE_MISMATCH.label(), 0L));
    }

    @Test
    void corruptEspIsDroppedAndCountedByReason() throws Exception {
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.2.0.2", 200, false));
        byte[] esp = aWan.sentPacket().toByteArray();
        byte[] bad = esp.clone();
        bad[bad.length - 1] ^= 1;
        bWan.inject(bad);
        bWan.inject(esp);
        bWan.inject(esp);
        assertNotNull(bLan.sentPacket(), "the genuine packet still gets through after a forged one");
        assertTrue(bLan.quietFor(200), "the replay does not");
        var drops = b.net.link("wan0").stats().dropReasons();
        assertEquals(1L, drops.get(DropReason.XFRM_AUTH.label()));
        assertEquals(1L, drops.get(DropReason.XFRM_REPLAY.label()));
        var c = b.xfrm.state(WAN_B, 0x1001).counters();
        assertEquals(1, c.integrityFailed());
        assertEquals(1, c.replay());
    }

    @Test
    void twoXfrmInterfacesCannotShareAnIfId() {
        a.net.addLink(new LinkSpec("ipsec0", "xfrm", 0, null, 0, List.of("dev", "wan0", "if_id", "7")));
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.netfence.net.api.NetException.class,
                () -> a.net.addLink(new LinkSpec("ipsec3", "xfrm", 0, null, 0, List.of("dev", "lan0", "if_id", "7"))));
        assertTrue(e.getMessage().contains("if_id 7 is taken by ipsec0") && e.getMessage().contains("File exists"), e.getMessage());
        assertEquals(List.of("lo", "lan0", "wan0", "ipsec0"), a.net.links().stream().map(l -> l.name()).toList(), "nothing added");
        a.net.addLink(new LinkSpec("ipsec3", "xfrm", 0, null, 0, List.of("dev", "lan0", "if_id", "8")));
        a.net.deleteLink("ipsec0");
        a.net.addLink(new LinkSpec("ipsec4", "xfrm", 0, null, 0, List.of("dev", "wan0", "if_id", "7")));
    }

    @Test
    void routeBasedVpnThroughAnXfrmInterface() throws Exception {
        a.net.addLink(new LinkSpec("ipsec0", "xfrm", 0, null, 0, List.of("dev", "wan0", "if_id", "7")));
        a.net.setLink("ipsec0", new LinkChange(true, null, null));
        a.net.addRoute(new Route(io.netfence.net.api.RouteType.UNICAST, IpPrefix.parse("10.3.0.0/16"), null, "ipsec0", 0, null, "static"));
        a.xfrm.addState(sa(WAN_A, WAN_B, 0x3003, 7, 7));
        // Without a policy for if_id 7 nothing leaves ipsec0, not even in clear.
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.3.0.9", 100, false));
        assertTrue(aWan.quietFor(200));
        assertEquals(1L, a.net.link("lan0").stats().dropReasons().get(DropReason.XFRM_NO_POLICY.label()));
        a.xfrm.addPolicy(policy("0.0.0.0/0", "0.0.0.0/0", XfrmDirection.OUT, WAN_A, WAN_B, 7, 7));
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.3.0.9", 100, false));
        PacketBuffer esp = aWan.sentPacket();
        assertNotNull(esp, "routed into ipsec0, sent encrypted out wan0");
        assertEquals(0x3003, esp.key.espSpi);
        assertEquals(1, a.net.link("ipsec0").stats().txPackets());
    }

    @Test
    void anIngressRedirectIntoAnXfrmInterfaceIsProtectedWithoutForwarding() throws Exception {
        // What tc's "mirred egress redirect dev ipsec0" does on lan0's ingress: no route to
        // 10.20.0.0/16 exists, only the stage sends it there (Linux's xfrmi_xmit path).
        a.net.addLink(new LinkSpec("ipsec0", "xfrm", 0, null, 0, List.of("dev", "wan0", "if_id", "5")));
        a.net.setLink("ipsec0", new LinkChange(true, null, null));
        int ipsec0 = a.net.link("ipsec0").index();
        io.netfence.net.spi.PacketStage redirect = new io.netfence.net.spi.PacketStage() {
            @Override
            public String name() {
                return "redirect into ipsec0";
            }

            @Override
            public void process(io.netfence.packet.PacketBatch batch, int port) {
                for (int i = 0; i < batch.count(); i++) {
                    batch.get(i).outPort = ipsec0;
                }
            }
        };
        a.net.addStage(redirect, io.netfence.net.spi.Hook.INGRESS, 10);
        a.xfrm.addState(sa(WAN_A, WAN_B, 0x5005, 5, 5));
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.20.0.9", 100, false));
        assertTrue(aWan.quietFor(200), "no policy with if_id 5: nothing leaves, not even in clear");
        assertEquals(1L, a.net.link("lan0").stats().dropReasons().get(DropReason.XFRM_NO_POLICY.label()));

        a.xfrm.addPolicy(policy("0.0.0.0/0", "10.20.0.0/16", XfrmDirection.OUT, WAN_A, WAN_B, 5, 5));
        byte[] sent = udp(A_LAN_MAC, H1, "10.1.0.2", "10.20.0.9", 100, false);
        aLan.inject(sent);
        PacketBuffer esp = aWan.sentPacket();
        assertNotNull(esp, "redirected into ipsec0, sent encrypted out wan0");
        assertEquals(0x5005, esp.key.espSpi);
        assertEquals(WAN_B.v4bits(), esp.key.ipv4Dst, "the outer packet was routed to the peer");
        assertEquals(1, a.net.link("ipsec0").stats().txPackets());

        // B decrypts it with the same SA: the inner packet kept its TTL (a redirect does not forward).
        b.xfrm.addState(sa(WAN_A, WAN_B, 0x5005, 5, 0));
        b.xfrm.addPolicy(policy("0.0.0.0/0", "10.20.0.0/16", XfrmDirection.FWD, WAN_A, WAN_B, 5, 0));
        b.net.addRoute(new Route(io.netfence.net.api.RouteType.UNICAST, IpPrefix.parse("10.20.0.0/16"), null, "lan0", 0, null, "static"));
        b.net.addNeighbour("lan0", IpAddress.parse("10.20.0.9"), new MacAddress(H2));
        bWan.inject(esp.toByteArray());
        PacketBuffer inner = bLan.sentPacket();
        assertNotNull(inner, "B decrypts and forwards");
        assertEquals(63, inner.data[inner.key.l3Offset + 8] & 0xFF, "TTL 64, decremented by B only");
        a.net.removeStage(redirect);
    }

    @Test
    void anEgressRedirectIntoAnXfrmInterfaceIsProtected() throws Exception {
        // "tc filter add dev lan0 egress ... mirred egress redirect dev ipsec0": the packet is
        // routed back out of lan0, and lan0's egress hands it to ipsec0, which encrypts it
        // (Linux: mirred at egress is dev_queue_xmit to ipsec0, that is xfrmi_xmit).
        a.net.addLink(new LinkSpec("ipsec0", "xfrm", 0, null, 0, List.of("dev", "wan0", "if_id", "5")));
        a.net.setLink("ipsec0", new LinkChange(true, null, null));
        int lan0 = a.net.link("lan0").index();
        int ipsec0 = a.net.link("ipsec0").index();
        a.net.addRoute(Route.via(IpPrefix.parse("10.20.0.0/16"), IpAddress.parse("10.1.0.2"), null));
        io.netfence.net.spi.PacketStage redirect = new io.netfence.net.spi.PacketStage() {
            @Override
            public String name() {
                return "egress redirect into ipsec0";
            }

            @Override
            public void process(io.netfence.packet.PacketBatch batch, int port) {
                for (int i = 0; port == lan0 && i < batch.count(); i++) {
                    PacketBuffer p = batch.get(i);
                    if ((p.key.ipv4Dst >>> 16) == 0x0A14) {
                        p.outPort = ipsec0;
                    }
                }
            }
        };
        a.net.addStage(redirect, io.netfence.net.spi.Hook.EGRESS, 10);
        a.xfrm.addState(sa(WAN_A, WAN_B, 0x5006, 5, 5));
        a.xfrm.addPolicy(policy("0.0.0.0/0", "10.20.0.0/16", XfrmDirection.OUT, WAN_A, WAN_B, 5, 5));
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.20.0.9", 100, false));
        PacketBuffer esp = aWan.sentPacket();
        assertNotNull(esp, "routed out of lan0, redirected at its egress into ipsec0, sent encrypted out wan0");
        assertEquals(0x5006, esp.key.espSpi);
        assertTrue(aLan.quietFor(50), "nothing leaves lan0 in clear");
        assertEquals(1, a.net.link("ipsec0").stats().txPackets());
        assertEquals(0, a.net.link("lan0").stats().txPackets());
        a.net.removeStage(redirect);
    }

    static XfrmPolicy policy6(String src, String dst, XfrmDirection dir, IpAddress tsrc, IpAddress tdst, int reqid) {
        return policy(src, dst, dir, tsrc, tdst, reqid, 0);
    }

    @Test
    void ipv6TrafficThroughTheIpv4Tunnel() throws Exception {
        a.net.addAddress("lan0", IpPrefix.parse("fd00:1::1/64"));
        b.net.addAddress("lan0", IpPrefix.parse("fd00:2::1/64"));
        a.net.addNeighbour("lan0", IpAddress.parse("fd00:1::2"), new MacAddress(H1));
        b.net.addNeighbour("lan0", IpAddress.parse("fd00:2::2"), new MacAddress(H2));
        // The inner route only has to leave the appliance somewhere; the policy takes it from there.
        a.net.addRoute(new Route(io.netfence.net.api.RouteType.UNICAST, IpPrefix.parse("fd00:2::/64"), null, "wan0", 0, null, "static"));
        a.xfrm.addPolicy(policy6("fd00:1::/64", "fd00:2::/64", XfrmDirection.OUT, WAN_A, WAN_B, 1));
        b.xfrm.addPolicy(policy6("fd00:1::/64", "fd00:2::/64", XfrmDirection.FWD, WAN_A, WAN_B, 1));
        byte[] sent = PacketBuilder.ethernet(A_LAN_MAC, H1).ipv6("fd00:1::2", "fd00:2::2").hopLimit(64).udp(1, 2).size(300).build();
        aLan.inject(sent);
        PacketBuffer esp = aWan.sentPacket();
        assertNotNull(esp, "IPv6 inside IPv4 ESP");
        assertEquals(4, esp.key.ipVersion);
        bWan.inject(esp.toByteArray());
        PacketBuffer out = bLan.sentPacket();
        assertNotNull(out, "B forwards the inner IPv6 packet");
        assertEquals(6, out.key.ipVersion);
        byte[] want = ipOf(load(sent));
        byte[] got = ipOf(out);
        assertEquals(62, got[7] & 0xFF, "hop limit decremented by each appliance");
        want[7] = got[7];
        assertArrayEquals(want, got);
    }

    @Test
    void transportModeProtectsTrafficToTheApplianceItself() throws Exception {
        // Host-to-host between the WAN addresses: B's core seals an echo request in transport mode.
        XfrmState ab = new XfrmState(WAN_B, WAN_A, 0x4004, XfrmMode.TRANSPORT, 4, new EspSuite(EspSuite.Cipher.AES_CBC, 128,
                EspSuite.Auth.HMAC_SHA256, 128), KeyMaterial.parseHex("0x000102030405060708090a0b0c0d0e0f"),
                KeyMaterial.parseHex("0x" + "ab".repeat(32)), 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, null);
        XfrmState ba = new XfrmState(WAN_A, WAN_B, 0x5005, XfrmMode.TRANSPORT, 4, ab.suite(), KeyMaterial.parseHex("0x101112131415161718191a1b1c1d1e1f"),
                KeyMaterial.parseHex("0x" + "cd".repeat(32)), 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, null);
        for (Site s : new Site[] {a, b}) {
            s.xfrm.addState(ab);
            s.xfrm.addState(ba);
        }
        Template t = new Template(null, null, 0, XfrmMode.TRANSPORT, 4, false);
        b.xfrm.addPolicy(new XfrmPolicy(new Selector(IpPrefix.parse("192.0.2.2/32"), IpPrefix.parse("192.0.2.1/32"), 1, 0, 0, 0, 0, null),
                XfrmDirection.OUT, 10, XfrmPolicy.Action.ALLOW, 0, List.of(t), 0, Mark.NONE, Lifetime.NONE, null));
        a.xfrm.addPolicy(new XfrmPolicy(new Selector(IpPrefix.parse("192.0.2.1/32"), IpPrefix.parse("192.0.2.2/32"), 1, 0, 0, 0, 0, null),
                XfrmDirection.OUT, 10, XfrmPolicy.Action.ALLOW, 0, List.of(t), 0, Mark.NONE, Lifetime.NONE, null));
        a.xfrm.addPolicy(new XfrmPolicy(new Selector(IpPrefix.parse("192.0.2.2/32"), IpPrefix.parse("192.0.2.1/32"), 1, 0, 0, 0, 0, null),
                XfrmDirection.IN, 10, XfrmPolicy.Action.ALLOW, 0, List.of(t), 0, Mark.NONE, Lifetime.NONE, null));
        // An echo request from B's WAN address in clear is refused: A's in policy wants ESP.
        aWan.inject(PacketBuilder.ethernet(A_WAN_MAC, B_WAN_MAC).ipv4("192.0.2.2", "192.0.2.1").icmpEcho(9, 1).build());
        assertTrue(aWan.quietFor(200));
        assertEquals(1L, a.net.link("wan0").stats().dropReasons().get(DropReason.XFRM_TEMPLATE_MISMATCH.label()));
        // Sealed by B in transport mode, it is answered, sealed the same way.
        PacketBuffer req = load(PacketBuilder.ethernet(A_WAN_MAC, B_WAN_MAC).ipv4("192.0.2.2", "192.0.2.1").icmpEcho(9, 2).build());
        int sa = b.xfrm.outputLookup(req, 0);
        assertTrue(sa >= 0);
        assertEquals(0, b.xfrm.encapsulate(req, sa));
        io.netfence.packet.FlowDissector.dissect(req);
        assertEquals(Ipv4.PROTO_ESP, req.key.ipProto);
        assertEquals(WAN_B.v4bits(), req.key.ipv4Src);
        byte[] wire = req.toByteArray();
        System.arraycopy(PacketBuilder.ethernet(A_WAN_MAC, B_WAN_MAC).ipv4("1.1.1.1", "1.1.1.1").build(), 0, wire, 0, 12);
        aWan.inject(wire);
        PacketBuffer reply = aWan.sentPacket();
        assertNotNull(reply, "an encrypted echo reply");
        assertEquals(Ipv4.PROTO_ESP, reply.key.ipProto);
        assertEquals(0x5005, reply.key.espSpi);
        assertEquals(WAN_A.v4bits(), reply.key.ipv4Src);
        assertEquals(WAN_B.v4bits(), reply.key.ipv4Dst);
        assertEquals(0, b.xfrm.input(reply), "B opens A's transport-mode reply");
        io.netfence.packet.FlowDissector.dissect(reply);
        assertEquals(Icmp.TYPE_ECHO_REPLY, reply.key.icmpType);
    }

    @Test
    void espInUdpArrivesOnPort4500() throws Exception {
        XfrmState natT = new XfrmState(WAN_A, WAN_B, 0x6006, XfrmMode.TUNNEL, 6, new EspSuite(EspSuite.Cipher.CHACHA20_POLY1305, 256,
                EspSuite.Auth.NONE, 128), KeyMaterial.parseHex("0x" + "42".repeat(36)), null, 64, false, null, Lifetime.NONE,
                new io.netfence.xfrm.api.Encap(4500, 4500, null), Mark.NONE, 0, null);
        a.xfrm.flushPolicies();
        b.xfrm.flushPolicies();
        for (Site s : new Site[] {a, b}) {
            s.xfrm.addState(natT);
        }
        a.xfrm.addPolicy(policy("10.1.0.0/16", "10.2.0.0/16", XfrmDirection.OUT, WAN_A, WAN_B, 6, 0));
        b.xfrm.addPolicy(policy("10.1.0.0/16", "10.2.0.0/16", XfrmDirection.FWD, WAN_A, WAN_B, 6, 0));
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.2.0.2", 200, false));
        PacketBuffer udp = aWan.sentPacket();
        assertEquals(17, udp.key.ipProto);
        assertEquals(4500, udp.key.srcPort);
        assertEquals(4500, udp.key.dstPort);
        bWan.inject(udp.toByteArray());
        assertNotNull(bLan.sentPacket(), "ESP in UDP decrypted and forwarded");
        // A NAT keepalive is eaten quietly; IKE (non-ESP marker) is not for the dataplane.
        bWan.inject(PacketBuilder.ethernet(B_WAN_MAC, A_WAN_MAC).ipv4("192.0.2.1", "192.0.2.2").udp(4500, 4500)
                .payload(new byte[] {(byte) 0xFF}).build());
        assertTrue(bLan.quietFor(100));
        assertTrue(b.net.link("wan0").stats().dropReasons().isEmpty(), "keepalives are not drops: " + b.net.link("wan0").stats());
    }

    @Test
    void ipv4ThroughAnIpv6TunnelAndTheWayBack() throws Exception {
        IpAddress wanA6 = IpAddress.parse("2001:db8:f::1");
        IpAddress wanB6 = IpAddress.parse("2001:db8:f::2");
        a.net.addAddress("wan0", IpPrefix.parse("2001:db8:f::1/64"));
        b.net.addAddress("wan0", IpPrefix.parse("2001:db8:f::2/64"));
        a.net.addNeighbour("wan0", wanB6, new MacAddress(B_WAN_MAC));
        b.net.addNeighbour("wan0", wanA6, new MacAddress(A_WAN_MAC));
        a.xfrm.flushPolicies();
        b.xfrm.flushPolicies();
        for (Site s : new Site[] {a, b}) {
            s.xfrm.addState(sa(wanA6, wanB6, 0x7007, 7, 0));
            s.xfrm.addState(sa(wanB6, wanA6, 0x8008, 8, 0));
        }
        a.xfrm.addPolicy(policy("10.1.0.0/16", "10.2.0.0/16", XfrmDirection.OUT, wanA6, wanB6, 7, 0));
        a.xfrm.addPolicy(policy("10.2.0.0/16", "10.1.0.0/16", XfrmDirection.FWD, wanB6, wanA6, 8, 0));
        b.xfrm.addPolicy(policy("10.2.0.0/16", "10.1.0.0/16", XfrmDirection.OUT, wanB6, wanA6, 8, 0));
        b.xfrm.addPolicy(policy("10.1.0.0/16", "10.2.0.0/16", XfrmDirection.FWD, wanA6, wanB6, 7, 0));
        byte[] sent = udp(A_LAN_MAC, H1, "10.1.0.2", "10.2.0.2", 400, false);
        aLan.inject(sent);
        PacketBuffer esp = aWan.sentPacket();
        assertNotNull(esp, "IPv4 inside IPv6 ESP");
        assertEquals(6, esp.key.ipVersion);
        assertEquals(Ipv4.PROTO_ESP, esp.key.ipProto);
        assertEquals(0x7007, esp.key.espSpi);
        bWan.inject(esp.toByteArray());
        PacketBuffer out = bLan.sentPacket();
        assertNotNull(out, "B forwards the inner IPv4 packet");
        assertEquals(IpAddress.parse("10.2.0.2").v4bits(), out.key.ipv4Dst);
        bLan.inject(udp(B_LAN_MAC, H2, "10.2.0.2", "10.1.0.2", 100, false));
        PacketBuffer back = bWan.sentPacket();
        assertEquals(6, back.key.ipVersion);
        aWan.inject(back.toByteArray());
        assertNotNull(aLan.sentPacket(), "and back through the other SA");
        // Too big for the IPv6 tunnel: the sender learns the tunnel MTU (40-byte outer header).
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.2.0.2", 1514, true));
        PacketBuffer icmp = aLan.sentPacket();
        assertEquals(Icmp.FRAG_NEEDED, icmp.key.icmpCode);
        assertEquals(1500 - (40 + 8 + 8 + 3 + 2 + 16), io.netfence.packet.Bytes.u16(icmp.data, icmp.key.l4Offset + 6));
    }

    /** The software tc dataplane on a site's packet path. */
    static io.netfence.backend.software.tc.SoftwareTcProvider tc(Site s) {
        var provider = new io.netfence.backend.software.tc.SoftwareTcProvider(dev -> {
            try {
                return s.net.link(dev).index();
            } catch (io.netfence.net.api.NetException e) {
                return -1;
            }
        });
        s.net.addStage(provider.ingressStage(), io.netfence.net.spi.Hook.INGRESS, 100);
        s.net.addStage(provider.egressStage(), io.netfence.net.spi.Hook.EGRESS, 100);
        return provider;
    }

    static io.netfence.tc.spi.ClsOffload rule(long block, long cookie, io.netfence.tc.api.TcHook hook, io.netfence.tc.api.Classifier c,
            io.netfence.tc.api.Control verdict) {
        var action = new io.netfence.tc.api.GactAction((int) cookie, verdict, null, null, 0);
        var filter = new io.netfence.tc.api.Filter(io.netfence.tc.api.BlockRef.of("ipsec0", hook), 0, 1, io.netfence.tc.api.EtherTypes.IPV4,
                cookie, c, List.of(action), false, false, 0);
        return new io.netfence.tc.spi.ClsOffload(block, cookie, filter, List.of(new io.netfence.tc.spi.SharedAction(action)));
    }

    /**
     * Route-based between the sites: ipsec0 (if_id 9) on both, SA 0x9009 from A to B, A routes
     * 10.9.0.0/16 into ipsec0 under a catch-all out policy, B forwards it to 10.9.0.9 on its LAN
     * (its fwd policy is left to the test).
     */
    private void ifId9Tunnel() {
        for (Site s : new Site[] {a, b}) {
            s.net.addLink(new LinkSpec("ipsec0", "xfrm", 0, null, 0, List.of("dev", "wan0", "if_id", "9")));
            s.net.setLink("ipsec0", new LinkChange(true, null, null));
            s.xfrm.addState(sa(WAN_A, WAN_B, 0x9009, 9, 9));
        }
        a.net.addRoute(new Route(io.netfence.net.api.RouteType.UNICAST, IpPrefix.parse("10.9.0.0/16"), null, "ipsec0", 0, null, "static"));
        a.xfrm.addPolicy(policy("0.0.0.0/0", "0.0.0.0/0", XfrmDirection.OUT, WAN_A, WAN_B, 9, 9));
        b.net.addRoute(new Route(io.netfence.net.api.RouteType.UNICAST, IpPrefix.parse("10.9.0.0/16"), null, "lan0", 0, null, "static"));
        b.net.addNeighbour("lan0", IpAddress.parse("10.9.0.9"), new MacAddress(H2));
    }

    @Test
    void tcOnAnXfrmInterfaceSeesTheClearPacketBeforeEspAndAfterDecryption() throws Exception {
        ifId9Tunnel();
        b.xfrm.addPolicy(policy("0.0.0.0/0", "0.0.0.0/0", XfrmDirection.FWD, WAN_A, WAN_B, 9, 9));
        // A: ipsec0's egress drops what goes to 10.9.0.66, before it is encrypted.
        var ta = tc(a);
        assertNull(ta.bind("ipsec0", io.netfence.tc.api.TcHook.EGRESS, 1));
        io.netfence.tc.api.FlowerMatch.Builder to66 = io.netfence.tc.api.FlowerMatch.builder();
        to66.dstIp = io.netfence.tc.api.Masked.of(IpAddress.parse("10.9.0.66").v4bits() & 0xFFFF_FFFFL, 0xFFFF_FFFFL);
        assertNull(ta.replace(rule(1, 1, io.netfence.tc.api.TcHook.EGRESS, to66.build(), io.netfence.tc.api.Control.SHOT)));
        ta.commit();
        // B: ipsec0's ingress counts what was decrypted on it.
        var tb = tc(b);
        assertNull(tb.bind("ipsec0", io.netfence.tc.api.TcHook.INGRESS, 1));
        assertNull(tb.replace(rule(1, 1, io.netfence.tc.api.TcHook.INGRESS, new io.netfence.tc.api.MatchAll(), io.netfence.tc.api.Control.OK)));
        tb.commit();

        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.9.0.66", 100, false));
        assertTrue(aWan.quietFor(200), "dropped by tc on ipsec0's egress: never encrypted");
        assertEquals(1L, a.net.link("lan0").stats().dropReasons().get(DropReason.TC_DROP.label()));
        assertEquals(1, ta.stats(1, 1).filter().packets());

        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.9.0.9", 100, false));
        bWan.inject(aWan.sentPacket().toByteArray());
        PacketBuffer inner = bLan.sentPacket();
        assertNotNull(inner, "decrypted, seen by tc on ipsec0's ingress, forwarded");
        assertEquals(1, tb.stats(1, 1).filter().packets(), "tc on ipsec0's ingress saw the decrypted packet");
        assertEquals(IpAddress.parse("10.9.0.9").v4bits(), inner.key.ipv4Dst);
    }

    @Test
    void tcMirrorsTheClearTrafficToAMonitorPortWhileItIsEncrypted() throws Exception {
        QueueDriver.QueueDevice mon = a.link("mon0", 0x02_0A_00_00_00_03L, "10.7.0.1/24");
        var ta = tc(a);
        ta.bind("lan0", io.netfence.tc.api.TcHook.INGRESS, 1);
        var mirror = new io.netfence.tc.api.MirredAction(1, null, false, false, "mon0");
        var filter = new io.netfence.tc.api.Filter(io.netfence.tc.api.BlockRef.of("lan0", io.netfence.tc.api.TcHook.INGRESS), 0, 1,
                io.netfence.tc.api.EtherTypes.IPV4, 1, new io.netfence.tc.api.MatchAll(), List.of(mirror), false, false, 0);
        assertNull(ta.replace(new io.netfence.tc.spi.ClsOffload(1, 1, filter, List.of(new io.netfence.tc.spi.SharedAction(mirror)))));
        ta.commit();

        byte[] sent = udp(A_LAN_MAC, H1, "10.1.0.2", "10.2.0.2", 300, true);
        aLan.inject(sent);
        assertArrayEquals(sent, mon.sent(), "the monitor port gets the packet as it arrived, in clear");
        PacketBuffer esp = aWan.sentPacket();
        assertNotNull(esp, "and the packet itself is encrypted towards B");
        assertEquals(0x1001, esp.key.espSpi);
        assertEquals(1, ta.stats(1, 1).actions().getFirst().packets());
        assertEquals(0, ta.stats(1, 1).actions().getFirst().overlimits(), "every copy was made");
    }

    @Test
    void routeBasedTrafficArrivesOnTheXfrmInterface() throws Exception {
        ifId9Tunnel();
        // B: what the if_id 9 SA decrypts arrives on ipsec0 and needs a fwd policy with if_id 9.
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.9.0.9", 100, false));
        bWan.inject(aWan.sentPacket().toByteArray());
        assertTrue(bLan.quietFor(200), "no fwd policy for if_id 9 yet");
        assertEquals(1L, b.net.link("ipsec0").stats().dropReasons().get(DropReason.XFRM_NO_POLICY.label()));
        b.xfrm.addPolicy(policy("0.0.0.0/0", "0.0.0.0/0", XfrmDirection.FWD, WAN_A, WAN_B, 9, 9));
        aLan.inject(udp(A_LAN_MAC, H1, "10.1.0.2", "10.9.0.9", 100, false));
        bWan.inject(aWan.sentPacket().toByteArray());
        assertNotNull(bLan.sentPacket(), "decrypted on ipsec0 and forwarded");
        assertEquals(2, b.net.link("ipsec0").stats().rxPackets(), "both arrived on the xfrm interface");
    }
}
