package io.netfence.xfrm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Bursts of changes cost a few writes; closing writes what is queued. */
class CoalescingWriterTest {

    @Test
    void aBurstOfRequestsIsOneWrite() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        try (CoalescingWriter w = new CoalescingWriter("test-writer", 100, writes::incrementAndGet)) {
            for (int i = 0; i < 10_000; i++) {
                w.request();
            }
            for (int i = 0; i < 300 && writes.get() == 0; i++) {
                Thread.sleep(10);
            }
            assertEquals(1, writes.get());
            w.request();
        }
        assertEquals(2, writes.get(), "close wrote the request still queued");
    }

    @Test
    void closeWithNothingQueuedWritesNothing() {
        AtomicInteger writes = new AtomicInteger();
        new CoalescingWriter("test-writer", 10_000, writes::incrementAndGet).close();
        assertEquals(0, writes.get());
    }

    @Test
    void aRequestDuringAWriteQueuesAnother() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        CoalescingWriter[] self = new CoalescingWriter[1];
        try (CoalescingWriter w = new CoalescingWriter("test-writer", 10, () -> {
            if (writes.incrementAndGet() == 1) {
                self[0].request();
            }
        })) {
            self[0] = w;
            w.request();
            for (int i = 0; i < 300 && writes.get() < 2; i++) {
                Thread.sleep(10);
            }
        }
        assertTrue(writes.get() >= 2, "the change made while writing was written: " + writes.get());
    }
}
