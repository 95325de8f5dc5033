package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
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
