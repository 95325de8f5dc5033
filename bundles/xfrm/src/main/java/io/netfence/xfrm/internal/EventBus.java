package io.netfence.xfrm.internal;

import io.netfence.xfrm.api.XfrmEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers xfrm events to monitors, in order, from one daemon thread, so a slow listener (a shell
 * printing to a terminal) never holds up the control plane or a worker. Events nobody listens to
 * are dropped at once.
 */
final class EventBus {
    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);
    /** Beyond this backlog, events are dropped and counted rather than eating memory. */
    private static final int MAX_BACKLOG = 10_000;

    private final List<Consumer<XfrmEvent>> listeners = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<XfrmEvent> queue = new LinkedBlockingQueue<>(MAX_BACKLOG);
    private final Thread thread;
    /** Events dropped because the backlog was full (written by publishers, read for the log only). */
    private volatile long lost;

    EventBus() {
        thread = Thread.ofPlatform().daemon().name("xfrm-events").unstarted(this::run);
        thread.start();
    }

    void publish(XfrmEvent event) {
        if (!listeners.isEmpty() && !queue.offer(event) && lost++ % 1000 == 0) {
            LOG.warn("xfrm monitors are {} events behind: {} events dropped so far", MAX_BACKLOG, lost);
        }
    }

    AutoCloseable subscribe(Consumer<XfrmEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void close() {
        thread.interrupt();
    }

    private void run() {
        try {
            while (true) {
                XfrmEvent e = queue.take();
                for (Consumer<XfrmEvent> l : listeners) {
                    try {
                        l.accept(e);
                    } catch (RuntimeException ex) {
                        LOG.warn("xfrm monitor listener failed: {}", ex.toString());
                    }
                }
            }
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        }
    }
}
