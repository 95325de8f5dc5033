package io.netfence.xfrm.internal;

import io.netfence.xfrm.api.Lifetime;
import io.netfence.xfrm.api.SaCounters;
import io.netfence.xfrm.api.XfrmState;
import io.netfence.xfrm.spi.OffloadedState;
import io.netfence.xfrm.spi.SaContext;
import io.netfence.xfrm.spi.XfrmOffloadProvider;

/**
 * An SA in the SAD: its configuration, the backend's handle, and the dynamic state the core owns
 * (sequence numbers, replay window, counters, lifetime use). The packet path works on it under its
 * monitor: one SA's transform and sequence numbers are used by one thread at a time.
 */
final class SaEntry {
    /** Index in the published tables; {@code secPath} carries it + 1. */
    final int handle;
    final SaContext context;
    final XfrmOffloadProvider provider;
    final OffloadedState offloaded;
    final long addTime;
    /** Where the SA runs, as {@code ip xfrm state} reports it. */
    final String placement;
    /**
     * The device backend the SA is on ({@link #provider} then), or null for an SA in software:
     * the packet path calls a device only when this is set, as Linux only when xso.dev is.
     */
    final XfrmOffloadProvider device;
    /**
     * A crypto-offload SA's software twin (same {@link SaContext}): seals the packets the device
     * declines ({@code offloadOk} false) and carries the SA on if the device backend goes away.
     * Null for software SAs and packet-offload SAs.
     */
    final XfrmOffloadProvider twinProvider;
    final OffloadedState twin;
    /** The twin went on as an SA of its own: retiring this entry must not delete or free it (lock). */
    boolean twinHandedOver;
    /** With ESN on a device: the high 32 bits last told to the device (stateAdvanceEsn), per direction. */
    final java.util.concurrent.atomic.AtomicLong outboundHi;
    final java.util.concurrent.atomic.AtomicLong inboundHi;
    final long dstHi, dstLo, srcHi, srcLo;
    volatile XfrmState state;

    // Guarded by this: counted on the packet path.
    long bytes, packets, replayWindowDrops, replayDrops, authFailed, badTrailer, badLength, exhausted, notDurable;
    volatile long useTime;
    /**
     * Whether the SA has a byte or packet limit. Without one (the common case) packets are
     * counted in striped adders, without taking the monitor; with one, under it, exactly.
     */
    final boolean countLimited;
    final java.util.concurrent.atomic.LongAdder fastBytes = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder fastPackets = new java.util.concurrent.atomic.LongAdder();
    boolean softExpired;
    /** The soft-expire event went out (housekeeper only). */
    boolean softEventSent;
    /** The SA's own selector compiled, or null when it covers everything. */
    final PacketMatch selector;
    /** A hard limit was reached: no packet uses it any more; the housekeeper deletes it. */
    volatile boolean hardExpired;
    volatile boolean deleted;
    /** The inbound window's top the sequence store has on disk (the housekeeper moves it). */
    volatile long inboundMark;
    /** A write of {@link #inboundMark} is on its way to the store. */
    volatile boolean inboundMarkPending;

    SaEntry(int handle, XfrmState state, SaContext context, XfrmOffloadProvider provider, OffloadedState offloaded,
            long addTime, String placement) {
        this(handle, state, context, provider, offloaded, addTime, placement, null, null, null);
    }

    /** An SA on {@code device} (which is then also {@code provider}), with its software twin if it has one. */
    SaEntry(int handle, XfrmState state, SaContext context, XfrmOffloadProvider provider, OffloadedState offloaded,
            long addTime, String placement, XfrmOffloadProvider device, XfrmOffloadProvider twinProvider, OffloadedState twin) {
        this.device = device;
        this.twinProvider = twinProvider;
        this.twin = twin;
        boolean esnOnDevice = device != null && state.esn();
        this.outboundHi = esnOnDevice ? new java.util.concurrent.atomic.AtomicLong(context.outbound().last() >>> 32) : null;
        this.inboundHi = esnOnDevice ? new java.util.concurrent.atomic.AtomicLong(context.inbound().top() >>> 32) : null;
        this.handle = handle;
        this.state = state;
        this.context = context;
        this.provider = provider;
        this.offloaded = offloaded;
        this.addTime = addTime;
        this.placement = placement;
        this.dstHi = state.dst().hi();
        this.dstLo = state.dst().lo();
        this.srcHi = state.src().hi();
        this.srcLo = state.src().lo();
        this.selector = state.selector() == null || state.selector().matchesAll() ? null : new PacketMatch(state.selector());
        this.inboundMark = context.inbound().top();
        Lifetime l = state.lifetime();
        this.countLimited = l.softBytes() != Lifetime.INF || l.hardBytes() != Lifetime.INF || l.softPackets() != Lifetime.INF
                || l.hardPackets() != Lifetime.INF;
    }

    /**
     * Whether the high half of {@code seq} moved past the one last seen in {@code hi}: true once
     * per move, whichever thread sees it first (the caller then tells the device).
     */
    static boolean highHalfMoved(java.util.concurrent.atomic.AtomicLong hi, long seq) {
        long now = seq >>> 32;
        long was = hi.get();
        return now > was && hi.compareAndSet(was, now);
    }

    /** Counts a packet of an SA without byte or packet limits: no monitor; the clock is read once, at first use. */
    void countFast(int length, java.util.function.LongSupplier clockSeconds) {
        fastBytes.add(length);
        fastPackets.increment();
        if (useTime == 0) {
            useTime = clockSeconds.getAsLong();
        }
    }

    /** {@link #admit()} under the monitor for an SA with byte or packet limits; true at once for one without. */
    boolean admitUnderLimits() {
        if (!countLimited) {
            return true;
        }
        synchronized (this) {
            return admit();
        }
    }

    boolean usable() {
        return !hardExpired && !deleted;
    }

    /**
     * Whether another packet may use the SA (under the monitor): false once a hard byte or packet
     * limit is reached, which also marks the SA for deletion.
     */
    boolean admit() {
        Lifetime l = state.lifetime();
        if (Long.compareUnsigned(bytes, l.hardBytes()) >= 0 || Long.compareUnsigned(packets, l.hardPackets()) >= 0) {
            hardExpired = true;
            return false;
        }
        return true;
    }

    /** Counts a packet that went through (under the monitor); flags soft expiry for the housekeeper. */
    void count(int length, long nowSeconds) {
        bytes += length;
        packets++;
        if (useTime == 0) {
            useTime = nowSeconds;
        }
        Lifetime l = state.lifetime();
        if (!softExpired && (Long.compareUnsigned(bytes, l.softBytes()) >= 0 || Long.compareUnsigned(packets, l.softPackets()) >= 0)) {
            softExpired = true;
        }
    }

    synchronized SaCounters counters() {
        return new SaCounters(bytes + fastBytes.sum(), packets + fastPackets.sum(), replayWindowDrops, replayDrops, authFailed, badTrailer, badLength, exhausted,
                notDurable).plus(offloaded.deviceCounters());
    }
}
