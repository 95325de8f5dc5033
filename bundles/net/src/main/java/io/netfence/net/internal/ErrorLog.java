package io.netfence.net.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs unexpected packet-path failures at most once a minute (with how many were not logged),
 * so a stage that throws on every batch cannot flood the log or slow the workers down.
 */
final class ErrorLog {
    private static final long INTERVAL_NANOS = 60_000_000_000L;

    private final Logger log;
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);
    private final AtomicLong suppressed = new AtomicLong();

    ErrorLog(Logger log) {
        this.log = log;
    }

    void report(String what, Throwable t) {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= INTERVAL_NANOS && lastLogged.compareAndSet(last, now)) {
            long others = suppressed.getAndSet(0);
            log.warn("{} (the batch's packets were dropped as stage_drop; {} similar failures in the last minute not logged)",
                    what, others, t);
        } else {
            suppressed.incrementAndGet();
        }
    }
}
