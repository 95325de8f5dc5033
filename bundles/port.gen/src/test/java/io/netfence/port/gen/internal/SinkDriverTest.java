package io.netfence.port.gen.internal;

import io.netfence.net.testing.Allocations;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netfence.net.api.NetException;
import io.netfence.net.spi.PortDevice;
import io.netfence.net.spi.PortSpec;
import io.netfence.packet.MacAddress;
import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SinkDriverTest {
    private final SinkDriver driver = new SinkDriver();

    private static PortSpec spec(String... args) {
        return new PortSpec("sink0", 1500, MacAddress.parse("02:00:00:00:00:bb"), 1, List.of(args));
    }

    @Test
    void countsPacketsAndBytesFromManyThreads() throws InterruptedException {
        driver.validate(spec());
        try (PortDevice dev = driver.open(spec())) {
            int threads = 4;
            int perThread = 20_000;
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int length = 60 + t;
                workers.add(Thread.ofPlatform().start(() -> {
                    PacketBuffer p = new PacketBuffer();
                    p.load(new byte[length], 0, length);
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < perThread; i++) {
                        if (!dev.transmit(p)) {
                            throw new AssertionError("sink refused a frame");
                        }
                    }
                }));
            }
            go.countDown();
            for (Thread w : workers) {
                w.join();
            }
            long expectedBytes = (long) perThread * (60 + 61 + 62 + 63);
            assertEquals(Long.toString(threads * perThread), dev.details().get("packets"));
            assertEquals(Long.toString(expectedBytes), dev.details().get("bytes"));
            assertEquals(0, dev.receive(0, PacketBatch.owning(8, 9216)));
            assertFalse(dev.exhausted());
        }
    }

    @Test
    void countingAllocatesNothingPerPacket() {
        try (PortDevice dev = driver.open(spec())) {
            PacketBuffer p = new PacketBuffer();
            p.load(new byte[60], 0, 60);
            int calls = 50_000;
            long bytes = Allocations.allocatedBy(() -> dev.transmit(p), calls);
            assertTrue(bytes < calls, bytes + " bytes allocated for " + calls + " packets");
        }
    }

    @Test
    void closedSinkRefuses() {
        PortDevice dev = driver.open(spec());
        dev.close();
        PacketBuffer p = new PacketBuffer();
        p.load(new byte[60], 0, 60);
        assertFalse(dev.transmit(p));
        assertEquals("0", dev.details().get("packets"));
    }

    @Test
    void anyArgumentIsRefusedByName() {
        NetException e = assertThrows(NetException.class, () -> driver.validate(spec("rate", "5")));
        assertTrue(e.getMessage().contains("\"rate\"") && e.getMessage().contains("no arguments"), e.getMessage());
        assertThrows(NetException.class, () -> driver.open(spec("rate")));
    }
}
