package io.netfence.backend.software.tc;

import io.netfence.tc.api.TcStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a filter or an action, updated by every worker without locks or allocation.
 * Packets and bytes are hit by every packet, so they are striped ({@link LongAdder}: workers do
 * not fight over one cache line); drops and overlimits are rarer and use plain atomic adds.
 */
final class Counters {
    private static final VarHandle DROPS;
    private static final VarHandle OVERLIMITS;
    private static final VarHandle LAST_USED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            DROPS = l.findVarHandle(Counters.class, "drops", long.class);
            OVERLIMITS = l.findVarHandle(Counters.class, "overlimits", long.class);
            LAST_USED = l.findVarHandle(Counters.class, "lastUsedMillis", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LongAdder packets = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    @SuppressWarnings("unused") // through DROPS
    private long drops;
    @SuppressWarnings("unused") // through OVERLIMITS
    private long overlimits;
    @SuppressWarnings("unused") // through LAST_USED
    private long lastUsedMillis;

    /** One packet of {@code length} bytes seen at {@code nowMillis} (wall clock). */
    void hit(int length, long nowMillis) {
        packets.increment();
        bytes.add(length);
        // Written at most once per millisecond per counter, not once per packet.
        if ((long) LAST_USED.getOpaque(this) != nowMillis) {
            LAST_USED.setOpaque(this, nowMillis);
        }
    }

    void drop() {
        DROPS.getAndAdd(this, 1L);
    }

    void overlimit() {
        OVERLIMITS.getAndAdd(this, 1L);
    }

    long packets() {
        return packets.sum();
    }

    TcStats stats() {
        return new TcStats(bytes.sum(), packets.sum(), (long) DROPS.getVolatile(this), (long) OVERLIMITS.getVolatile(this),
                (long) LAST_USED.getVolatile(this));
    }
}
