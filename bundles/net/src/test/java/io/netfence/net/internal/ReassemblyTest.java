package io.netfence.net.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.LinkChange;
import io.netfence.net.api.LinkSpec;
import io.netfence.packet.DropReason;
import io.netfence.packet.FlowDissector;
import io.netfence.packet.Icmp;
import io.netfence.packet.IpAddress;
import io.netfence.packet.IpPrefix;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import io.netfence.packet.PacketBuilder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/**
 * Reassembly's timer and memory bound, with a {@link PacketProcessor} driven directly so the test
 * controls the clock (the workers use System.nanoTime): eth0 10.0.0.1/24, H0 10.0.0.2.
 */
class ReassemblyTest {
    static final long H0 = 0x02_00_00_00_01_00L;
    static final long SECOND = 1_000_000_000L;

    ControlPlane cp;
    Dataplane dp;
    QueueDriver.QueueDevice eth0;
    PortView in;
    long mac0;
    final CounterStripe stripe = new CounterStripe();
    final PacketBatch batch = PacketBatch.owning(PacketBatch.DEFAULT_SIZE, PacketBuffer.DEFAULT_CAPACITY);

    @BeforeEach
    void appliance() {
        cp = new ControlPlane(1, NOPLogger.NOP_LOGGER);
        QueueDriver driver = new QueueDriver();
        cp.addDriver(driver);
        cp.addLink(new LinkSpec("eth0", QueueDriver.TYPE, 0, null, 0, List.of()));
        cp.addAddress("eth0", IpPrefix.parse("10.0.0.1/24"));
        cp.setLink("eth0", new LinkChange(true, null, null));
        cp.addNeighbour("eth0", IpAddress.parse("10.0.0.2"), new MacAddress(H0));
        eth0 = driver.devices.get("eth0");
        dp = cp.dataplane();
        in = dp.config.port(cp.link("eth0").index());
        mac0 = cp.link("eth0").mac().bits();
    }

    @AfterEach
    void stop() {
        cp.stop();
    }

    byte[] ping(int id, int size) {
        return PacketBuilder.ethernet(mac0, H0).ipv4("10.0.0.2", "10.0.0.1").id(id).icmpEcho(id, 1).payload(new byte[size]).build();
    }

    void receive(PacketProcessor p, long now, byte[]... frames) {
        batch.clear();
        for (byte[] f : frames) {
            batch.next().load(f, 0, f.length);
            batch.commit();
        }
        p.begin(dp.config, now);
        p.processRx(in, batch);
    }

    void expire(PacketProcessor p, long now) {
        p.begin(dp.config, now);
        p.expireFragments();
    }

    long drops(DropReason r) {
        stripe.acquire();
        return stripe.get(in.index, CounterStripe.DROPS + r.ordinal());
    }

    @Test
    void anIncompleteDatagramTimesOutAfter30SecondsWithTimeExceededIfItsFirstFragmentCame() throws Exception {
        PacketProcessor p = new PacketProcessor(dp, stripe, PacketBatch.DEFAULT_SIZE, 1 << 20);
        long t0 = System.nanoTime();
        List<byte[]> a = Fragments.ipv4(ping(1, 4000), 1500);
        List<byte[]> b = Fragments.ipv4(ping(2, 4000), 1500);
        receive(p, t0, a.get(0), a.get(1), b.get(2));
        assertEquals(2, p.reassembly.queues());
        expire(p, t0 + 29 * SECOND);
        assertEquals(2, p.reassembly.queues(), "not yet");
        assertNull(eth0.tx.poll());
        expire(p, t0 + 30 * SECOND + 1);
        assertEquals(0, p.reassembly.queues());
        assertEquals(0, p.reassembly.memoryUsed(), "every chunk is free again");
        assertEquals(3, drops(DropReason.FRAG_TIMEOUT), "each fragment held is counted");
        PacketBuffer err = load(eth0.tx.poll());
        assertEquals(Icmp.TYPE_TIME_EXCEEDED, err.key.icmpType);
        assertEquals(Icmp.FRAGMENT_REASSEMBLY_TIME_EXCEEDED, err.key.icmpCode);
        assertEquals(0x0A00_0001, err.key.ipv4Src, "from the address the datagram was sent to");
        assertEquals(0x0A00_0002, err.key.ipv4Dst);
        assertEquals(H0, err.key.ethDst);
        // It quotes the first fragment's header: identification 1.
        assertEquals(1, io.netfence.packet.Ipv4.id(err.data, err.key.l4Offset + 8));
        assertNull(eth0.tx.poll(), "none for the datagram whose first fragment never came");
    }

    @Test
    void theMemoryBoundDropsWhatDoesNotFitAndFreesItAgain() throws Exception {
        // 16 chunks of 512 bytes: a first fragment of 1480 bytes takes 3, its headers 1.
        PacketProcessor p = new PacketProcessor(dp, stripe, PacketBatch.DEFAULT_SIZE, 16 * Reassembly.CHUNK);
        long t0 = System.nanoTime();
        byte[][] firsts = new byte[10][];
        for (int i = 0; i < 10; i++) {
            firsts[i] = Fragments.ipv4(ping(100 + i, 2000), 1500).get(0);
        }
        receive(p, t0, firsts);
        assertEquals(4, p.reassembly.queues());
        assertEquals(p.reassembly.memory(), p.reassembly.memoryUsed());
        assertEquals(6, drops(DropReason.FRAG_MEM));
        // Full: even the rest of a datagram in progress does not fit until memory is freed.
        receive(p, t0 + SECOND, Fragments.ipv4(ping(100, 2000), 1500).get(1));
        assertEquals(7, drops(DropReason.FRAG_MEM));
        expire(p, t0 + 31 * SECOND);
        assertEquals(4, drops(DropReason.FRAG_TIMEOUT));
        assertEquals(0, p.reassembly.memoryUsed());
        eth0.tx.clear();
        List<byte[]> whole = Fragments.ipv4(ping(200, 2000), 1500);
        receive(p, t0 + 32 * SECOND, whole.get(0), whole.get(1));
        assertNotNull(eth0.tx.poll(), "a datagram fits again and is answered");
    }

    @Test
    void withoutMemoryEveryFragmentIsDroppedAndCounted() {
        PacketProcessor p = new PacketProcessor(dp, stripe, PacketBatch.DEFAULT_SIZE, 0);
        receive(p, System.nanoTime(), Fragments.ipv4(ping(1, 2000), 1500).get(0));
        assertEquals(1, drops(DropReason.FRAG_MEM));
    }

    static PacketBuffer load(byte[] frame) {
        assertNotNull(frame, "a frame was sent");
        PacketBuffer p = new PacketBuffer();
        p.load(frame, 0, frame.length);
        assertEquals(-1, FlowDissector.dissect(p));
        return p;
    }
}
