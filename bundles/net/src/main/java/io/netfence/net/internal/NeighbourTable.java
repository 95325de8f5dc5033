package io.netfence.net.internal;

import io.netfence.net.api.NeighbourState;
import io.netfence.packet.PacketBuffer;
import java.util.concurrent.locks.StampedLock;

/**
 * The neighbour cache (ARP and IPv6 ND) keyed by (port, family, address), with the pool of
 * packets waiting for a resolution.
 *
 * <p>Reads ({@link #lookup}) are what every forwarded packet does: open addressing over primitive
 * columns, read under a {@link StampedLock} optimistic stamp and validated, so a reader never
 * blocks and never writes shared memory. Columns live in one {@link Slots} object so a reader
 * always sees arrays of one size (indexes stay in bounds even when a read races a resize; the
 * stamp then fails and the read is retried). Writes (learning from ARP/ND, queueing, timers,
 * static entries) take the write lock; they are per control packet, not per data packet.
 *
 * <p>Unresolved next hops queue up to {@value #QUEUE_PER_ENTRY} packets each, copied into a
 * preallocated pool; whoever takes packets out of the pool (by {@link #learn}, {@link #tick},
 * {@link #remove}) owns those buffers until it hands them back with {@link #releasePool}.
 */
final class NeighbourTable {
    static final int QUEUE_PER_ENTRY = 3;
    /** {@link #lookup} results below zero. */
    static final long MISSING = -1;
    static final long INCOMPLETE = -2;
    static final long FAILED = -3;
    /** {@link #resolve} results below zero. */
    static final long QUEUED = -10;
    static final long QUEUED_PROBE = -11;
    static final long QUEUE_FULL = -12;
    static final long QUEUE_FULL_PROBE = -13;
    static final long UNRESOLVED = -14;

    /** How {@link #learn} may change an entry. */
    static final int LEARN_SOLICITED = 0;
    static final int LEARN_UPDATE = 1;
    static final int LEARN_UPDATE_NO_OVERRIDE = 2;
    static final int LEARN_CREATE = 3;

    static final long PROBE_INTERVAL_NANOS = 1_000_000_000L;
    static final int MAX_PROBES = 3;
    /** After resolution failed, packets to the neighbour are refused for this long before it is tried again. */
    static final long FAILED_HOLD_NANOS = 5_000_000_000L;
    /** Failed entries are forgotten after this. */
    static final long FAILED_GC_NANOS = 60_000_000_000L;
    /** A confirmed entry is reported STALE after this (it is still used, as on Linux). */
    static final long REACHABLE_NANOS = 30_000_000_000L;
    static final int MAX_ENTRIES = 1 << 16;

    private static final byte S_PERMANENT = (byte) NeighbourState.PERMANENT.ordinal();
    private static final byte S_REACHABLE = (byte) NeighbourState.REACHABLE.ordinal();
    private static final byte S_STALE = (byte) NeighbourState.STALE.ordinal();
    private static final byte S_INCOMPLETE = (byte) NeighbourState.INCOMPLETE.ordinal();
    private static final byte S_FAILED = (byte) NeighbourState.FAILED.ordinal();
    private static final NeighbourState[] STATES = NeighbourState.values();

    /** All columns of the table, one size. Contents are written only under the write lock. */
    private static final class Slots {
        final int mask;
        /** 0: free; else (port << 1) | (IPv6 ? 1 : 0). */
        final int[] key;
        final long[] hi;
        final long[] lo;
        final long[] mac;
        final byte[] state;
        /** When the entry was created, confirmed or failed (System.nanoTime). */
        final long[] updated;
        final long[] lastProbe;
        final byte[] probes;
        final byte[] queued;
        /** {@value #QUEUE_PER_ENTRY} pool indexes per slot. */
        final int[] queue;

        Slots(int capacity) {
            mask = capacity - 1;
            key = new int[capacity];
            hi = new long[capacity];
            lo = new long[capacity];
            mac = new long[capacity];
            state = new byte[capacity];
            updated = new long[capacity];
            lastProbe = new long[capacity];
            probes = new byte[capacity];
            queued = new byte[capacity];
            queue = new int[capacity * QUEUE_PER_ENTRY];
        }
    }

    /** Work found by {@link #tick}, carried out by the housekeeper after the lock is released. */
    static final class TickPlan {
        final int[] probePort;
        final boolean[] probeV6;
        final long[] probeHi;
        final long[] probeLo;
        int probes;
        /** Pool indexes of packets whose neighbour failed. */
        final int[] failed;
        int failedCount;
        /** Pool indexes of packets whose neighbour got resolved without a worker being told (static entry). */
        final int[] ready;
        final long[] readyMac;
        int readyCount;

        TickPlan(int maxProbes, int poolSize) {
            probePort = new int[maxProbes];
            probeV6 = new boolean[maxProbes];
            probeHi = new long[maxProbes];
            probeLo = new long[maxProbes];
            failed = new int[poolSize];
            ready = new int[poolSize];
            readyMac = new long[poolSize];
        }

        void clear() {
            probes = 0;
            failedCount = 0;
            readyCount = 0;
        }
    }

    /** Receives entries from {@link #forEach}. */
    interface Visitor {
        void visit(int port, boolean v6, long hi, long lo, long mac, NeighbourState state, long ageNanos, int queued);
    }

    private final StampedLock lock = new StampedLock();
    private Slots slots = new Slots(256);
    private int size;
    /** Upper bound of entries needing the housekeeper (unresolved, failed, or holding packets). */
    private int pending;

    private final PacketBuffer[] pool;
    private final int[] freePool;
    private int freeTop;

    NeighbourTable(int poolSize) {
        pool = new PacketBuffer[poolSize];
        freePool = new int[poolSize];
        for (int i = 0; i < poolSize; i++) {
            pool[i] = new PacketBuffer();
            freePool[i] = poolSize - 1 - i;
        }
        freeTop = poolSize;
    }

    int poolSize() {
        return pool.length;
    }

    /** A pool buffer; only valid for its current owner. */
    PacketBuffer poolBuffer(int index) {
        return pool[index];
    }

    // --- packet path: lock-free read -------------------------------------------------------------

    /** The MAC of a usable entry (>= 0), or {@link #MISSING}, {@link #INCOMPLETE}, {@link #FAILED}. */
    long lookup(int port, boolean v6, long hi, long lo) {
        int key = key(port, v6);
        for (int attempt = 0; attempt < 4; attempt++) {
            long stamp = lock.tryOptimisticRead();
            if (stamp != 0) {
                long r = read(slots, key, hi, lo);
                if (lock.validate(stamp)) {
                    return r;
                }
            }
            Thread.onSpinWait();
        }
        long stamp = lock.readLock();
        try {
            return read(slots, key, hi, lo);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    private static long read(Slots s, int key, long hi, long lo) {
        int i = find(s, key, hi, lo);
        if (i < 0) {
            return MISSING;
        }
        byte st = s.state[i];
        if (st == S_PERMANENT || st == S_REACHABLE || st == S_STALE) {
            return s.mac[i];
        }
        return st == S_INCOMPLETE ? INCOMPLETE : FAILED;
    }

    // --- packet path: slow paths under the write lock -------------------------------------------

    /**
     * For a packet whose next hop is not usable: creates the entry if needed, copies the packet
     * into the pool (unless the neighbour's queue or the pool is full) and says whether a
     * solicitation is due (at most one per second, {@value #MAX_PROBES} in all). Returns the MAC
     * if the entry got resolved meanwhile, else one of the negative constants.
     */
    long resolve(int port, boolean v6, long hi, long lo, PacketBuffer p, long now) {
        long stamp = lock.writeLock();
        try {
            int key = key(port, v6);
            int i = find(slots, key, hi, lo);
            if (i < 0) {
                i = insert(key, hi, lo, now);
                if (i < 0) {
                    return UNRESOLVED;
                }
                Slots s = slots;
                s.state[i] = S_INCOMPLETE;
                pending++;
            }
            Slots s = slots;
            byte st = s.state[i];
            if (st == S_PERMANENT || st == S_REACHABLE || st == S_STALE) {
                return s.mac[i];
            }
            if (st == S_FAILED) {
                if (now - s.updated[i] < FAILED_HOLD_NANOS) {
                    return UNRESOLVED;
                }
                s.state[i] = S_INCOMPLETE;
                s.probes[i] = 0;
                s.updated[i] = now;
                pending++;
            }
            boolean probe = s.probes[i] == 0
                    || (s.probes[i] < MAX_PROBES && now - s.lastProbe[i] >= PROBE_INTERVAL_NANOS);
            if (probe) {
                s.probes[i]++;
                s.lastProbe[i] = now;
            }
            boolean queued = enqueue(s, i, p);
            if (queued) {
                return probe ? QUEUED_PROBE : QUEUED;
            }
            return probe ? QUEUE_FULL_PROBE : QUEUE_FULL;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    private boolean enqueue(Slots s, int i, PacketBuffer p) {
        int q = s.queued[i];
        if (q >= QUEUE_PER_ENTRY || freeTop == 0) {
            return false;
        }
        int idx = freePool[freeTop - 1];
        PacketBuffer copy = pool[idx];
        if (p.length > copy.data.length - PacketBuffer.HEADROOM) {
            return false;
        }
        freeTop--;
        copy.copyFrom(p);
        s.queue[i * QUEUE_PER_ENTRY + q] = idx;
        s.queued[i] = (byte) (q + 1);
        return true;
    }

    /**
     * Applies what an ARP or ND message said about a neighbour (see the LEARN_ modes: RFC 4861
     * section 7.2.5 and Linux's ARP rules). PERMANENT entries never change. When the entry
     * becomes usable its queued packets are moved to {@code released} (room for
     * {@value #QUEUE_PER_ENTRY}); returns how many. The caller owns them now.
     */
    int learn(int port, boolean v6, long hi, long lo, long mac, int mode, long now, int[] released) {
        long stamp = lock.writeLock();
        try {
            int key = key(port, v6);
            int i = find(slots, key, hi, lo);
            if (i < 0) {
                if (mode != LEARN_CREATE) {
                    return 0;
                }
                i = insert(key, hi, lo, now);
                if (i < 0) {
                    return 0;
                }
                Slots s = slots;
                s.state[i] = S_STALE;
                s.mac[i] = mac;
                return 0;
            }
            Slots s = slots;
            byte st = s.state[i];
            if (st == S_PERMANENT) {
                return 0;
            }
            boolean unresolved = st == S_INCOMPLETE || st == S_FAILED;
            if (mode == LEARN_SOLICITED) {
                s.mac[i] = mac;
                s.state[i] = S_REACHABLE;
                s.updated[i] = now;
            } else if (unresolved) {
                s.mac[i] = mac;
                s.state[i] = S_STALE;
                s.updated[i] = now;
            } else if (s.mac[i] != mac) {
                if (mode != LEARN_UPDATE_NO_OVERRIDE) {
                    s.mac[i] = mac;
                    s.updated[i] = now;
                }
                s.state[i] = S_STALE;
            }
            s.probes[i] = 0;
            return takeQueue(s, i, released, 0);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    private static int takeQueue(Slots s, int i, int[] out, int at) {
        int q = s.queued[i];
        for (int k = 0; k < q; k++) {
            out[at + k] = s.queue[i * QUEUE_PER_ENTRY + k];
        }
        s.queued[i] = 0;
        return q;
    }

    /** Gives pool buffers back. */
    void releasePool(int[] indexes, int count) {
        if (count == 0) {
            return;
        }
        long stamp = lock.writeLock();
        try {
            for (int k = 0; k < count; k++) {
                freePool[freeTop++] = indexes[k];
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Timers, run by the housekeeper about ten times a second: re-solicits unresolved entries
     * once a second, fails them after {@value #MAX_PROBES} tries (their packets go to
     * {@code plan.failed}), hands packets of entries resolved by a static entry to
     * {@code plan.ready}, and forgets old failures.
     */
    void tick(long now, TickPlan plan) {
        plan.clear();
        long stamp = lock.writeLock();
        try {
            if (pending == 0) {
                return;
            }
            int remaining = 0;
            Slots s = slots;
            for (int i = 0; i <= s.mask; i++) {
                if (s.key[i] == 0) {
                    continue;
                }
                byte st = s.state[i];
                if (st == S_INCOMPLETE) {
                    remaining++;
                    if (now - s.lastProbe[i] < PROBE_INTERVAL_NANOS) {
                        continue;
                    }
                    if (s.probes[i] < MAX_PROBES) {
                        if (plan.probes < plan.probePort.length) {
                            int n = plan.probes++;
                            plan.probePort[n] = s.key[i] >>> 1;
                            plan.probeV6[n] = (s.key[i] & 1) != 0;
                            plan.probeHi[n] = s.hi[i];
                            plan.probeLo[n] = s.lo[i];
                            s.probes[i]++;
                            s.lastProbe[i] = now;
                        }
                    } else {
                        s.state[i] = S_FAILED;
                        s.updated[i] = now;
                        plan.failedCount += takeQueue(s, i, plan.failed, plan.failedCount);
                    }
                } else if (st == S_FAILED) {
                    if (now - s.updated[i] >= FAILED_GC_NANOS) {
                        removeAt(s, i);
                        // The backward shift may have moved another entry into slot i: look at it again.
                        i--;
                    } else {
                        remaining++;
                    }
                } else if (s.queued[i] > 0) {
                    int n = takeQueue(s, i, plan.ready, plan.readyCount);
                    for (int k = 0; k < n; k++) {
                        plan.readyMac[plan.readyCount + k] = s.mac[i];
                    }
                    plan.readyCount += n;
                }
            }
            pending = remaining;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    // --- control plane ----------------------------------------------------------------------------

    /** Adds or replaces a PERMANENT entry. Packets it was holding go out with the next {@link #tick}. */
    void setPermanent(int port, boolean v6, long hi, long lo, long mac, long now) {
        long stamp = lock.writeLock();
        try {
            int key = key(port, v6);
            int i = find(slots, key, hi, lo);
            if (i < 0) {
                i = insert(key, hi, lo, now);
                if (i < 0) {
                    throw new IllegalStateException("neighbour table full (" + MAX_ENTRIES + " entries)");
                }
            }
            Slots s = slots;
            s.state[i] = S_PERMANENT;
            s.mac[i] = mac;
            s.updated[i] = now;
            s.probes[i] = 0;
            if (s.queued[i] > 0) {
                pending++;
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Removes one entry; its queued packets' pool indexes go to {@code dropped} (room for
     * {@value #QUEUE_PER_ENTRY}). Returns how many, or -1 if there was no such entry.
     */
    int remove(int port, boolean v6, long hi, long lo, int[] dropped) {
        long stamp = lock.writeLock();
        try {
            Slots s = slots;
            int i = find(s, key(port, v6), hi, lo);
            if (i < 0) {
                return -1;
            }
            int n = takeQueue(s, i, dropped, 0);
            removeAt(s, i);
            return n;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /**
     * Removes the entries of a port (all ports when {@code port < 0}), PERMANENT ones only when
     * {@code includePermanent}. Queued packets' pool indexes go to {@code dropped} (room for the
     * pool size); returns how many.
     */
    int flush(int port, boolean includePermanent, int[] dropped) {
        long stamp = lock.writeLock();
        try {
            Slots s = slots;
            int n = 0;
            for (int i = 0; i <= s.mask; i++) {
                int key = s.key[i];
                if (key == 0 || (port >= 0 && (key >>> 1) != port)
                        || (!includePermanent && s.state[i] == S_PERMANENT)) {
                    continue;
                }
                n += takeQueue(s, i, dropped, n);
                removeAt(s, i);
                i--;
            }
            return n;
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    /** Visits every entry under the read lock (control plane). */
    void forEach(long now, Visitor visitor) {
        long stamp = lock.readLock();
        try {
            Slots s = slots;
            for (int i = 0; i <= s.mask; i++) {
                int key = s.key[i];
                if (key == 0) {
                    continue;
                }
                byte st = s.state[i];
                long age = now - s.updated[i];
                NeighbourState state = STATES[st];
                if (st == S_REACHABLE && age >= REACHABLE_NANOS) {
                    state = NeighbourState.STALE;
                }
                boolean resolved = st == S_PERMANENT || st == S_REACHABLE || st == S_STALE;
                visitor.visit(key >>> 1, (key & 1) != 0, s.hi[i], s.lo[i], resolved ? s.mac[i] : -1, state, age, s.queued[i]);
            }
        } finally {
            lock.unlockRead(stamp);
        }
    }

    int size() {
        long stamp = lock.readLock();
        try {
            return size;
        } finally {
            lock.unlockRead(stamp);
        }
    }

    // --- open addressing --------------------------------------------------------------------------

    private static int key(int port, boolean v6) {
        return (port << 1) | (v6 ? 1 : 0);
    }

    private static int hash(int key, long hi, long lo) {
        long h = hi * 0x9E37_79B9_7F4A_7C15L ^ lo * 0xC2B2_AE3D_27D4_EB4FL ^ key * 0x1656_67B1_9E37_79F9L;
        h ^= h >>> 31;
        h *= 0x94D0_49BB_1331_11EBL;
        return (int) (h ^ (h >>> 29));
    }

    /** Bounded probe: terminates even on a torn optimistic read of a full-looking table. */
    private static int find(Slots s, int key, long hi, long lo) {
        int mask = s.mask;
        int i = hash(key, hi, lo) & mask;
        for (int n = 0; n <= mask; n++) {
            int k = s.key[i];
            if (k == 0) {
                return -1;
            }
            if (k == key && s.hi[i] == hi && s.lo[i] == lo) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** Write lock held. Returns the new slot (state to be set by the caller), or -1 when the table is at its limit. */
    private int insert(int key, long hi, long lo, long now) {
        if (size >= MAX_ENTRIES) {
            return -1;
        }
        if ((size + 1) * 2 > slots.mask + 1) {
            grow();
        }
        Slots s = slots;
        int i = hash(key, hi, lo) & s.mask;
        while (s.key[i] != 0) {
            i = (i + 1) & s.mask;
        }
        s.hi[i] = hi;
        s.lo[i] = lo;
        s.mac[i] = 0;
        s.updated[i] = now;
        s.lastProbe[i] = now;
        s.probes[i] = 0;
        s.queued[i] = 0;
        s.key[i] = key;
        size++;
        return i;
    }

    private void grow() {
        Slots old = slots;
        Slots s = new Slots((old.mask + 1) * 2);
        for (int j = 0; j <= old.mask; j++) {
            if (old.key[j] != 0) {
                int i = hash(old.key[j], old.hi[j], old.lo[j]) & s.mask;
                while (s.key[i] != 0) {
                    i = (i + 1) & s.mask;
                }
                copy(old, j, s, i);
            }
        }
        slots = s;
    }

    /** Backward-shift deletion: no tombstones, so lookups stay short. */
    private void removeAt(Slots s, int i) {
        int mask = s.mask;
        int hole = i;
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (s.key[j] == 0) {
                break;
            }
            int ideal = hash(s.key[j], s.hi[j], s.lo[j]) & mask;
            boolean stays = hole <= j ? (hole < ideal && ideal <= j) : (hole < ideal || ideal <= j);
            if (!stays) {
                copy(s, j, s, hole);
                hole = j;
            }
        }
        s.key[hole] = 0;
        s.queued[hole] = 0;
        size--;
    }

    private static void copy(Slots from, int j, Slots to, int i) {
        to.key[i] = from.key[j];
        to.hi[i] = from.hi[j];
        to.lo[i] = from.lo[j];
        to.mac[i] = from.mac[j];
        to.state[i] = from.state[j];
        to.updated[i] = from.updated[j];
        to.lastProbe[i] = from.lastProbe[j];
        to.probes[i] = from.probes[j];
        to.queued[i] = from.queued[j];
        System.arraycopy(from.queue, j * QUEUE_PER_ENTRY, to.queue, i * QUEUE_PER_ENTRY, QUEUE_PER_ENTRY);
    }
}
