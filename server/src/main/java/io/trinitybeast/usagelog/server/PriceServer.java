package io.trinitybeast.usagelog.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.ProducerStats;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The price server (the seed's "LPO server"): {@code GET /v1/price/{asset}?source=binance} with an
 * {@code X-API-Key} header, answered from the in-memory cache on a Vert.x event loop. After the
 * response is written, one usage_log record goes to the producer; {@code send()} is a lock-free
 * enqueue, so the response never waits for the pipeline.
 *
 * <p>Only answered requests are usage: a 401 or 404 is not logged as a usage record (there may be
 * no key to charge it to), it is counted in {@code usagelog.server.requests{status}}. Operator
 * endpoints: {@code /health} (503 while draining) and {@code /metrics} (Prometheus, the producer's
 * meters included).
 */
public final class PriceServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PriceServer.class);

    private final Vertx vertx;
    private final HttpServer server;
    private final PriceCache prices;
    private final ApiKeys keys;
    private final UsageLogProducer producer;
    private final PrometheusMeterRegistry registry;
    private final Counter answered;
    private final Counter unauthorized;
    private final Counter notFound;
    private final boolean usageLogging;
    private volatile boolean draining;

    private PriceServer(Vertx vertx, String host, int port, PriceCache prices, ApiKeys keys, UsageLogProducer producer,
            PrometheusMeterRegistry registry, boolean usageLogging) {
        this.vertx = vertx;
        this.usageLogging = usageLogging;
        this.prices = prices;
        this.keys = keys;
        this.producer = producer;
        this.registry = registry;
        this.answered = requests(registry, "200");
        this.unauthorized = requests(registry, "401");
        this.notFound = requests(registry, "404");
        Router router = Router.router(vertx);
        router.get("/v1/price/:asset").handler(this::price);
        router.get("/health").handler(this::health);
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4")
                .end(registry.scrape()));
        this.server = vertx.createHttpServer().requestHandler(router).listen(port, host).await();
    }

    private static Counter requests(PrometheusMeterRegistry registry, String status) {
        return Counter.builder("usagelog.server.requests").description("Price requests by response status")
                .tag("status", status).register(registry);
    }

    /** Starts serving on {@code host:port} (port 0: any free port). */
    public static PriceServer start(String host, int port, PriceCache prices, ApiKeys keys, UsageLogProducer producer,
            PrometheusMeterRegistry registry) {
        return new PriceServer(Vertx.vertx(), host, port, prices, keys, producer, registry, true);
    }

    /** With {@code usageLogging = false} no usage record is sent: the benchmark's baseline. */
    public static PriceServer start(String host, int port, PriceCache prices, ApiKeys keys, UsageLogProducer producer,
            PrometheusMeterRegistry registry, boolean usageLogging) {
        return new PriceServer(Vertx.vertx(), host, port, prices, keys, producer, registry, usageLogging);
    }

    public int port() {
        return server.actualPort();
    }

    private void price(RoutingContext ctx) {
        long started = System.nanoTime();
        HttpServerResponse response = ctx.response().putHeader("content-type", "application/json");
        Optional<String> apiKeyId = keys.authenticate(ctx.request().getHeader("X-API-Key"));
        if (apiKeyId.isEmpty()) {
            unauthorized.increment();
            response.setStatusCode(401).end("{\"error\":\"missing or unknown API key (X-API-Key)\"}");
            return;
        }
        String asset = ctx.pathParam("asset");
        String source = Optional.ofNullable(ctx.request().getParam("source")).orElse("binance");
        PriceCache.Quote quote = prices.get(asset, source);
        if (quote == null) {
            notFound.increment();
            response.setStatusCode(404).end(new JsonObject().put("error", "unknown asset or source")
                    .put("asset", abbreviate(asset)).put("source", abbreviate(source)).encode());
            return;
        }
        String body = new JsonObject().put("asset", quote.asset()).put("source", quote.source()).put("price", quote.price())
                .put("time", Instant.ofEpochMilli(quote.epochMillis()).toString()).encode();
        long responseTimeUs = (System.nanoTime() - started) / 1_000;
        response.end(body);
        answered.increment();
        // After the answer is on its way; a lock-free enqueue that never blocks or throws.
        if (usageLogging) {
            producer.send(UsageLog.TYPE, new UsageLog(apiKeyId.get(), quote.asset(), quote.source(), responseTimeUs, PriceCache.TIER));
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }

    private void health(RoutingContext ctx) {
        ProducerStats stats = producer.stats();
        JsonObject status = new JsonObject().put("status", draining ? "DRAINING" : "UP")
                .put("apiKeys", keys.size()).put("producer", new JsonObject()
                        .put("bufferDepth", producer.bufferDepth()).put("pending", stats.pending())
                        .put("dropped", stats.dropped()));
        ctx.response().putHeader("content-type", "application/json").setStatusCode(draining ? 503 : 200).end(status.encode());
    }

    /**
     * Graceful stop, as on SIGTERM: /health turns 503, the server stops accepting and lets requests
     * in flight finish (up to {@code deadline}), then the producer flushes what it holds.
     */
    public CloseReport stop(Duration deadline) {
        draining = true;
        long start = System.nanoTime();
        try {
            server.shutdown(deadline.toMillis(), TimeUnit.MILLISECONDS).await();
        } catch (RuntimeException e) {
            log.warn("HTTP shutdown: {}", e.toString());
        }
        Duration left = deadline.minusNanos(System.nanoTime() - start);
        CloseReport report = producer.close(left.isNegative() ? Duration.ofSeconds(1) : left);
        vertx.close().await();
        prices.close();
        keys.close();
        log.info("price server stopped: {}", report);
        return report;
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }
}
