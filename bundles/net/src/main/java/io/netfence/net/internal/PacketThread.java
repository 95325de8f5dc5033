package io.netfence.net.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A thread of the packet path (a worker or the housekeeper). Besides running, it tells the
 * control plane which configuration generation it may still be using, so the control plane can
 * wait for a grace period before it closes a device or reuses a next-hop id.
 *
 * <p>Protocol: {@code state} is the generation of the configuration the thread is using,
 * {@link #IDLE} while it holds no reference to any (parked), or 0 while it is between the two.
 * Leaving IDLE, the thread first stores 0 and only then reads {@link Dataplane#config}; the
 * control plane first publishes and then reads {@code state}. Both are volatile, so if the
 * control plane still sees IDLE, the thread's read of the configuration comes later in the
 * synchronization order and returns the new one. Hence "state is IDLE or >= G" proves that the
 * thread no longer uses anything older than generation G.
 */
abstract class PacketThread implements Runnable {
    static final long IDLE = Long.MAX_VALUE;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PacketThread.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Dataplane dataplane;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state = IDLE;
    /** The thread's own copy of {@code state}, to skip volatile stores that change nothing. */
    private long lastState = IDLE;
    volatile boolean running = true;
    Thread thread;

    PacketThread(Dataplane dataplane) {
        this.dataplane = dataplane;
    }

    /** Start of a pass: the configuration to use until the next call. */
    final DataplaneConfig enter() {
        if (lastState == IDLE) {
            STATE.setVolatile(this, 0L);
        }
        DataplaneConfig c = dataplane.config;
        if (lastState != c.generation) {
            STATE.setVolatile(this, c.generation);
            lastState = c.generation;
        }
        return c;
    }

    /** The thread holds no configuration (before parking, and when it ends). */
    final void leave() {
        STATE.setVolatile(this, IDLE);
        lastState = IDLE;
    }

    /** True once the thread is known to use nothing older than {@code generation}. */
    final boolean passed(long generation) {
        long s = (long) STATE.getVolatile(this);
        return s == IDLE || s >= generation;
    }

    /** Lowest generation the thread may be using (IDLE when none). */
    final long inUse() {
        long s = (long) STATE.getVolatile(this);
        return s;
    }

    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }
}
