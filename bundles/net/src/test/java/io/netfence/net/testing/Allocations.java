package io.netfence.net.testing;

import java.lang.management.ManagementFactory;

/**
 * Measures what the current thread allocates, to show that the packet path allocates nothing per
 * packet. Shared by the port drivers' tests through this bundle's test jar.
 */
public final class Allocations {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int MAX_ROUNDS = 40;

    private Allocations() {
    }

    /**
     * Bytes allocated by {@code calls} runs of {@code step} once compiled: rounds are repeated (up to
     * {@value #MAX_ROUNDS}) until one allocates less than a byte per call, and the least is returned.
     * Interpreted code may allocate where compiled code does not (FFM downcall adapters do), and a
     * busy machine may compile late; a real per-call {@code new} shows in every round.
     */
    public static long allocatedBy(Runnable step, int calls) {
        long least = Long.MAX_VALUE;
        for (int round = 0; round < MAX_ROUNDS && least >= calls; round++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < calls; i++) {
                step.run();
            }
            least = Math.min(least, THREADS.getCurrentThreadAllocatedBytes() - before);
        }
        return least;
    }
}
