package io.netfence.net.internal;

import io.netfence.packet.PacketBatch;
import java.util.concurrent.locks.LockSupport;

/**
 * The neighbour timers, about ten times a second: repeated solicitations, failures (with ICMP
 * unreachable errors for the packets that waited), and sending packets released by static
 * entries. A packet thread of its own (counters, grace periods) so the control plane never
 * touches devices and workers never wait for timers.
 */
final class Housekeeper extends PacketThread {
    private static final long TICK_NANOS = 100_000_000L;

    final CounterStripe stripe;
    private final PacketProcessor processor;
    private final NeighbourTable.TickPlan plan;
    /** Buffers for solicitations: frames of at most 86 bytes. */
    private final PacketBatch probeBuffers = PacketBatch.owning(PacketBatch.DEFAULT_SIZE, 256);

    Housekeeper(Dataplane dataplane, CounterStripe stripe) {
        super(dataplane);
        this.stripe = stripe;
        // It never delivers locally, so it reassembles nothing.
        this.processor = new PacketProcessor(dataplane, stripe, PacketBatch.DEFAULT_SIZE, 0);
        this.plan = new NeighbourTable.TickPlan(1024, dataplane.neighbours.poolSize());
    }

    @Override
    public void run() {
        try {
            while (running) {
                DataplaneConfig cfg = enter();
                long now = System.nanoTime();
                processor.begin(cfg, now);
                dataplane.neighbours.tick(now, plan);
                if (plan.probes + plan.failedCount + plan.readyCount > 0) {
                    processor.housekeep(plan, probeBuffers);
                }
                stripe.publish();
                leave();
                LockSupport.parkNanos(TICK_NANOS);
            }
        } finally {
            leave();
        }
    }

    void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
