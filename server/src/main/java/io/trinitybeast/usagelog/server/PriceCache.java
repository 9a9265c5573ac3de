package io.trinitybeast.usagelog.server;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The in-memory price cache (the {@code L1_MEMORY} tier), fed by a simulated ticker that moves each
 * price by a small random step every tick. Reads are a volatile read and two map lookups.
 */
public final class PriceCache implements AutoCloseable {

    public static final String TIER = "L1_MEMORY";

    /** One quote. */
    public record Quote(String asset, String source, double price, long epochMillis) {}

    private volatile Map<String, Map<String, Quote>> quotes;
    private final ScheduledExecutorService ticker;

    private PriceCache(Map<String, Double> startingPrices, List<String> sources, long tickMillis) {
        Map<String, Map<String, Quote>> initial = new HashMap<>();
        long now = System.currentTimeMillis();
        startingPrices.forEach((asset, price) -> {
            Map<String, Quote> bySource = new HashMap<>();
            for (String source : sources) {
                bySource.put(source, new Quote(asset, source, price, now));
            }
            initial.put(asset, Map.copyOf(bySource));
        });
        quotes = Map.copyOf(initial);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "simulated-ticker");
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }

    /** A cache over these assets and sources, ticking every {@code tickMillis}. */
    public static PriceCache simulated(Map<String, Double> startingPrices, List<String> sources, long tickMillis) {
        return new PriceCache(startingPrices, sources, tickMillis);
    }

    public static PriceCache demo() {
        return simulated(Map.of("BTC", 97_000.0, "ETH", 3_600.0, "SOL", 240.0, "XRP", 2.4, "ADA", 1.1),
                List.of("binance", "coinbase", "kraken"), 100);
    }

    /** The quote, or null for an unknown asset or source. */
    public Quote get(String asset, String source) {
        Map<String, Quote> bySource = quotes.get(asset);
        return bySource == null ? null : bySource.get(source);
    }

    private void tick() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long now = System.currentTimeMillis();
        Map<String, Map<String, Quote>> next = new HashMap<>();
        quotes.forEach((asset, bySource) -> {
            Map<String, Quote> moved = new HashMap<>();
            bySource.forEach((source, quote) -> moved.put(source,
                    new Quote(asset, source, Math.max(0.0001, quote.price() * (1 + random.nextGaussian() * 0.0005)), now)));
            next.put(asset, Map.copyOf(moved));
        });
        quotes = Map.copyOf(next);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
