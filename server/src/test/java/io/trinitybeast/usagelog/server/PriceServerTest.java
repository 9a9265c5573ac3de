package io.trinitybeast.usagelog.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trinitybeast.usagelog.envelope.EnvelopeDecoder;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

class PriceServerTest {

    private LocalSqs sqs;
    private String queue;
    private PriceServer server;
    private String keyA;
    private String keyB;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        sqs = LocalSqs.start(0);
        queue = sqs.createQueue("price-server-test");
        LocalDatabase.Database database = LocalDatabase.forTests().freshDatabase();
        UsageLogSchema.migrate(database.dataSource());
        try (Connection c = database.connect()) {
            keyA = ApiKeys.create(c, "ak_live_a", "alice");
            keyB = ApiKeys.create(c, "ak_live_b", "bob");
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.newClient(16)).closeClient(true).queueUrl(queue)
                .node("test-node").meterRegistry(registry).start();
        server = PriceServer.start("127.0.0.1", 0, PriceCache.demo(), ApiKeys.load(database::connect, 30), producer, registry);
    }

    @AfterEach
    void stop() {
        sqs.close();
    }

    private HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every usage record on the queue, by api_key_id. */
    private Map<String, Integer> usageOnQueue(int expected) {
        Map<String, Integer> counts = new ConcurrentHashMap<>();
        EnvelopeDecoder decoder = new EnvelopeDecoder();
        int[] total = {0};
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            List<Message> got = sqs.client().receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10)).join().messages();
            for (Message m : got) {
                for (var envelope : decoder.decode(m.body()).envelopes()) {
                    UsageLog log = EnvelopeDecoder.typed(envelope, UsageLog.CODEC).payload();
                    counts.merge(log.apiKeyId(), 1, Integer::sum);
                    total[0]++;
                }
                sqs.client().deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle())).join();
            }
            return total[0] >= expected;
        });
        return counts;
    }

    @Test
    void answersFromTheCacheAndLogsOneUsageRecordPerAnsweredRequest() throws Exception {
        HttpResponse<String> btc = get("/v1/price/BTC?source=coinbase", keyA);
        assertThat(btc.statusCode()).isEqualTo(200);
        assertThat(btc.body()).contains("\"asset\":\"BTC\"").contains("\"source\":\"coinbase\"").contains("\"price\":").contains("\"time\":");
        for (int i = 0; i < 29; i++) {
            assertThat(get("/v1/price/ETH", i % 3 == 0 ? keyB : keyA).statusCode()).isEqualTo(200);
        }
        server.stop(Duration.ofSeconds(10));

        assertThat(usageOnQueue(30)).isEqualTo(Map.of("ak_live_a", 20, "ak_live_b", 10));
    }

    @Test
    void missingOrUnknownKeysAre401_unknownAssetsAre404_andNeitherIsUsage() throws Exception {
        HttpResponse<String> noKey = get("/v1/price/BTC", null);
        HttpResponse<String> badKey = get("/v1/price/BTC", "tbk_not-a-key");
        HttpResponse<String> plainId = get("/v1/price/BTC", "ak_live_a"); // the public id is not the secret
        HttpResponse<String> unknownAsset = get("/v1/price/DOGE", keyA);
        HttpResponse<String> unknownSource = get("/v1/price/BTC?source=nowhere", keyA);
        assertThat(get("/v1/price/BTC", keyA).statusCode()).isEqualTo(200);

        assertThat(List.of(noKey.statusCode(), badKey.statusCode(), plainId.statusCode())).containsOnly(401);
        assertThat(noKey.body()).isEqualTo("{\"error\":\"missing or unknown API key (X-API-Key)\"}");
        assertThat(List.of(unknownAsset.statusCode(), unknownSource.statusCode())).containsOnly(404);
        assertThat(unknownAsset.body()).contains("unknown asset or source").contains("DOGE");
        String metrics = get("/metrics", null).body();
        assertThat(metrics).contains("usagelog_server_requests_total{status=\"401\"} 3.0")
                .contains("usagelog_server_requests_total{status=\"404\"} 2.0")
                .contains("usagelog_producer_enqueued_total");
        server.stop(Duration.ofSeconds(10));
        assertThat(usageOnQueue(1)).isEqualTo(Map.of("ak_live_a", 1));
    }

    @Test
    void healthReportsUpThenDrainingAndAGracefulStopUnderLoadLosesNothingItAnswered() throws Exception {
        assertThat(get("/health", null).body()).contains("\"status\":\"UP\"").contains("\"apiKeys\":2");
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        HttpClient client = HttpClient.newBuilder().build();
        for (int i = 0; i < 400; i++) {
            inFlight.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/price/SOL"))
                    .header("X-API-Key", keyA).build(), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> inFlight.stream().filter(CompletableFuture::isDone).count() >= 100);

        CloseReport report = server.stop(Duration.ofSeconds(10));

        long answered = inFlight.stream().map(f -> f.handle((r, e) -> e == null && r.statusCode() == 200 ? 1 : 0).join())
                .mapToInt(Integer::intValue).sum();
        assertThat(answered).isGreaterThanOrEqualTo(100);
        assertThat(report.clean()).isTrue();
        assertThat(report.stats().sent()).isEqualTo(answered);
        assertThat(usageOnQueue((int) answered)).isEqualTo(Map.of("ak_live_a", (int) answered));
    }
}
