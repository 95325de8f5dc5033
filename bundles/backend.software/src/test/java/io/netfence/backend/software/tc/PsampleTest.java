package io.netfence.backend.software.tc;

import static io.netfence.backend.software.tc.TcKit.alive;
import static io.netfence.backend.software.tc.TcKit.eth;
import static io.netfence.backend.software.tc.TcKit.matchAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.packet.FlowDissector;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.tc.api.PacketSample;
import io.netfence.tc.api.PsampleGroup;
import io.netfence.tc.api.SampleAction;
import io.netfence.tc.api.TcHook;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sample action delivers to its psample group: metadata, sequence, truncation, drops when full, no allocation. */
class PsampleTest {
    private static byte[] frame(int size) {
        return eth().ipv4("10.0.0.1", "10.0.0.2").udp(1000, 2000).size(size).build();
    }

    @Test
    void aSampleCarriesPsampleMetadataAndTheTruncatedFrame() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new SampleAction(0, null, 1, 3, 64)));
        byte[] f = frame(200);
        for (int i = 0; i < 10; i++) {
            assertTrue(alive(kit.ingress(f)), "the sampled packet goes on");
        }
        List<PacketSample> got = kit.tc.psample().take(3);
        assertEquals(10, got.size());
        for (int i = 0; i < 10; i++) {
            PacketSample s = got.get(i);
            assertEquals(3, s.group());
            assertEquals(i, s.seq(), "numbered from 0 in the group");
            assertEquals(TcKit.ETH0, s.iifindex());
            assertEquals(0, s.oifindex(), "no output port at ingress");
            assertEquals(f.length, s.origSize(), "the whole frame, its Ethernet header pushed back as act_sample does");
            assertEquals(1, s.rate());
            assertArrayEquals(Arrays.copyOf(f, 64), s.data(), "trunc 64");
            assertTrue(s.timestampNanos() > 0);
        }
        assertEquals(List.of(new PsampleGroup(3, 10, 0, PsampleRegistry.CAPACITY, 64, 0)), kit.tc.psample().groups());
        assertEquals(List.of(), kit.tc.psample().take(3), "taken");
        assertEquals(List.of(), kit.tc.psample().take(4), "no such group");
    }

    @Test
    void atEgressTheOutputPortIsSetAndAHeaderlessDeviceHasNoEthernetHeader() {
        TcKit kit = new TcKit();
        kit.headerless.add("eth1");
        assertNull(kit.tc.bind("eth1", TcHook.EGRESS, TcKit.BLOCK));
        kit.add(matchAll(0, 1, new SampleAction(0, null, 1, 9, 0)));
        byte[] f = frame(100);
        kit.egress(TcKit.ETH1, f);
        kit.tc.commit();
        PacketSample s = kit.tc.psample().peek(9).getFirst();
        assertEquals(TcKit.ETH2, s.iifindex(), "where it came in");
        assertEquals(TcKit.ETH1, s.oifindex());
        assertEquals(f.length - 14, s.origSize());
        assertArrayEquals(Arrays.copyOfRange(f, 14, f.length), s.data(), "no trunc: the whole packet, from the IP header");
        assertEquals(1, kit.tc.psample().peek(9).size(), "peek leaves the sample");
    }

    @Test
    void aFullGroupDropsNewSamplesCountsThemAndLeavesAGapInTheSequence() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new SampleAction(0, null, 1, 1, 32)));
        byte[] f = frame(64);
        int cap = PsampleRegistry.CAPACITY;
        for (int i = 0; i < cap + 5; i++) {
            kit.ingress(f);
        }
        PsampleGroup g = kit.tc.psample().groups().getFirst();
        assertEquals(cap, g.held());
        assertEquals(5, g.dropped());
        assertEquals(cap + 5, g.seq());
        List<PacketSample> got = kit.tc.psample().take(1);
        assertEquals(cap - 1, got.getLast().seq(), "the oldest are kept, as a full socket buffer keeps them");
        kit.ingress(f);
        assertEquals(cap + 5, kit.tc.psample().take(1).getFirst().seq(), "the dropped samples' numbers are gone");
    }

    @Test
    void oneInNIsDeliveredInSequence() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new SampleAction(0, null, 4, 2, 0)));
        byte[] f = frame(64);
        long next = 0;
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 1000; i++) {
                kit.ingress(f);
            }
            for (PacketSample s : kit.tc.psample().take(2)) {
                assertEquals(next++, s.seq());
                assertEquals(4, s.rate());
            }
        }
        assertTrue(next > 2000 && next < 3000, next + " of 10000 sampled at 1 in 4");
    }

    @Test
    void samplingAllocatesNothing() {
        TcKit kit = new TcKit();
        kit.add(matchAll(0, 1, new SampleAction(0, null, 1, 5, 128)));
        int batchSize = 64;
        PacketBuffer[] buffers = new PacketBuffer[batchSize];
        for (int i = 0; i < batchSize; i++) {
            buffers[i] = new PacketBuffer();
        }
        PacketBatch batch = PacketBatch.referring(batchSize);
        byte[] f = frame(300);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long allocated = 0;
        for (int round = 0; round < 400; round++) {
            long before = mx.getThreadAllocatedBytes(id);
            // 20 batches: the ring fills (1024) and the rest are dropped, so both paths run.
            for (int b = 0; b < 20; b++) {
                batch.clear();
                for (PacketBuffer p : buffers) {
                    p.load(f, 0, f.length);
                    p.inPort = TcKit.ETH0;
                    p.outPort = -1;
                    FlowDissector.dissect(p);
                    batch.add(p);
                }
                kit.tc.ingressStage().process(batch, TcKit.ETH0);
            }
            if (round >= 200) { // the first half warms up: the JIT compiles and inlines the path
                allocated += mx.getThreadAllocatedBytes(id) - before;
            }
            assertEquals(PsampleRegistry.CAPACITY, kit.tc.psample().take(5).size()); // the reader, not measured
        }
        assertTrue(allocated < 64 * 1024, allocated + " bytes for " + 200 * 20 * batchSize + " packets sampled");
        assertEquals(400L * (20 * batchSize - PsampleRegistry.CAPACITY), kit.tc.psample().groups().getFirst().dropped());
    }
}
