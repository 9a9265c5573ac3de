package io.trinitybeast.usagelog.local;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A load generator sending real HTTP price requests: {@code concurrency} workers, a shared pace of
 * {@code rate} requests/s (0: as fast as they go), until {@code requests} were sent or the deadline.
 * It tallies answers by status and the 200s by API key, for the reconciliation.
 */
final class HttpLoad {

    /** An API key: its public id and the secret sent in X-API-Key. */
    record Key(String apiKeyId, String secret) {}

    private static final String[] ASSETS = {"BTC", "ETH", "SOL", "XRP", "ADA"};
    private static final String[] SOURCES = {"binance", "coinbase", "kraken"};

    final LongAdder sent = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder errors = new LongAdder();
    final Map<String, LongAdder> answeredByKey = new ConcurrentHashMap<>();

    private volatile boolean stopped;
    private final URI base;
    private final List<Key> keys;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    HttpLoad(URI base, List<Key> keys) {
        this.base = base;
        this.keys = keys;
    }

    /** Workers finish the request they are in and send no more. */
    void stop() {
        stopped = true;
    }

    void run(long requests, long rate, int concurrency, Duration maxDuration) throws InterruptedException {
        AtomicLong issued = new AtomicLong();
        long start = System.nanoTime();
        long end = start + maxDuration.toNanos();
        double nanosPerRequest = rate == 0 ? 0 : 1e9 / rate;
        Thread[] workers = new Thread[concurrency];
        for (int w = 0; w < concurrency; w++) {
            workers[w] = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long n;
                while (!stopped && (n = issued.getAndIncrement()) < requests && System.nanoTime() < end) {
                    if (nanosPerRequest > 0) {
                        long wait = start + (long) (n * nanosPerRequest) - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                    Key key = keys.get(random.nextInt(keys.size()));
                    HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/price/" + ASSETS[random.nextInt(ASSETS.length)]
                            + "?source=" + SOURCES[random.nextInt(SOURCES.length)])).header("X-API-Key", key.secret())
                            .timeout(Duration.ofSeconds(10)).build();
                    sent.increment();
                    try {
                        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status == 200) {
                            answered.increment();
                            answeredByKey.computeIfAbsent(key.apiKeyId(), k -> new LongAdder()).increment();
                        } else {
                            rejected.increment();
                        }
                    } catch (java.io.IOException e) {
                        errors.increment();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }, "http-load-" + w);
            workers[w].start();
        }
        for (Thread worker : workers) {
            worker.join(TimeUnit.NANOSECONDS.toMillis(Math.max(0, end - System.nanoTime())) + 30_000);
        }
    }
}
