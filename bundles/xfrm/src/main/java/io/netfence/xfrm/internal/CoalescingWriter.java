package io.netfence.xfrm.internal;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a write (a snapshot of the latest state to disk) on its own thread some time after it is
 * requested; requests made before the write starts ride along with it. So N changes in a burst
 * cost a few writes, not N, and the one who changes never waits for the disk. A write that took T
 * ms spaces the next one by at least 2T, so writing a large file never takes most of a CPU.
 * {@link #close} does the write still queued, on the caller's thread.
 */
final class CoalescingWriter implements AutoCloseable {
    private final Runnable write;
    private final long delayMillis;
    private final ScheduledThreadPoolExecutor thread;
    /** A write is queued and has not started. */
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile long lastWriteMillis;

    CoalescingWriter(String name, long delayMillis, Runnable write) {
        this.write = write;
        this.delayMillis = delayMillis;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().daemon().name(name).unstarted(r));
        // On close, the queued write is done at once by close itself, not after its delay.
        thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    void request() {
        if (queued.compareAndSet(false, true)) {
            try {
                thread.schedule(this::run, Math.max(delayMillis, 2 * lastWriteMillis), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closing) {
                // Closing: close() does the queued write.
            }
        }
    }

    private void run() {
        // Cleared before the write reads the state: a change made while it writes queues another.
        queued.set(false);
        long t0 = System.nanoTime();
        write.run();
        lastWriteMillis = (System.nanoTime() - t0) / 1_000_000;
    }

    /** Waits for a write under way, then does the queued one, if any. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (queued.get()) {
            run();
        }
    }
}
