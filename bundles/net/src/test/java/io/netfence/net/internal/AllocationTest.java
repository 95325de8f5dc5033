package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/** The forwarding path allocates nothing per packet: measured on the thread that runs it. */
class AllocationTest {
    @Test
    void forwardingABatchAllocatesNothing() {
        ControlPlane cp = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        QueueDriver driver = new QueueDriver();
        cp.addDriver(driver);
        for (String[] l : new String[][] {{"eth0", "10.0.0.1/24"}, {"eth1", "10.1.0.1/24"}}) {
            cp.addLink(new LinkSpec(l[0], QueueDriver.TYPE, 0, null, 0, List.of()));
            cp.addAddress(l[0], IpPrefix.parse(l[1]));
            cp.setLink(l[0], new LinkChange(true, null, null));
        }
        cp.addNeighbour("eth1", IpAddress.parse("10.1.0.2"), MacAddress.parse("02:00:00:00:01:01"));
        QueueDriver.QueueDevice out = driver.devices.get("eth1");
        out.discard = true;
        long inMac = cp.link("eth0").mac().bits();
        byte[] frame = PacketBuilder.ethernet(inMac, 0x02_00_00_00_01_00L).ipv4("10.0.0.2", "10.1.0.2").udp(1, 2).size(64).build();

        Dataplane dp = cp.dataplane();
        PacketProcessor processor = new PacketProcessor(dp, new CounterStripe(), PacketBatch.DEFAULT_SIZE);
        PacketBatch batch = PacketBatch.owning(PacketBatch.DEFAULT_SIZE, 2048);
        PortView in = dp.config.port(cp.link("eth0").index());
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();

        int batches = 20_000;
        run(processor, batch, in, dp, frame, batches); // warm up: JIT, counters sized
        long before = mx.getThreadAllocatedBytes(id);
        run(processor, batch, in, dp, frame, batches);
        long allocated = mx.getThreadAllocatedBytes(id) - before;

        assertEquals(2L * batches * PacketBatch.DEFAULT_SIZE, out.discarded, "every packet was forwarded");
        long packets = (long) batches * PacketBatch.DEFAULT_SIZE;
        assertTrue(allocated < 4096, allocated + " bytes allocated for " + packets + " forwarded packets");
    }

    /**
     * Fragmentation and reassembly allocate nothing either: each batch forwards 16 packets that
     * are fragmented in three and reassembles 16 pings from their fragments, whose replies are
     * fragmented too. That needs more buffers than a pass's pools hold, so their refill mid-pass
     * is covered as well.
     */
    @Test
    void fragmentingAndReassemblingAllocateNothing() {
        ControlPlane cp = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        QueueDriver driver = new QueueDriver();
        cp.addDriver(driver);
        for (String[] l : new String[][] {{"eth0", "10.0.0.1/24"}, {"eth1", "10.1.0.1/24"}}) {
            cp.addLink(new LinkSpec(l[0], QueueDriver.TYPE, 0, null, 0, List.of()));
            cp.addAddress(l[0], IpPrefix.parse(l[1]));
            cp.setLink(l[0], new LinkChange(true, l[0].equals("eth1") ? 1280 : null, null));
        }
        cp.addNeighbour("eth0", IpAddress.parse("10.0.0.2"), MacAddress.parse("02:00:00:00:01:00"));
        cp.addNeighbour("eth1", IpAddress.parse("10.1.0.2"), MacAddress.parse("02:00:00:00:01:01"));
        QueueDriver.QueueDevice eth0 = driver.devices.get("eth0");
        QueueDriver.QueueDevice eth1 = driver.devices.get("eth1");
        eth0.discard = true;
        eth1.discard = true;
        long inMac = cp.link("eth0").mac().bits();
        byte[] big = PacketBuilder.ethernet(inMac, 0x02_00_00_00_01_00L).ipv4("10.0.0.2", "10.1.0.2").udp(1, 2).payload(new byte[3000]).build();
        byte[] ping = PacketBuilder.ethernet(inMac, 0x02_00_00_00_01_00L).ipv4("10.0.0.2", "10.0.0.1").id(9).icmpEcho(1, 1)
                .payload(new byte[4000]).build();
        List<byte[]> pieces = Fragments.ipv4(ping, 1500);
        byte[][] frames = new byte[PacketBatch.DEFAULT_SIZE][];
        for (int i = 0; i < frames.length; i += 4) {
            frames[i] = big;
            frames[i + 1] = pieces.get(0);
            frames[i + 2] = pieces.get(1);
            frames[i + 3] = pieces.get(2);
        }

        Dataplane dp = cp.dataplane();
        CounterStripe stripe = new CounterStripe();
        PacketProcessor processor = new PacketProcessor(dp, stripe, PacketBatch.DEFAULT_SIZE);
        PacketBatch batch = PacketBatch.owning(PacketBatch.DEFAULT_SIZE, PacketBuffer.DEFAULT_CAPACITY);
        PortView in = dp.config.port(cp.link("eth0").index());
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();

        int batches = 3_000;
        run(processor, batch, in, dp, frames, batches); // warm up
        long before = mx.getThreadAllocatedBytes(id);
        run(processor, batch, in, dp, frames, batches);
        long allocated = mx.getThreadAllocatedBytes(id) - before;

        assertEquals(2L * batches * 16 * 3, eth1.discarded, "every big packet left in three fragments");
        assertEquals(2L * batches * 16 * 3, eth0.discarded, "every ping was answered in three fragments");
        stripe.acquire();
        for (int r = 0; r < io.netfence.packet.DropReason.count(); r++) {
            assertEquals(0, stripe.get(in.index, CounterStripe.DROPS + r), io.netfence.packet.DropReason.of(r).label());
        }
        assertEquals(0, processor.reassembly.queues());
        assertTrue(allocated < 4096, allocated + " bytes allocated for " + batches * 64L + " packets");
    }

    private static void run(PacketProcessor p, PacketBatch batch, PortView in, Dataplane dp, byte[][] frames, int batches) {
        for (int b = 0; b < batches; b++) {
            batch.clear();
            for (byte[] frame : frames) {
                batch.next().load(frame, 0, frame.length);
                batch.commit();
            }
            p.begin(dp.config, System.nanoTime());
            p.processRx(in, batch);
        }
    }

    private static void run(PacketProcessor p, PacketBatch batch, PortView in, Dataplane dp, byte[] frame, int batches) {
        for (int b = 0; b < batches; b++) {
            batch.clear();
            while (!batch.isFull()) {
                batch.next().load(frame, 0, frame.length);
                batch.commit();
            }
            p.begin(dp.config, System.nanoTime());
            p.processRx(in, batch);
        }
    }
}
