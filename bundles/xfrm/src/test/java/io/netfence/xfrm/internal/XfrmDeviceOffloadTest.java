package io.netfence.xfrm.internal;

import static io.netfence.xfrm.internal.XfrmCoreTest.A;
import static io.netfence.xfrm.internal.XfrmCoreTest.B;
import static io.netfence.xfrm.internal.XfrmCoreTest.GCM_KEY;
import static io.netfence.xfrm.internal.XfrmCoreTest.awaitEvents;
import static io.netfence.xfrm.internal.XfrmCoreTest.ip;
import static io.netfence.xfrm.internal.XfrmCoreTest.load;
import static io.netfence.xfrm.internal.XfrmCoreTest.policy;
import static io.netfence.xfrm.internal.XfrmCoreTest.sel;
import static io.netfence.xfrm.internal.XfrmCoreTest.tunnel;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.crypto.EspSuite;
import io.netfence.net.spi.XfrmLayer;
import io.netfence.packet.Bytes;
import io.netfence.packet.DropReason;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.xfrm.api.KeyMaterial;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmEvent;
import io.netfence.xfrm.api.XfrmException;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The offload contract as the core drives it, against {@link NetdevsimXfrm}: the call order, the
 * refusal semantics of crypto and packet offload, offloadOk falling back to the software twin,
 * ESN advances, device policies, and a device backend going away while traffic flows.
 */
class XfrmDeviceOffloadTest extends CoreFixture {
    static final long TWO_32 = 1L << 32;
    static XfrmState sa(int spi, boolean esn, OffloadSpec offload, long replaySeq, long replayOseq) {
        return new XfrmState(A, B, spi, XfrmMode.TUNNEL, 1, new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.NONE, 128),
                KeyMaterial.parseHex(GCM_KEY), null, 64, esn, null, Lifetime.NONE, null, Mark.NONE, 0, offload, replaySeq, replayOseq);
    }

    static XfrmState sa(int spi, OffloadSpec offload) {
        return sa(spi, false, offload, 0, 0);
    }

    static OffloadSpec crypto(String dev, XfrmDirection dir) {
        return new OffloadSpec(OffloadSpec.Type.CRYPTO, dev, dir);
    }

    static OffloadSpec packetMode(String dev, XfrmDirection dir) {
        return new OffloadSpec(OffloadSpec.Type.PACKET, dev, dir);
    }

    static XfrmPolicy out() {
        return policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 100, XfrmPolicy.Action.ALLOW, tunnel(A, B));
    }

    static XfrmPolicy offloaded(XfrmPolicy p, String dev) {
        return new XfrmPolicy(p.selector(), p.direction(), p.priority(), p.action(), p.index(), p.templates(), p.ifId(), p.mark(),
                p.lifetime(), packetMode(dev, p.direction()));
    }

    /** A UDP packet 10.1.0.5 -> 10.2.0.7 whose IP packet is {@code ipLength} bytes. */
    static PacketBuffer packet(int ipLength, int sport) {
        byte[] payload = new byte[ipLength - 28];
        java.util.Arrays.fill(payload, (byte) sport);
        byte[] frame = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv4("10.1.0.5", "10.2.0.7").udp(sport, 53)
                .payload(payload).build();
        PacketBuffer p = new PacketBuffer();
        p.load(frame, 0, frame.length);
        assertEquals(-1, FlowDissector.dissect(p));
        return p;
    }

    /** Sends at {@code a}, opens at {@code b}; returns the ESP sequence number (low 32 bits) on the wire. */
    static long cross(XfrmCore a, XfrmCore b, int ipLength, int sport) {
        PacketBuffer p = packet(ipLength, sport);
        byte[] inner = ip(p);
        int sa = a.outputLookup(p, 0);
        assertTrue(sa >= 0, "an SA for the packet");
        assertEquals(0, a.encapsulate(p, sa), () -> "sealed, drop reason " + p.dropReason);
        assertEquals(-1, FlowDissector.dissect(p));
        long seq = Bytes.u32(p.data, p.key.l4Offset + 4);
        PacketBuffer wire = load(p.toByteArray());
        assertEquals(0, b.input(wire), () -> "opened by the peer, drop reason " + wire.dropReason);
        assertEquals(-1, FlowDissector.dissect(wire));
        assertArrayEquals(inner, ip(wire));
        return seq;
    }

    /**
     * stateAdd, offloadOk per packet, stateAdvanceEsn once when the outbound sequence crosses 2^32
     * (sender) and once when the inbound window's top does (receiver), stateUpdateStats on get,
     * stateDelete, and stateFree only after the grace period.
     */
    @Test
    void callOrderOfAnSaOnADeviceAcrossTheEsnBoundary() {
        XfrmCore a = core();
        XfrmCore b = core();
        NetdevsimXfrm tx = new NetdevsimXfrm();
        NetdevsimXfrm rx = new NetdevsimXfrm();
        a.addDeviceBackend("eth1", tx);
        b.addDeviceBackend("eth0", rx);
        a.addState(sa(0x1000, true, crypto("eth1", XfrmDirection.OUT), 0, TWO_32 - 3));
        a.addPolicy(out());
        b.addState(sa(0x1000, true, crypto("eth0", XfrmDirection.IN), TWO_32 - 3, 0));
        String placement = a.state(B, 0x1000).placement();
        assertEquals("offload crypto dev eth1, backend netdevsim, nsim sa 0; software fallback, engine jce", placement);

        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seqs.add(cross(a, b, 100, 1000 + i));
        }
        assertEquals(List.of(TWO_32 - 2 & 0xFFFF_FFFFL, TWO_32 - 1 & 0xFFFF_FFFFL, 0L, 1L, 2L), seqs, "the low halves on the wire");
        assertEquals(TWO_32 + 2, a.state(B, 0x1000).outboundSeq());
        assertEquals(TWO_32 + 2, b.state(B, 0x1000).inboundSeq());
        a.deleteState(B, 0x1000);
        assertEquals(List.of("stateAdd 0x00001000", "stateUpdateStats 0x00001000", "offloadOk 0x00001000", "offloadOk 0x00001000",
                "offloadOk 0x00001000",
                "stateAdvanceEsn 0x00001000", "offloadOk 0x00001000", "offloadOk 0x00001000", "stateUpdateStats 0x00001000",
                "stateDelete 0x00001000"), tx.calls, "sender: advance before the first packet of the new block is sealed");
        a.housekeep();
        assertEquals("stateFree 0x00001000", tx.calls.getLast());
        assertEquals(5, tx.state(0x1000).packets.get(), "the device sealed all five");

        // The receiver: no offloadOk (inbound), one advance when the window's top crossed 2^32.
        assertEquals(List.of("stateAdd 0x00001000", "stateAdvanceEsn 0x00001000", "stateUpdateStats 0x00001000"), rx.calls);
        b.states();
        assertEquals("stateUpdateStats 0x00001000", rx.calls.getLast(), "list folds in the device's counters too");
        assertEquals(5, b.state(B, 0x1000).counters().packets());
    }

    @Test
    void cryptoOffloadRefusedFallsBackToSoftwareAndSaysWhy() {
        XfrmCore a = core();
        XfrmCore b = core();
        NetdevsimXfrm nsim = new NetdevsimXfrm();
        nsim.refuseCrypto = "netdevsim: this SA is not for me";
        a.addDeviceBackend("eth1", nsim);
        a.addState(sa(0x1000, crypto("eth1", XfrmDirection.OUT)));
        a.addPolicy(out());
        b.addState(sa(0x1000, null));
        String placement = a.state(B, 0x1000).placement();
        assertTrue(placement.startsWith("software, engine jce (offload crypto dev eth1 refused by backend netdevsim: "
                + "netdevsim: this SA is not for me)"), placement);
        assertEquals(1, cross(a, b, 100, 1));
        assertEquals(List.of("stateAdd 0x00001000"), nsim.calls, "an SA in software never reaches the device again");

        // Without a backend for the device: software, as before.
        a.addState(sa(0x2000, crypto("eth9", XfrmDirection.OUT)));
        assertTrue(a.state(B, 0x2000).placement().endsWith("(offload crypto dev eth9: no device backend offers it)"));
    }

    @Test
    void packetOffloadRefusedIsAnErrorAndChangesNothing() throws Exception {
        XfrmCore a = core();
        NetdevsimXfrm nsim = new NetdevsimXfrm();
        nsim.refusePacket = "netdevsim: replay window 64 not supported in packet mode";
        a.addDeviceBackend("eth1", nsim);
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        a.monitor(events::add);
        XfrmException e = assertThrows(XfrmException.class, () -> a.addState(sa(0x1000, packetMode("eth1", XfrmDirection.OUT))));
        assertEquals("offload packet dev eth1: backend netdevsim refused the SA: netdevsim: replay window 64 not supported in packet mode",
                e.getMessage());
        assertEquals(0, a.stateCount());
        assertFalse(a.active());
        e = assertThrows(XfrmException.class, () -> a.addState(sa(0x1000, packetMode("eth9", XfrmDirection.OUT))));
        assertTrue(e.getMessage().startsWith("offload packet dev eth9: no device backend offers IPsec packet offload on dev eth9"
                + " (device backends: eth1 (netdevsim))"), e.getMessage());
        assertEquals(0, a.stateCount());
        Thread.sleep(50);
        assertEquals(List.of(), events, "nothing happened");
        assertEquals(List.of("stateAdd 0x00001000"), nsim.calls);

        nsim.refusePacket = null;
        a.addState(sa(0x1000, packetMode("eth1", XfrmDirection.OUT)));
        assertEquals("offload packet dev eth1, backend netdevsim, nsim sa 0", a.state(B, 0x1000).placement());
    }

    /**
     * offloadOk false: that packet is sealed by the software twin; the peer opens every packet and
     * the sequence numbers run on without a gap, whichever side sealed them.
     */
    @Test
    void packetsTheDeviceDeclinesAreSealedByTheSoftwareTwin() {
        XfrmCore a = core();
        XfrmCore b = core();
        NetdevsimXfrm nsim = new NetdevsimXfrm();
        nsim.maxOffloadLength = 200;
        a.addDeviceBackend("eth1", nsim);
        a.addState(sa(0x1000, crypto("eth1", XfrmDirection.OUT)));
        a.addPolicy(out());
        b.addState(sa(0x1000, null));
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            seqs.add(cross(a, b, i % 3 == 0 ? 1000 : 100, i + 1));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), seqs);
        assertEquals(6, nsim.state(0x1000).packets.get(), "the device sealed the short ones");
        assertEquals(10, nsim.offloadOkCalls());
        assertEquals(10, a.state(B, 0x1000).counters().packets(), "the core counted both");
        assertEquals(10, b.state(B, 0x1000).counters().packets());

        // Packet offload has no software twin: a packet the device declines is dropped (Linux: XfrmOutError).
        XfrmCore c = core();
        c.addDeviceBackend("eth1", nsim);
        c.addState(sa(0x1000, packetMode("eth1", XfrmDirection.OUT)));
        c.addPolicy(out());
        PacketBuffer big = packet(1000, 1);
        assertEquals(XfrmLayer.DROPPED, c.encapsulate(big, c.outputLookup(big, 0)));
        assertEquals(DropReason.TX_ERROR.ordinal(), big.dropReason);
        XfrmCore d = core();
        d.addState(sa(0x1000, null));
        assertEquals(1, cross(c, d, 100, 2), "the next small packet goes; the dropped one used no number");
    }

    @Test
    void devicePoliciesAreAddedDeletedAndFreedInOrder() throws Exception {
        XfrmCore a = core();
        NetdevsimXfrm nsim = new NetdevsimXfrm();
        a.addDeviceBackend("eth1", nsim);
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        a.monitor(events::add);

        nsim.refusePolicy = "netdevsim: no room in the policy table";
        XfrmException e = assertThrows(XfrmException.class, () -> a.addPolicy(offloaded(out(), "eth1")));
        assertEquals("offload packet dev eth1: backend netdevsim refused the policy: netdevsim: no room in the policy table", e.getMessage());
        assertEquals(0, a.policyCount());
        assertThrows(XfrmException.class, () -> a.addPolicies(List.of(
                policy(sel("10.3.0.0/16", "10.4.0.0/16"), XfrmDirection.IN, 0, XfrmPolicy.Action.ALLOW), offloaded(out(), "eth1"))));
        assertEquals(0, a.policyCount(), "a bulk add with a refusal adds none");
        assertThrows(XfrmException.class, () -> a.addPolicy(offloaded(out(), "eth9")), "no backend for eth9");
        nsim.refusePolicy = null;
        nsim.calls.clear();

        a.addPolicy(offloaded(out(), "eth1"));
        a.addState(sa(0x1000, packetMode("eth1", XfrmDirection.OUT)));
        encryptOnce(a);
        nsim.policies.getFirst().traffic(10, 1000);
        var info = a.policies().getFirst();
        assertEquals(11, info.packets(), "one packet in the core, ten on the device");
        assertEquals(1000 + 100, info.bytes());

        XfrmPolicy replacement = offloaded(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 100, XfrmPolicy.Action.ALLOW,
                tunnel(A, B)), "eth1");
        a.updatePolicy(replacement);
        assertEquals(11, a.policies().getFirst().packets(), "an update keeps the counters, the old device policy's too");
        a.flushPolicies();
        a.addPolicy(out());
        a.housekeep();
        assertEquals(List.of("policyAdd out", "stateAdd 0x00001000", "offloadOk 0x00001000", "policyAdd out", "policyDelete out",
                "policyDelete out", "policyFree out", "policyFree out"), nsim.calls);
        a.deletePolicy(XfrmDirection.OUT, sel("10.1.0.0/16", "10.2.0.0/16"), Mark.NONE, 0);
        assertEquals(8, nsim.calls.size(), "a policy in software never reaches the device");
    }

    static void encryptOnce(XfrmCore a) {
        PacketBuffer p = packet(100, 1);
        int sa = a.outputLookup(p, 0);
        assertTrue(sa >= 0);
        assertEquals(0, a.encapsulate(p, sa));
    }

    /**
     * The device backend goes away with traffic flowing: the crypto-offload SA goes on on its
     * software twin with the next sequence number; the packet-offload SA and policy are deleted
     * with events; the device gets stateDelete/policyDelete at once and the frees after the grace period.
     */
    @Test
    void removingTheDeviceBackendMovesCryptoSasToSoftwareAndDeletesPacketOffload() throws Exception {
        XfrmCore a = core();
        XfrmCore b = core();
        NetdevsimXfrm nsim = new NetdevsimXfrm();
        a.addDeviceBackend("eth1", nsim);
        a.addState(sa(0x1000, crypto("eth1", XfrmDirection.OUT)));
        a.addPolicy(out());
        b.addState(sa(0x1000, null));
        a.addState(new XfrmState(A, B, 0x2000, XfrmMode.TUNNEL, 2, new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.NONE, 128),
                KeyMaterial.parseHex(GCM_KEY), null, 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, packetMode("eth1", XfrmDirection.OUT)));
        XfrmPolicy devicePolicy = offloaded(policy(sel("10.5.0.0/16", "10.6.0.0/16"), XfrmDirection.OUT, 100, XfrmPolicy.Action.ALLOW,
                new io.netfence.xfrm.api.Template(A, B, 0, XfrmMode.TUNNEL, 2, false)), "eth1");
        a.addPolicy(devicePolicy);
        for (int i = 0; i < 3; i++) {
            cross(a, b, 100, i + 1);
        }
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        a.monitor(events::add);
        nsim.calls.clear();

        a.removeDeviceBackend("eth1");
        assertEquals(List.of("stateDelete 0x00001000", "stateDelete 0x00002000", "policyDelete out"), nsim.calls);
        assertEquals(1, a.stateCount());
        assertEquals(1, a.policyCount());
        var info = a.state(B, 0x1000);
        assertTrue(info.placement().startsWith("software, engine jce (offload crypto dev eth1: backend netdevsim went away)"),
                info.placement());
        assertEquals(3, info.counters().packets(), "counters go on");
        assertEquals(4, cross(a, b, 100, 4), "the next sequence number, sealed by the twin");
        a.housekeep();
        assertEquals(List.of("stateDelete 0x00001000", "stateDelete 0x00002000", "policyDelete out", "stateFree 0x00001000",
                "stateFree 0x00002000", "policyFree out"), nsim.calls);
        assertEquals(5, cross(a, b, 100, 5), "the twin still works after the device half was freed (its key is its own)");
        assertEquals(3, nsim.state(0x1000).packets.get(), "the device saw nothing after it went away");
        awaitEvents(events, 2);
        assertEquals(List.of(XfrmEvent.Kind.STATE_DELETE, XfrmEvent.Kind.POLICY_DELETE), events.stream().map(XfrmEvent::kind).toList());
        assertEquals(0x2000, events.getFirst().state().spi());
        assertNotNull(events.get(1).policy().offload());
        assertTrue(nsim.calls.stream().noneMatch(c -> c.startsWith("BUG")), nsim.calls::toString);

        // Gone means gone: a new packet-offload SA for eth1 is refused, a crypto one runs in software.
        assertThrows(XfrmException.class, () -> a.addState(sa(0x3000, packetMode("eth1", XfrmDirection.OUT))));
        a.addState(sa(0x4000, crypto("eth1", XfrmDirection.OUT)));
        assertTrue(a.state(B, 0x4000).placement().endsWith("no device backend offers it)"));
    }

    @Test
    void aDeviceIsServedByOneBackend() {
        XfrmCore a = core();
        NetdevsimXfrm one = new NetdevsimXfrm("one");
        NetdevsimXfrm two = new NetdevsimXfrm("two");
        a.addDeviceBackend("eth1", one);
        assertThrows(XfrmException.class, () -> a.addDeviceBackend("eth1", two));
        a.removeDeviceBackend("eth1", two);
        a.addState(sa(0x1000, crypto("eth1", XfrmDirection.OUT)));
        assertTrue(a.state(B, 0x1000).placement().contains("backend one"), "two's unbind did not remove one");
    }
}
