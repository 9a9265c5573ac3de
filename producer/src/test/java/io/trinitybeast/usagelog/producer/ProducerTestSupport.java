package io.trinitybeast.usagelog.producer;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.UsageLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** Shared steps of the producer's integration tests. */
final class ProducerTestSupport {

    private static final AtomicInteger QUEUES = new AtomicInteger();

    private ProducerTestSupport() {}

    static String newQueue(EmbeddedSqs sqs) {
        return sqs.createQueue("usage-logs-" + QUEUES.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    static UsageLogProducer producer(SqsAsyncClient client, String queueUrl, ParameterSource parameters) {
        return UsageLogProducer.builder().sqs(client).queueUrl(queueUrl).node("test-node").parameters(parameters)
                .meterRegistry(new SimpleMeterRegistry()).start();
    }

    static UsageLog record(int sender, long sequence) {
        return new UsageLog("ak_test_" + sender, "BTC", "binance", sequence, "L1_MEMORY");
    }

    /** Receives (and deletes) until at least {@code expected} envelopes arrived. */
    static List<Envelope<JsonNode>> awaitEnvelopes(EmbeddedSqs sqs, String queueUrl, long expected, Duration atMost) {
        List<Envelope<JsonNode>> received = new ArrayList<>();
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(() -> {
            received.addAll(EmbeddedSqs.envelopes(sqs.receiveAndDelete(queueUrl, Duration.ZERO)));
            return received.size() >= expected;
        });
        return received;
    }

    /** The pair that identifies a test record: which sender, which sequence number. */
    static String key(Envelope<JsonNode> envelope) {
        return envelope.payload().get("api_key_id").textValue() + "#" + envelope.payload().get("response_time_us").longValue();
    }
}
