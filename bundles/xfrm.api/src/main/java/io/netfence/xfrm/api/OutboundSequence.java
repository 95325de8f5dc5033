package io.netfence.xfrm.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Outbound sequence numbers of one SA. They start at 1 and never wrap (RFC 4303 section 3.3.3):
 * after 2^32 - 1 packets (2^64 - 2 with ESN) the SA is exhausted and must be replaced; since the
 * AEAD nonce is derived from the sequence number, this is also what keeps (key, nonce) unique.
 * Thread-safe and lock-free ({@link #next} is one compare-and-set when uncontended: workers sharing
 * an SA take numbers without a monitor); per-CPU SAs (RFC 9611) avoid even that.
 */
public final class OutboundSequence {
    /** {@link #next()} when no number is left. */
    public static final long EXHAUSTED = -1;
    /**
     * {@link #next()} when the next number is not yet covered by a stored mark (the disk is slower
     * than the traffic, or failing): the packet is dropped, and the number is not used.
     */
    public static final long NOT_DURABLE = -2;
    /** Numbers reserved per durable write: 2^20, about a third of a second of one worker at line rate. */
    public static final long DEFAULT_BLOCK = 1L << 20;

    private final boolean esn;
    private final long limit;
    private final SequenceStore store;
    private final String sa;
    private final long block;
    private static final VarHandle LAST;
    private static final VarHandle PENDING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LAST = lookup.findVarHandle(OutboundSequence.class, "last", long.class);
            PENDING = lookup.findVarHandle(OutboundSequence.class, "pending", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The last number handed out; moved only by compare-and-set. */
    private volatile long last;
    /** Numbers up to this one may be used: the store has it on disk. Never goes down. */
    private volatile long durable;
    /** A reservation is on its way to the store (at most one at a time). */
    private volatile boolean pending;

    /** The highest number the store has confirmed (everything below may be used). */
    public long durable() {
        return durable;
    }

    /** Without persistence (tests, SAs that live in memory only). */
    public OutboundSequence(boolean esn, long last) {
        this(esn, last, null, null, 0);
    }

    /**
     * With persistence: the sequence resumes above what the store says may have been used (after
     * a crash, the rest of the last reserved block is skipped, never reused).
     */
    public OutboundSequence(boolean esn, long last, SequenceStore store, String sa, long block) {
        this.esn = esn;
        // 2^64 - 1 (all ones) is not handed out: as a signed long it would read as EXHAUSTED.
        this.limit = esn ? -2L : 0xFFFF_FFFFL;
        this.store = store;
        this.sa = sa;
        this.block = block;
        long resumed = store == null ? last : Math.max(last, store.load(sa));
        this.last = resumed;
        this.durable = store == null ? limit : resumed;
    }

    /**
     * Reserves the first block and waits (up to {@code millis}) until it is durable, so that an SA
     * just added does not drop its first packets while the disk catches up. For the control plane,
     * never the packet path. Returns whether numbers are available now.
     */
    public boolean prime(long millis) throws InterruptedException {
        if (store == null) {
            return true;
        }
        long first = last + 1;
        if (Long.compareUnsigned(first, durable) <= 0) {
            return true;
        }
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        long mark = Long.compareUnsigned(limit - last, block) < 0 ? limit : last + block;
        pending = true;
        store.reserve(sa, mark, stored -> {
            durable = stored;
            pending = false;
            done.countDown();
        });
        return done.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS) && Long.compareUnsigned(first, durable) <= 0;
    }

    /**
     * The next sequence number, or {@link #EXHAUSTED} or {@link #NOT_DURABLE}. Never blocks. A
     * number is handed out once (compare-and-set) and only if the store already covers it.
     */
    public long next() {
        while (true) {
            long l = last;
            if (Long.compareUnsigned(l, limit) >= 0) {
                return EXHAUSTED;
            }
            long n = l + 1;
            if (store != null) {
                long d = durable;
                if (!pending && Long.compareUnsigned(n + block / 2, d) > 0 && Long.compareUnsigned(d, limit) < 0
                        && PENDING.compareAndSet(this, false, true)) {
                    long mark = Long.compareUnsigned(limit - d, block) < 0 ? limit : d + block;
                    // The store confirms the mark it reached (on failure, the old one: the next call retries).
                    store.reserve(sa, mark, stored -> {
                        durable = stored;
                        pending = false;
                    });
                }
                if (Long.compareUnsigned(n, durable) > 0) {
                    return NOT_DURABLE;
                }
            }
            if (LAST.compareAndSet(this, l, n)) {
                return n;
            }
        }
    }

    /** The last number handed out (0 before the first). */
    public long last() {
        return last;
    }

    public boolean esn() {
        return esn;
    }
}
