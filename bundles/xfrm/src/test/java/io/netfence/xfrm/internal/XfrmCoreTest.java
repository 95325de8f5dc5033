package io.netfence.xfrm.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.crypto.EspSuite;
import io.netfence.net.spi.XfrmLayer;
import io.netfence.packet.DropReason;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import io.netfence.xfrm.api.Encap;
import io.netfence.xfrm.api.KeyMaterial;
import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.Mark;
import io.netfence.xfrm.api.OffloadSpec;
import io.netfence.xfrm.api.Selector;
import io.netfence.xfrm.api.Template;
import io.netfence.xfrm.api.XfrmDirection;
import io.netfence.xfrm.api.XfrmEvent;
import io.netfence.xfrm.api.XfrmException;
import io.netfence.xfrm.api.XfrmMode;
import io.netfence.xfrm.api.XfrmPolicy;
import io.netfence.xfrm.api.XfrmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SAD/SPD rules and the IPsec layer, end to end between two cores (site A encrypts, site B
 * decrypts) on the real software backend and the JDK's crypto engine.
 */
class XfrmCoreTest extends CoreFixture {
    static final IpAddress A = IpAddress.parse("198.51.100.1");
    static final IpAddress B = IpAddress.parse("203.0.113.1");
    static final String GCM_KEY = "0x0102030405060708090a0b0c0d0e0f1011121314";

    static XfrmState sa(IpAddress src, IpAddress dst, int spi, Lifetime life) {
        return new XfrmState(src, dst, spi, XfrmMode.TUNNEL, 1, new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.NONE, 128),
                KeyMaterial.parseHex(GCM_KEY), null, 64, false, null, life, null, Mark.NONE, 0, null);
    }

    static Selector sel(String src, String dst) {
        return new Selector(IpPrefix.parse(src), IpPrefix.parse(dst), 0, 0, 0, 0, 0, null);
    }

    static XfrmPolicy policy(Selector s, XfrmDirection dir, int priority, XfrmPolicy.Action action, Template... t) {
        return new XfrmPolicy(s, dir, priority, action, 0, List.of(t), 0, Mark.NONE, Lifetime.NONE, null);
    }

    static Template tunnel(IpAddress src, IpAddress dst) {
        return new Template(src, dst, 0, XfrmMode.TUNNEL, 1, false);
    }

    /** Site A: out policy 10.1/16 -> 10.2/16 through SA A->B. Site B: the same SA and a fwd policy. */
    XfrmCore[] sites() {
        XfrmCore a = core();
        XfrmCore b = core();
        a.addState(sa(A, B, 0x1000, Lifetime.NONE));
        a.addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 100, XfrmPolicy.Action.ALLOW, tunnel(A, B)));
        b.addState(sa(A, B, 0x1000, Lifetime.NONE));
        b.addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.FWD, 100, XfrmPolicy.Action.ALLOW, tunnel(A, B)));
        return new XfrmCore[] {a, b};
    }

    static PacketBuffer packet(String src, String dst, int sport) {
        byte[] frame = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv4(src, dst).udp(sport, 53)
                .payload("hello through the tunnel".getBytes()).build();
        PacketBuffer p = new PacketBuffer();
        p.load(frame, 0, frame.length);
        assertEquals(-1, FlowDissector.dissect(p));
        return p;
    }

    static byte[] ip(PacketBuffer p) {
        byte[] b = new byte[p.offset + p.length - p.key.l3Offset];
        System.arraycopy(p.data, p.key.l3Offset, b, 0, b.length);
        return b;
    }

    /** Encrypts at site A; returns the outer packet, dissected. */
    static PacketBuffer encrypt(XfrmCore a, PacketBuffer p) {
        int sa = a.outputLookup(p, 0);
        assertTrue(sa >= 0, "an SA for the packet");
        assertEquals(0, a.encapsulate(p, sa));
        assertEquals(-1, FlowDissector.dissect(p));
        return p;
    }

    @Test
    void packetsCrossTheTunnelIntact() {
        XfrmCore[] s = sites();
        PacketBuffer p = packet("10.1.0.5", "10.2.0.7", 1111);
        byte[] inner = ip(p);
        encrypt(s[0], p);
        assertEquals(50, p.key.ipProto);
        assertEquals(A.v4bits(), p.key.ipv4Src);
        assertEquals(B.v4bits(), p.key.ipv4Dst);
        assertEquals(0x1000, p.key.espSpi);
        assertEquals(0, s[1].input(p), "decrypted, if_id 0");
        assertEquals(-1, FlowDissector.dissect(p));
        assertArrayEquals(inner, ip(p));
        assertTrue(s[1].inboundAllowed(p, true));
        var info = s[1].state(B, 0x1000);
        assertEquals(1, info.counters().packets());
        assertEquals(1, info.inboundSeq());
        assertEquals(1, s[0].state(B, 0x1000).outboundSeq());
        assertEquals(1, s[0].policies().getFirst().packets());
    }

    @Test
    void replayedTamperedAndUnknownEspIsDroppedAndCounted() {
        XfrmCore[] s = sites();
        PacketBuffer p = encrypt(s[0], packet("10.1.0.5", "10.2.0.7", 1111));
        byte[] wire = p.toByteArray();
        assertEquals(0, s[1].input(p));

        PacketBuffer replay = load(wire);
        assertEquals(XfrmLayer.DROPPED, s[1].input(replay));
        assertEquals(DropReason.XFRM_REPLAY.ordinal(), replay.dropReason);

        PacketBuffer next = encrypt(s[0], packet("10.1.0.5", "10.2.0.7", 1111));
        next.data[next.offset + next.length - 1] ^= 1;
        assertEquals(XfrmLayer.DROPPED, s[1].input(next));
        assertEquals(DropReason.XFRM_AUTH.ordinal(), next.dropReason);

        PacketBuffer unknown = load(wire);
        unknown.data[unknown.key.l4Offset + 3] ^= 0x55;
        assertEquals(XfrmLayer.DROPPED, s[1].input(unknown));
        assertEquals(DropReason.XFRM_NO_STATE.ordinal(), unknown.dropReason);

        var c = s[1].state(B, 0x1000).counters();
        assertEquals(1, c.replay());
        assertEquals(1, c.integrityFailed());
        assertEquals(1, c.packets());
        // The forged packet did not move the window: the genuine second packet still gets in.
        s[1].state(B, 0x1000);
    }

    static PacketBuffer load(byte[] frame) {
        PacketBuffer p = new PacketBuffer();
        p.load(frame, 0, frame.length);
        assertEquals(-1, FlowDissector.dissect(p));
        return p;
    }

    @Test
    void noSaMeansAcquireAndDrop() throws Exception {
        XfrmCore a = core();
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable m = a.monitor(events::add)) {
            a.addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, tunnel(A, B)));
            PacketBuffer p = packet("10.1.0.5", "10.2.0.7", 1111);
            assertEquals(XfrmLayer.DROPPED, a.outputLookup(p, 0));
            assertEquals(DropReason.XFRM_ACQUIRE.ordinal(), p.dropReason);
            // Rate-limited: a second packet is dropped without a second acquire.
            assertEquals(XfrmLayer.DROPPED, a.outputLookup(packet("10.1.0.5", "10.2.0.7", 1111), 0));
            awaitEvents(events, 2);
            assertEquals(XfrmEvent.Kind.POLICY_ADD, events.get(0).kind());
            assertEquals(XfrmEvent.Kind.ACQUIRE, events.get(1).kind());
            assertEquals(IpPrefix.parse("10.2.0.7/32"), events.get(1).acquire().dst());
            Thread.sleep(100);
            assertEquals(2, events.size());
        }
    }

    @Test
    void acquiresAreRateLimitedPerDestinationAndBounded() throws Exception {
        XfrmCore a = core();
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        try (AutoCloseable m = a.monitor(e -> {
            if (e.kind() == XfrmEvent.Kind.ACQUIRE) {
                events.add(e);
            }
        })) {
            // One wildcard policy: each destination behind it gets its own acquire, as Linux's larval SAs.
            a.addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, tunnel(A, B)));
            a.outputLookup(packet("10.1.0.5", "10.2.0.7", 1), 0);
            a.outputLookup(packet("10.1.0.5", "10.2.0.8", 1), 0);
            a.outputLookup(packet("10.1.0.6", "10.2.0.7", 2), 0);
            awaitEvents(events, 2);
            assertEquals(List.of(IpPrefix.parse("10.2.0.7/32"), IpPrefix.parse("10.2.0.8/32")),
                    events.stream().map(e -> e.acquire().dst()).toList());
            // A scan: no more than MAX_ACQUIRES outstanding.
            for (int i = 0; i < XfrmCore.MAX_ACQUIRES + 100; i++) {
                a.outputLookup(packet("10.1.0.5", "10.2." + (1 + i / 250) + "." + (i % 250), 1), 0);
            }
            for (int i = 0; i < 300 && events.size() < XfrmCore.MAX_ACQUIRES; i++) {
                Thread.sleep(10);
            }
            Thread.sleep(100);
            assertEquals(XfrmCore.MAX_ACQUIRES, events.size());
        }
    }

    static void awaitEvents(List<XfrmEvent> events, int n) throws InterruptedException {
        for (int i = 0; i < 200 && events.size() < n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, events.size(), () -> "events: " + events);
    }

    @Test
    void policiesBlockPassAndRequireProtection() {
        XfrmCore[] s = sites();
        // Plain traffic that the fwd policy says must arrive through the tunnel: refused.
        PacketBuffer clear = packet("10.1.0.5", "10.2.0.7", 1111);
        assertFalse(s[1].inboundAllowed(clear, true));
        assertEquals(DropReason.XFRM_TEMPLATE_MISMATCH.ordinal(), clear.dropReason);
        // Traffic no policy covers passes in clear both ways.
        assertEquals(XfrmLayer.PASS, s[0].outputLookup(packet("10.9.0.5", "10.2.0.7", 1), 0));
        assertTrue(s[1].inboundAllowed(packet("10.9.0.5", "10.2.0.7", 1), true));
        // A more urgent block policy wins over the allow.
        s[0].addPolicy(policy(new Selector(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/16"), 17, 0, 0, 53, 0xFFFF, null),
                XfrmDirection.OUT, 0, XfrmPolicy.Action.BLOCK));
        PacketBuffer dns = packet("10.1.0.5", "10.2.0.7", 1111);
        assertEquals(XfrmLayer.DROPPED, s[0].outputLookup(dns, 0));
        assertEquals(DropReason.XFRM_POLICY_BLOCK.ordinal(), dns.dropReason);
    }

    @Test
    void hardLimitsDropAndRemoveSoftLimitsWarn() throws Exception {
        XfrmCore a = core();
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        a.monitor(events::add);
        Lifetime life = new Lifetime(Lifetime.INF, Lifetime.INF, 1, 2, 0, 0, 0, 0);
        a.addState(sa(A, B, 0x1000, life));
        a.addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, tunnel(A, B)));
        encrypt(a, packet("10.1.0.5", "10.2.0.7", 1));
        encrypt(a, packet("10.1.0.5", "10.2.0.7", 1));
        PacketBuffer third = packet("10.1.0.5", "10.2.0.7", 1);
        int sa = a.outputLookup(third, 0);
        assertEquals(XfrmLayer.DROPPED, a.encapsulate(third, sa));
        assertEquals(DropReason.XFRM_EXPIRED.ordinal(), third.dropReason);
        a.housekeep();
        assertEquals(0, a.stateCount());
        awaitEvents(events, 4);
        assertEquals(List.of(XfrmEvent.Kind.STATE_ADD, XfrmEvent.Kind.POLICY_ADD, XfrmEvent.Kind.EXPIRE_SOFT, XfrmEvent.Kind.EXPIRE_HARD),
                events.stream().map(XfrmEvent::kind).toList());
    }

    @Test
    void timeLimitsExpireOnTheClock() {
        XfrmCore a = core();
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        a.monitor(events::add);
        a.addState(sa(A, B, 0x1000, new Lifetime(Lifetime.INF, Lifetime.INF, Lifetime.INF, Lifetime.INF, 10, 20, 0, 0)));
        a.housekeep();
        assertFalse(a.state(B, 0x1000).softExpired());
        clock.addAndGet(10);
        a.housekeep();
        assertTrue(a.state(B, 0x1000).softExpired());
        clock.addAndGet(10);
        a.housekeep();
        assertEquals(0, a.stateCount());
    }

    static XfrmPolicy timedPolicy(String src, Lifetime life) {
        return new XfrmPolicy(sel(src, "10.2.0.0/16"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, 0, List.of(tunnel(A, B)), 0,
                Mark.NONE, life, null);
    }

    @Test
    void policyTimeLimitsExpireAsOnLinux() throws Exception {
        XfrmCore a = core();
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        a.monitor(events::add);
        long inf = Lifetime.INF;
        // time-soft 1 time-hard 2 (the audit's "limit time-hard 2"), and an idle limit: time-use-hard 10.
        a.addPolicy(timedPolicy("10.1.0.0/16", new Lifetime(inf, inf, inf, inf, 1, 2, 0, 0)));
        a.addPolicy(timedPolicy("10.3.0.0/16", new Lifetime(inf, inf, inf, inf, 0, 0, 0, 10)));
        a.addPolicy(timedPolicy("10.4.0.0/16", new Lifetime(inf, inf, inf, inf, 5, 0, 0, 0)));
        a.housekeep();
        clock.addAndGet(1);
        a.housekeep();
        clock.addAndGet(1);
        a.housekeep();
        assertEquals(2, a.policyCount(), "time-hard 2: gone 2 s after the add");
        awaitEvents(events, 5);
        assertEquals(List.of(XfrmEvent.Kind.POLICY_EXPIRE_SOFT, XfrmEvent.Kind.POLICY_EXPIRE_HARD),
                events.subList(3, 5).stream().map(XfrmEvent::kind).toList());
        assertEquals(sel("10.1.0.0/16", "10.2.0.0/16"), events.get(4).policy().selector());
        assertEquals(XfrmLayer.PASS, a.outputLookup(packet("10.1.0.5", "10.2.0.7", 1), 0), "its traffic is no longer matched");

        // time-use-hard counts from the last use: used at +6, still there at +15, gone at +16.
        clock.addAndGet(4);
        a.housekeep();
        assertEquals(XfrmLayer.DROPPED, a.outputLookup(packet("10.3.0.5", "10.2.0.7", 1), 0), "used (no SA: acquire)");
        clock.addAndGet(9);
        a.housekeep();
        assertEquals(2, a.policyCount());
        clock.addAndGet(1);
        a.housekeep();
        assertEquals(1, a.policyCount(), "idle for 10 s since its last use");

        // A soft limit warns again every 30 s while the policy lives (Linux's XFRM_KM_TIMEOUT).
        Thread.sleep(100);
        long soft = events.stream().filter(e -> e.kind() == XfrmEvent.Kind.POLICY_EXPIRE_SOFT).count();
        clock.addAndGet(29);
        a.housekeep();
        clock.addAndGet(1);
        a.housekeep();
        Thread.sleep(100);
        assertEquals(soft + 1, events.stream().filter(e -> e.kind() == XfrmEvent.Kind.POLICY_EXPIRE_SOFT).count());
        assertEquals(1, a.policyCount(), "a soft limit never deletes");
    }

    @Test
    void updateKeepsSequenceNumbersAndRefusesNewKeys() {
        XfrmCore[] s = sites();
        for (int i = 0; i < 3; i++) {
            encrypt(s[0], packet("10.1.0.5", "10.2.0.7", 1));
        }
        s[0].updateState(sa(A, B, 0x1000, new Lifetime(Lifetime.INF, 1000, Lifetime.INF, Lifetime.INF, 0, 0, 0, 0)));
        PacketBuffer p = encrypt(s[0], packet("10.1.0.5", "10.2.0.7", 1));
        assertEquals(4, s[0].state(B, 0x1000).outboundSeq());
        assertEquals(1000, s[0].state(B, 0x1000).state().lifetime().hardBytes());
        assertEquals(4, s[0].state(B, 0x1000).counters().packets());
        XfrmState rekeyed = new XfrmState(A, B, 0x1000, XfrmMode.TUNNEL, 1, new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.NONE, 128),
                KeyMaterial.parseHex("0xffff030405060708090a0b0c0d0e0f1011121314"), null, 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, null);
        XfrmException e = assertThrows(XfrmException.class, () -> s[0].updateState(rekeyed));
        assertTrue(e.getMessage().contains("keys"), e.getMessage());
        assertEquals(0, s[1].input(p) < 0 ? -1 : 0, "B still decrypts after A's update");
    }

    @Test
    void deletedSaHasItsKeyWiped() {
        XfrmCore a = core();
        XfrmState s = sa(A, B, 0x1000, Lifetime.NONE);
        a.addState(s);
        a.deleteState(B, 0x1000);
        a.housekeep();
        assertTrue(s.encryptionKey().wiped());
        assertThrows(IllegalStateException.class, () -> s.encryptionKey().copy());
        assertFalse(s.toString().contains("0102030405"), "keys never appear in toString");
    }

    @Test
    void saThatCannotWorkIsRefusedAndNothingChanges() {
        XfrmCore a = core();
        EspSuite gcm = new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.NONE, 128);
        EspSuite cbc = new EspSuite(EspSuite.Cipher.AES_CBC, 128, EspSuite.Auth.HMAC_SHA256, 128);
        KeyMaterial k20 = KeyMaterial.parseHex(GCM_KEY);
        KeyMaterial k16 = KeyMaterial.parseHex("0x0102030405060708090a0b0c0d0e0f10");
        List<XfrmState> bad = List.of(
                new XfrmState(A, B, 0x1000, XfrmMode.TUNNEL, 1, gcm, k16, null, 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, null),
                new XfrmState(A, B, 0x10, XfrmMode.TUNNEL, 1, gcm, k20, null, 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, null),
                new XfrmState(A, B, 0x1000, XfrmMode.TUNNEL, 1, gcm, k20, k16, 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, null),
                new XfrmState(A, B, 0x1000, XfrmMode.TUNNEL, 1, cbc, k16, null, 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, null),
                new XfrmState(A, B, 0x1000, XfrmMode.TUNNEL, 1, gcm, k20, null, 5000, false, null, Lifetime.NONE, null, Mark.NONE, 0, null),
                new XfrmState(A, IpAddress.parse("2001:db8::1"), 0x1000, XfrmMode.TUNNEL, 1, gcm, k20, null, 64, false, null, Lifetime.NONE,
                        null, Mark.NONE, 0, null),
                new XfrmState(A, B, 0x1000, XfrmMode.TUNNEL, 1, gcm, k20, null, 64, false, null, Lifetime.NONE, null, Mark.NONE, 0,
                        new OffloadSpec(OffloadSpec.Type.PACKET, "eth0", XfrmDirection.OUT)));
        for (XfrmState s : bad) {
            XfrmException e = assertThrows(XfrmException.class, () -> a.addState(s), s::toString);
            assertNotEquals("", e.getMessage());
            assertEquals(0, a.stateCount());
            assertFalse(a.active());
        }
        a.addState(sa(A, B, 0x1000, Lifetime.NONE));
        assertThrows(XfrmException.class, () -> a.addState(sa(A, B, 0x1000, Lifetime.NONE)));
        assertEquals(1, a.stateCount());
    }

    @Test
    void badPoliciesAreRefused() {
        XfrmCore a = core();
        assertThrows(XfrmException.class, () -> a.addPolicy(new XfrmPolicy(sel("10.0.0.0/8", "10.0.0.0/8"), XfrmDirection.OUT, 0,
                XfrmPolicy.Action.ALLOW, 5, List.of(), 0, Mark.NONE, Lifetime.NONE, null)), "index 5 is a fwd index");
        assertThrows(XfrmException.class, () -> a.addPolicy(policy(sel("10.0.0.0/8", "10.0.0.0/8"), XfrmDirection.OUT, 0,
                XfrmPolicy.Action.BLOCK, tunnel(A, B))));
        assertThrows(XfrmException.class, () -> a.addPolicy(policy(sel("10.0.0.0/8", "2001:db8::/32"), XfrmDirection.OUT, 0,
                XfrmPolicy.Action.ALLOW)));
        a.addPolicy(policy(sel("10.0.0.0/8", "10.0.0.0/8"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW));
        assertThrows(XfrmException.class, () -> a.addPolicy(policy(sel("10.0.0.0/8", "10.0.0.0/8"), XfrmDirection.OUT, 5,
                XfrmPolicy.Action.ALLOW)), "same key: add refuses, update replaces");
        XfrmPolicy updated = a.updatePolicy(policy(sel("10.0.0.0/8", "10.0.0.0/8"), XfrmDirection.OUT, 5, XfrmPolicy.Action.ALLOW));
        assertEquals(1, a.policyCount());
        assertEquals(5, a.policies().getFirst().policy().priority());
        assertEquals(1, updated.index() & 7, "an out policy's index ends in 1");
    }

    @Test
    void espInUdpAndNatKeepalives() {
        XfrmCore a = core();
        XfrmCore b = core();
        XfrmState s = new XfrmState(A, B, 0x2000, XfrmMode.TUNNEL, 1, new EspSuite(EspSuite.Cipher.AES_GCM, 128, EspSuite.Auth.NONE, 128),
                KeyMaterial.parseHex(GCM_KEY), null, 64, false, null, Lifetime.NONE, new Encap(4500, 4500, null), Mark.NONE, 0, null);
        a.addState(s);
        b.addState(s);
        a.addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, tunnel(A, B)));
        PacketBuffer p = encrypt(a, packet("10.1.0.5", "10.2.0.7", 1));
        assertEquals(17, p.key.ipProto);
        assertEquals(4500, p.key.dstPort);
        assertEquals(0, b.input(p));
        byte[] keepalive = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv4(A, B).udp(4500, 4500)
                .payload(new byte[] {(byte) 0xFF}).build();
        assertEquals(XfrmLayer.CONSUMED, b.input(load(keepalive)));
        byte[] ike = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv4(A, B).udp(4500, 4500)
                .payload(HexFormat.of().parseHex("00000000aabbccddeeff00112233445566778899")).build();
        assertEquals(XfrmLayer.PASS, b.input(load(ike)), "the non-ESP marker: IKE is not ours");
    }

    @Test
    void configurationSurvivesARestart(@TempDir Path dir) throws Exception {
        XfrmCore[] s = sites();
        s[0].addState(new XfrmState(A, B, 0x3000, XfrmMode.TRANSPORT, 7,
                new EspSuite(EspSuite.Cipher.AES_CBC, 256, EspSuite.Auth.HMAC_SHA512, 256),
                KeyMaterial.parseHex("0x" + "11".repeat(32)), KeyMaterial.parseHex("0x" + "22".repeat(64)), 4096, true,
                sel("10.1.0.0/16", "10.2.0.0/16"), new Lifetime(100, 200, 3, 4, 5, 6, 7, 8), new Encap(4500, 4501, null),
                new Mark(5, 0xff), 9, null));
        XfrmConfigFile file = new XfrmConfigFile(dir.resolve("xfrm.conf"), org.slf4j.LoggerFactory.getLogger("test"));
        file.save(s[0]);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("xfrm.conf"))));
        XfrmCore restored = core();
        file.load(restored);
        assertEquals(s[0].states().stream().map(i -> i.state()).toList(), restored.states().stream().map(i -> i.state()).toList());
        assertEquals(s[0].policies().stream().map(i -> i.policy()).toList(), restored.policies().stream().map(i -> i.policy()).toList());
    }

    @Test
    void aConfigurationLoadsInBulkAndSkipsOnlyTheLinesThatNoLongerApply(@TempDir Path dir) throws Exception {
        XfrmCore a = core();
        a.addState(sa(A, B, 0x1000, Lifetime.NONE));
        List<XfrmPolicy> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(policy(sel("10.1." + (i >> 8) + "." + (i & 255) + "/32", "10.2.0.0/16"), XfrmDirection.OUT, 0,
                    XfrmPolicy.Action.ALLOW, tunnel(A, B)));
        }
        a.addPolicies(many);
        Path conf = dir.resolve("xfrm.conf");
        XfrmConfigFile file = new XfrmConfigFile(conf, org.slf4j.LoggerFactory.getLogger("test"));
        file.save(a);
        XfrmCore restored = core();
        assertEquals(1001, file.load(restored));
        assertEquals(1000, restored.policyCount());
        assertTrue(restored.outputLookup(packet("10.1.3.231", "10.2.0.7", 1), 0) >= 0, "policy 999 and its SA work");

        // A line the SPD refuses (an index of the wrong direction): the others still load.
        List<String> lines = new ArrayList<>(Files.readAllLines(conf));
        int bad = lines.size() - 1;
        lines.set(bad, lines.get(bad).replaceFirst(" index=[0-9]+", " index=10"));
        Files.write(conf, lines);
        XfrmCore partly = core();
        file.load(partly);
        assertEquals(1, partly.stateCount());
        assertEquals(999, partly.policyCount());
    }

    @Test
    void policiesAddedOneByOneAtScaleFindTheirSas() {
        XfrmCore a = core();
        IpAddress c = IpAddress.parse("192.0.2.9");
        long t0 = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            a.addPolicy(policy(sel("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + "/32", "172.16.0.0/16"),
                    XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, tunnel(A, i % 2 == 0 ? B : c)));
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        // Each add used to rebuild every table (minutes for this many); now it is a hash insert.
        assertTrue(millis < 30_000, "100k addPolicy calls took " + millis + " ms");
        assertEquals(XfrmLayer.DROPPED, a.outputLookup(packet("10.0.0.2", "172.16.0.1", 1), 0), "no SA yet: acquire");
        // One SA reaches the 50k policies of its tunnel, not the others.
        a.addState(sa(A, B, 0x1000, Lifetime.NONE));
        assertTrue(a.outputLookup(packet("10.0.0.2", "172.16.0.1", 1), 0) >= 0);
        assertTrue(a.outputLookup(packet("10.1.134.158", "172.16.0.1", 1), 0) >= 0, "policy 99998, of the same tunnel");
        assertEquals(XfrmLayer.DROPPED, a.outputLookup(packet("10.0.0.3", "172.16.0.1", 1), 0));
        a.deleteState(B, 0x1000);
        assertEquals(XfrmLayer.DROPPED, a.outputLookup(packet("10.0.0.2", "172.16.0.1", 1), 0), "its SA is gone");
        a.deletePolicy(XfrmDirection.OUT, sel("10.0.0.2/32", "172.16.0.0/16"), Mark.NONE, 0);
        assertEquals(XfrmLayer.PASS, a.outputLookup(packet("10.0.0.2", "172.16.0.1", 1), 0), "its policy is gone");
        assertEquals(99_999, a.policyCount());
        a.flushPolicies();
        assertFalse(a.active());
    }

    @Test
    void outboundSequenceNumbersResumeAboveTheStoredMarkAfterARestart(@TempDir Path dir) throws Exception {
        IpAddress v6 = IpAddress.parse("2001:db8::2");
        try (FileSequenceStore store = new FileSequenceStore(dir)) {
            XfrmCore a = core();
            a.setSequenceStore(store);
            a.addState(sa(A, B, 0x1000, Lifetime.NONE));
            a.addState(sa(IpAddress.parse("2001:db8::1"), v6, 0x1000, Lifetime.NONE));
            a.addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, tunnel(A, B)));
            PacketBuffer p = packet("10.1.0.5", "10.2.0.7", 1);
            int sa = a.outputLookup(p, 0);
            // The first block was made durable when the SA was added: the first packet goes out.
            assertEquals(0, a.encapsulate(p, sa));
            assertEquals(1, a.state(B, 0x1000).outboundSeq());
        }
        try (FileSequenceStore store = new FileSequenceStore(dir)) {
            XfrmCore restarted = core();
            restarted.setSequenceStore(store);
            restarted.addState(sa(A, B, 0x1000, Lifetime.NONE));
            assertTrue(restarted.state(B, 0x1000).outboundSeq() >= io.netfence.xfrm.api.OutboundSequence.DEFAULT_BLOCK,
                    "a restarted SA skips the whole reserved block: " + restarted.state(B, 0x1000).outboundSeq());
        }
        assertTrue(Files.exists(dir.resolve("203.0.113.1-0x00001000.seq")), "the mark is kept per SA, named by dst and SPI");
    }

    /**
     * The inbound window's top is stored (by the housekeeper) beside the outbound mark: an SA
     * restored after a restart refuses what it had accepted before; a deleted SA's window is
     * forgotten, so a new SA of the same name starts afresh.
     */
    @Test
    void inboundReplayProtectionSurvivesARestart(@TempDir Path dir) throws Exception {
        XfrmCore a = core();
        a.addState(sa(A, B, 0x1000, Lifetime.NONE));
        a.addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, tunnel(A, B)));
        List<byte[]> wire = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            wire.add(encrypt(a, packet("10.1.0.5", "10.2.0.7", 1000 + i)).toByteArray());
        }
        String name = "203.0.113.1-0x00001000-in";
        try (FileSequenceStore store = new FileSequenceStore(dir)) {
            XfrmCore b = core();
            b.setSequenceStore(store);
            b.addState(sa(A, B, 0x1000, Lifetime.NONE));
            for (int i = 0; i < 4; i++) {
                assertEquals(0, b.input(load(wire.get(i))));
            }
            b.housekeep();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (store.load(name) != 4 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(4, store.load(name), "the window's top is on disk");
        }
        try (FileSequenceStore store = new FileSequenceStore(dir)) {
            XfrmCore restarted = core();
            restarted.setSequenceStore(store);
            restarted.addState(sa(A, B, 0x1000, Lifetime.NONE));
            for (int i = 0; i < 4; i++) {
                PacketBuffer replay = load(wire.get(i));
                assertEquals(XfrmLayer.DROPPED, restarted.input(replay), "packet " + (i + 1) + " replayed after the restart");
                assertEquals(DropReason.XFRM_REPLAY.ordinal(), replay.dropReason);
            }
            assertEquals(0, restarted.input(load(wire.get(4))), "the next number still passes");

            restarted.deleteState(B, 0x1000);
            assertFalse(Files.exists(dir.resolve(name + ".seq")), "a deleted SA's window is forgotten");
            assertTrue(Files.exists(dir.resolve("203.0.113.1-0x00001000.seq")), "its outbound mark stays: the key may come back");
            restarted.addState(sa(A, B, 0x1000, Lifetime.NONE));
            assertEquals(0, restarted.input(load(wire.get(0))), "a new SA of the same name starts with an empty window");
        }
    }

    /** Workers share SAs: sequence numbers stay unique and a packet is accepted once, whoever races. */
    @Test
    void lifetimesKeepCountingAcrossARestart(@TempDir Path dir) throws Exception {
        XfrmCore a = core();
        long added = clock.get();
        // Hard limits: 100 s after the add, 5 packets; soft: 3 packets.
        a.addState(sa(A, B, 0x1000, new Lifetime(Lifetime.INF, Lifetime.INF, 3, 5, 0, 100, 0, 0)));
        XfrmPolicy out = policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 0, XfrmPolicy.Action.ALLOW, tunnel(A, B));
        a.addPolicy(out);
        clock.addAndGet(10);
        for (int i = 0; i < 3; i++) {
            encrypt(a, packet("10.1.0.5", "10.2.0.7", 1));
        }
        a.housekeep();
        assertTrue(a.state(B, 0x1000).softExpired());
        clock.addAndGet(50);
        XfrmConfigFile file = new XfrmConfigFile(dir.resolve("xfrm.conf"), org.slf4j.LoggerFactory.getLogger("test"));
        file.save(a);

        XfrmCore b = core();
        List<XfrmEvent> events = new CopyOnWriteArrayList<>();
        b.monitor(events::add);
        file.load(b);
        var restored = b.state(B, 0x1000);
        assertEquals(added, restored.addTime(), "the add time is the original one");
        assertEquals(added + 10, restored.useTime(), "so is the first use");
        assertEquals(3, restored.counters().packets());
        assertEquals(a.state(B, 0x1000).counters().bytes(), restored.counters().bytes());
        assertTrue(restored.softExpired());
        assertEquals(added, b.policies().getFirst().addTime(), "a policy's add time too");
        // Two more packets reach the hard packet limit counted before the restart; the third is refused.
        encrypt(b, packet("10.1.0.5", "10.2.0.7", 1));
        encrypt(b, packet("10.1.0.5", "10.2.0.7", 1));
        PacketBuffer sixth = packet("10.1.0.5", "10.2.0.7", 1);
        assertEquals(XfrmLayer.DROPPED, b.encapsulate(sixth, b.outputLookup(sixth, 0)));
        b.housekeep();
        assertEquals(0, b.stateCount());
        awaitEvents(events, 3);
        assertEquals(List.of(XfrmEvent.Kind.STATE_ADD, XfrmEvent.Kind.POLICY_ADD, XfrmEvent.Kind.EXPIRE_HARD),
                events.stream().map(XfrmEvent::kind).toList(), "no second soft event: it went out before the restart");

        // The hard add-time limit counts from the original add: 100 s after it, not after the restart.
        XfrmCore c = core();
        file.load(c);
        clock.addAndGet(39);
        c.housekeep();
        assertEquals(1, c.stateCount());
        clock.addAndGet(1);
        c.housekeep();
        assertEquals(0, c.stateCount(), "expired 100 s after the original add");
    }

    @Test
    void anOldFileWithoutUsageStillLoads(@TempDir Path dir) throws Exception {
        XfrmCore a = core();
        a.addState(sa(A, B, 0x1000, Lifetime.NONE));
        XfrmConfigFile file = new XfrmConfigFile(dir.resolve("xfrm.conf"), org.slf4j.LoggerFactory.getLogger("test"));
        file.save(a);
        Path conf = dir.resolve("xfrm.conf");
        Files.write(conf, Files.readAllLines(conf).stream().map(l -> l.replaceAll(" (added|used|bytes|packets|soft)=[^ ]+", "")).toList());
        clock.addAndGet(5);
        XfrmCore b = core();
        file.load(b);
        assertEquals(clock.get(), b.state(B, 0x1000).addTime(), "without a saved add time the SA starts again");
    }

    @Test
    void workersShareAnSaSafely() throws Exception {
        XfrmCore[] s = sites();
        int n = 20_000;
        byte[][] wire = new byte[n][];
        java.util.Set<Long> seqs = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable seal = () -> {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                PacketBuffer p = encrypt(s[0], packet("10.1.0.5", "10.2.0.7", 1 + (i & 1023)));
                seqs.add(io.netfence.packet.Bytes.u32(p.data, p.key.l4Offset + 4));
                wire[i] = p.toByteArray();
            }
        };
        runBoth(seal);
        assertEquals(n, seqs.size(), "every packet got its own sequence number");
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        // Both threads offer every packet, in sequence order: each is accepted exactly once.
        runBoth(() -> {
            for (byte[] f : sortedBySequence(wire)) {
                PacketBuffer p = load(f);
                if (s[1].input(p) >= 0) {
                    accepted.incrementAndGet();
                } else {
                    refused.incrementAndGet();
                }
            }
        });
        assertEquals(n, accepted.get());
        assertEquals(n, refused.get());
        assertEquals(n, s[1].state(B, 0x1000).counters().packets());
    }

    static List<byte[]> sortedBySequence(byte[][] frames) {
        List<byte[]> l = new ArrayList<>(List.of(frames));
        // ESP sequence number: Ethernet 14 + IPv4 20 + SPI 4.
        l.sort(java.util.Comparator.comparingLong(f -> io.netfence.packet.Bytes.u32(f, 14 + 20 + 4)));
        return l;
    }

    static void runBoth(Runnable r) throws InterruptedException {
        Thread a = new Thread(r);
        Thread b = new Thread(r);
        a.start();
        b.start();
        a.join();
        b.join();
    }

    /** replay-oseq / replay-seq: an SA taken over from another implementation goes on where it stood. */
    @Test
    void replayStateCarriedOver() {
        XfrmCore[] s = sites();
        XfrmState base = sa(A, B, 0x1000, Lifetime.NONE);
        XfrmState taken = new XfrmState(A, B, 0x2000, XfrmMode.TUNNEL, 2, base.suite(), KeyMaterial.parseHex(GCM_KEY), null, 64, false,
                null, Lifetime.NONE, null, Mark.NONE, 0, null, 0, 41);
        s[0].addState(taken);
        s[0].flushPolicies();
        s[0].addPolicy(policy(sel("10.1.0.0/16", "10.2.0.0/16"), XfrmDirection.OUT, 100, XfrmPolicy.Action.ALLOW,
                new Template(A, B, 0, XfrmMode.TUNNEL, 2, false)));
        PacketBuffer p = encrypt(s[0], packet("10.1.0.5", "10.2.0.7", 1));
        assertEquals(42, io.netfence.packet.Bytes.u32(p.data, p.key.l4Offset + 4), "the first number after replay-oseq");
        // The receiver was told it had seen up to 200: 42 is far below its window.
        s[1].addState(new XfrmState(A, B, 0x2000, XfrmMode.TUNNEL, 2, base.suite(), KeyMaterial.parseHex(GCM_KEY), null, 64, false,
                null, Lifetime.NONE, null, Mark.NONE, 0, null, 200, 0));
        assertEquals(XfrmLayer.DROPPED, s[1].input(p));
        assertEquals(DropReason.XFRM_REPLAY_WINDOW.ordinal(), p.dropReason);
        assertThrows(XfrmException.class, () -> s[1].addState(new XfrmState(A, B, 0x3000, XfrmMode.TUNNEL, 2, base.suite(),
                KeyMaterial.parseHex(GCM_KEY), null, 64, false, null, Lifetime.NONE, null, Mark.NONE, 0, null, 0, 1L << 32)),
                "a 33-bit number without ESN");
    }
}
