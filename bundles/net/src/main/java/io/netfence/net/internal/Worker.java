package io.netfence.net.internal;

import io.netfence.packet.PacketBatch;
import io.netfence.packet.PacketBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * A dataplane worker: polls the (port, RX queue) pairs the configuration gives it, one batch per
 * queue per pass, and runs the packet path on what arrives. When a whole pass finds nothing it
 * backs off: a few passes spinning, then {@link Thread#onSpinWait()}, then parking for a time
 * that doubles up to {@value #MAX_PARK_NANOS} ns, so an idle worker costs little CPU while the
 * added latency stays well under a millisecond.
 */
final class Worker extends PacketThread {
    /**
     * Packets taken from one queue per poll. 16, not DPDK's 32 or VPP's 256: between the receive
     * (which copies each frame in) and the last stage that reads the payload (ESP, checksums),
     * a burst's frames, buffers and flow keys must still sit in the 32 KiB L1 data cache. Measured
     * on the 2-vCPU reference machine against 32 and 64 (docs/PERFORMANCE.md, "Burst size"):
     * 16 is faster at 64 bytes and at 1400, with and without ESP; 8 is slower again. The system
     * property {@code netfence.burst} (1-256) overrides it, to repeat that measurement elsewhere.
     */
    static final int BATCH = burstOrDefault(System.getProperty("netfence.burst"));

    /** A bad property value is reported and the default used: a tuning knob must not stop the dataplane. */
    private static int burstOrDefault(String property) {
        try {
            return burst(property);
        } catch (IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger(Worker.class).warn("{}; using 16", e.getMessage());
            return 16;
        }
    }

    static int burst(String property) {
        if (property == null) {
            return 16;
        }
        try {
            int n = Integer.parseInt(property.trim());
            if (n >= 1 && n <= 256) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("netfence.burst \"" + property + "\": expected 1-256 packets per poll");
    }
    private static final int SPIN_PASSES = 64;
    private static final int SPIN_WAIT_PASSES = 256;
    private static final long MIN_PARK_NANOS = 10_000;
    private static final long MAX_PARK_NANOS = 200_000;

    final int id;
    final CounterStripe stripe;
    private final PacketProcessor processor;
    private final PacketBatch rx = PacketBatch.owning(BATCH, PacketBuffer.DEFAULT_CAPACITY);

    /** {@code fragMemory}: this worker's share of the reassembly memory, in bytes. */
    Worker(Dataplane dataplane, int id, CounterStripe stripe, int fragMemory) {
        super(dataplane);
        this.id = id;
        this.stripe = stripe;
        this.processor = new PacketProcessor(dataplane, stripe, BATCH, fragMemory);
    }

    @Override
    public void run() {
        int idlePasses = 0;
        long park = MIN_PARK_NANOS;
        try {
            while (running) {
                DataplaneConfig cfg = enter();
                processor.begin(cfg, System.nanoTime());
                processor.expireFragments();
                int[] ports = cfg.portsOf(id);
                int[] queues = cfg.queuesOf(id);
                int received = 0;
                for (int i = 0; i < ports.length; i++) {
                    PortView port = cfg.ports[ports[i]];
                    rx.clear();
                    try {
                        port.device.receive(queues[i], rx);
                    } catch (Throwable t) {
                        dataplane.errors.report("receive on " + port.name + "/" + queues[i] + " failed", t);
                    }
                    int n = rx.count();
                    if (n > 0) {
                        processor.processRx(port, rx);
                        received += n;
                    }
                }
                if (received == 0) {
                    stripe.idlePolls++;
                }
                stripe.publish();
                if (received > 0) {
                    idlePasses = 0;
                    park = MIN_PARK_NANOS;
                } else if (idlePasses < SPIN_PASSES) {
                    idlePasses++;
                } else if (idlePasses < SPIN_PASSES + SPIN_WAIT_PASSES) {
                    idlePasses++;
                    Thread.onSpinWait();
                } else {
                    leave();
                    LockSupport.parkNanos(park);
                    park = Math.min(park * 2, MAX_PARK_NANOS);
                }
            }
        } finally {
            leave();
        }
    }
}
