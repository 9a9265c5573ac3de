package io.trinitybeast.usagelog.producer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** Logs each kind of failure at most once per interval, saying how many were folded in since. */
final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private final Map<String, AtomicLong> nextAllowed = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> suppressed = new ConcurrentHashMap<>();

    RateLimitedLog(Logger log, long intervalNanos) {
        this.log = log;
        this.intervalNanos = intervalNanos;
    }

    void warn(String kind, String format, Object... args) {
        long now = System.nanoTime();
        AtomicLong next = nextAllowed.computeIfAbsent(kind, k -> new AtomicLong(now));
        AtomicLong folded = suppressed.computeIfAbsent(kind, k -> new AtomicLong());
        long allowedAt = next.get();
        if (now - allowedAt >= 0 && next.compareAndSet(allowedAt, now + intervalNanos)) {
            long before = folded.getAndSet(0);
            if (before > 0) {
                log.warn("(" + before + " more '" + kind + "' since the last report) " + format, args);
            } else {
                log.warn(format, args);
            }
        } else {
            folded.incrementAndGet();
        }
    }
}
