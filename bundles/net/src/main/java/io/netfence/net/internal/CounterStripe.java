package io.netfence.net.internal;

import io.netfence.packet.DropReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The counters of one packet thread: plain longs that only the owning thread writes, so the hot
 * path needs no atomics. Readers sum every stripe. The owner calls {@link #publish()} (a release
 * store) once per pass; a reader's {@link #acquire()} before reading makes every increment done
 * before that release visible. Port counters are indexed by ifindex times {@link #STRIDE}.
 */
final class CounterStripe {
    static final int RX_PACKETS = 0;
    static final int RX_BYTES = 1;
    static final int TX_PACKETS = 2;
    static final int TX_BYTES = 3;
    static final int TX_DROPPED = 4;
    static final int ICMP_ERRORS_SENT = 5;
    static final int ICMP_ERRORS_RATE_LIMITED = 6;
    /** First of the per-{@link DropReason} counters (by ordinal). */
    static final int DROPS = 7;
    static final int STRIDE = DROPS + DropReason.count();

    private static final VarHandle SEQUENCE;

    static {
        try {
            SEQUENCE = MethodHandles.lookup().findVarHandle(CounterStripe.class, "sequence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Per-port counters; replaced (grown) only by the owner. */
    private long[] ports = new long[STRIDE * 8];
    /** Worker statistics (only meaningful for worker stripes). */
    long batches;
    long packets;
    long idlePolls;
    @SuppressWarnings("unused") // accessed through SEQUENCE
    private long sequence;

    /** Owner only: makes room for ifindexes below {@code portCount}. Allocates only when links were added. */
    void ensurePorts(int portCount) {
        long[] a = ports;
        if (portCount * STRIDE > a.length) {
            ports = Arrays.copyOf(a, Math.max(portCount, 2 * a.length / STRIDE) * STRIDE);
        }
    }

    /** Owner only. Indexes outside the current range (a port unknown to this stripe) are ignored. */
    void add(int port, int field, long value) {
        long[] a = ports;
        int i = port * STRIDE + field;
        if (port >= 0 && i < a.length) {
            a[i] += value;
        }
    }

    /** Owner only: counts one dropped packet that arrived on {@code port}. */
    void drop(int port, int reasonOrdinal) {
        add(port, DROPS + reasonOrdinal, 1);
    }

    /** Owner only: release store; everything counted before is visible to a reader that {@link #acquire}s after. */
    void publish() {
        SEQUENCE.setRelease(this, (long) SEQUENCE.getOpaque(this) + 1);
    }

    /** Reader side of {@link #publish}. */
    void acquire() {
        SEQUENCE.getAcquire(this);
    }

    /** Reader: one counter of a port (call {@link #acquire()} first). */
    long get(int port, int field) {
        long[] a = ports;
        int i = port * STRIDE + field;
        return port >= 0 && i < a.length ? a[i] : 0;
    }
}
