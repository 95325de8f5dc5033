package io.netfence.net.internal;

import io.netfence.fib.Ipv4Fib;
import io.netfence.fib.Ipv6Fib;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;

/**
 * What the packet threads share with the control plane, and how they stay consistent without
 * the packet path ever taking the control-plane lock.
 *
 * <h2>Memory ordering</h2>
 * <ul>
 * <li><b>Configuration.</b> The control plane changes its own model under its lock, then builds
 * an immutable {@link DataplaneConfig} (final fields, arrays never written afterwards) and stores
 * it in the volatile {@link #config}. A packet thread reads that field once per pass. The
 * volatile write/read pair is a happens-before edge, so the thread sees the snapshot and
 * everything the control plane did before publishing it (opened devices included).</li>
 * <li><b>FIB and next hops.</b> The FIBs are updated in place, one writer at a time (under the
 * control-plane lock), and read lock-free; each store a reader can see is a release store and
 * each read an acquire load (see {@link Ipv4Fib}). A FIB value is a next-hop id into the
 * immutable table in the volatile {@link #nexthops}. The control plane publishes a table that
 * contains an id <em>before</em> it stores the id in the FIB, and a packet thread reads
 * {@link #nexthops} <em>after</em> its FIB lookup, so every id it finds is in the table it reads.
 * Ids of removed routes are only reused after a grace period (below), so a thread that found an
 * id just before its route was removed still reads that id's old next hop.</li>
 * <li><b>Grace periods.</b> Each {@link PacketThread} announces the generation of the
 * configuration it is using (or that it is idle; protocol in {@link PacketThread}). After
 * publishing generation G, {@link #awaitGracePeriod} waits until every thread has moved to G or
 * later: only then does the control plane close a device that G no longer contains, hand an RX
 * queue to another worker, or consider stages of older generations unused. Next-hop ids freed
 * under generation G are reused once {@link #quiescentBelow()} exceeds G.</li>
 * <li><b>Neighbours.</b> {@link NeighbourTable} has its own lock: optimistic (validated,
 * non-blocking) reads for forwarding, the write lock for learning and timers.</li>
 * <li><b>Counters.</b> Single-writer plain longs per thread ({@link CounterStripe}) with a
 * release store per pass and an acquire load before the control plane sums them.</li>
 * </ul>
 */
final class Dataplane {
    /** Packets held for unresolved neighbours, across all of them. */
    static final int NEIGHBOUR_POOL_SIZE = 256;
    private static final long GRACE_TIMEOUT_NANOS = 2_000_000_000L;

    final Ipv4Fib fib4 = new Ipv4Fib();
    final Ipv6Fib fib6 = new Ipv6Fib();
    final NeighbourTable neighbours = new NeighbourTable(NEIGHBOUR_POOL_SIZE);
    final ErrorLog errors;
    private final Logger log;

    volatile DataplaneConfig config;
    /** The IPsec layer, or null; read by each packet thread once per pass. */
    volatile io.netfence.net.spi.XfrmLayer xfrm;
    volatile Nexthops nexthops = Nexthops.EMPTY;
    /** The running packet threads; replaced (never mutated) by the control plane. */
    volatile PacketThread[] threads = new PacketThread[0];

    Dataplane(Logger log) {
        this.log = log;
        this.errors = new ErrorLog(log);
    }

    /**
     * Waits until no packet thread uses a configuration older than {@code generation}. A thread
     * that does not get there within two seconds (a stage stuck in a loop) is reported and
     * skipped rather than blocking the control plane forever.
     */
    void awaitGracePeriod(long generation) {
        long deadline = System.nanoTime() + GRACE_TIMEOUT_NANOS;
        for (PacketThread t : threads) {
            int spins = 0;
            while (!t.passed(generation)) {
                Thread th = t.thread;
                if (th == null || !th.isAlive()) {
                    break;
                }
                if (System.nanoTime() - deadline > 0) {
                    log.warn("packet thread {} did not finish its pass within 2 s; continuing without it",
                            th.getName());
                    break;
                }
                if (++spins < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
        }
    }

    /** Every packet thread uses generation >= the result (Long.MAX_VALUE if all are idle). */
    long quiescentBelow() {
        long min = Long.MAX_VALUE;
        for (PacketThread t : threads) {
            min = Math.min(min, t.inUse());
        }
        return min;
    }
}
