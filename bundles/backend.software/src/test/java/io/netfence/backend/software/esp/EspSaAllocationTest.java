package io.netfence.backend.software.esp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.backend.software.esp.EspKit.Topology;
import io.netfence.crypto.EspSuite;
import io.netfence.crypto.internal.OpenSslEngine;
import io.netfence.xfrm.api.OutboundSequence;
import io.netfence.xfrm.api.ReplayWindow;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Sealing and opening allocate nothing per packet, with the engine that allocates nothing itself (OpenSSL through FFM). */
class EspSaAllocationTest {
    @ParameterizedTest
    @EnumSource(names = {"TUNNEL_4_IN_4", "TUNNEL_6_IN_4", "UDP_4_IN_6", "TRANSPORT_4_OPTIONS", "UDP_TRANSPORT_6"})
    void encapsulateAndDecapsulateAllocateNothing(Topology t) {
        EspSuite suite = EspSuite.aead("rfc4106(gcm(aes))", 160, 128);
        byte[] key = new byte[suite.encKeyBytes()];
        EspSa out = t.sa(new OpenSslEngine().create(suite, key, new byte[0]), 9, new OutboundSequence(false, 0), null);
        EspSa in = t.sa(new OpenSslEngine().create(suite, key, new byte[0]), 9, null, new ReplayWindow(64, false));
        byte[] packet = t.packet(1000, 1);
        int espOffset = EspKit.espOffset(EspKit.seal(t.sa(new OpenSslEngine().create(suite, key, new byte[0]), 9,
                new OutboundSequence(false, 0), null), packet));
        byte[] b = new byte[2048];
        run(out, in, packet, b, espOffset, 20_000); // warm up: C2 compiles, escape analysis removes the segments
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(id);
        run(out, in, packet, b, espOffset, 100_000);
        long allocated = mx.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 64 * 1024, t + ": " + allocated + " bytes for 100k packets sealed and opened");
    }

    private static void run(EspSa out, EspSa in, byte[] packet, byte[] b, int espOffset, int packets) {
        int at = 256;
        for (int i = 0; i < packets; i++) {
            System.arraycopy(packet, 0, b, at, packet.length);
            int total = out.encapsulate(b, at, packet.length);
            int start = at - out.overheadFront();
            int r = in.decapsulate(b, start, start + espOffset, total);
            if (r != at) {
                throw new AssertionError("round trip " + i + " gave " + r);
            }
        }
    }
}
