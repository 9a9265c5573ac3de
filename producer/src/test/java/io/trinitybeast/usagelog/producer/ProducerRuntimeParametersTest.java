package io.trinitybeast.usagelog.producer;

import static io.trinitybeast.usagelog.producer.ProducerTestSupport.awaitEnvelopes;
import static io.trinitybeast.usagelog.producer.ProducerTestSupport.newQueue;
import static io.trinitybeast.usagelog.producer.ProducerTestSupport.producer;
import static io.trinitybeast.usagelog.producer.ProducerTestSupport.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trinitybeast.usagelog.envelope.UsageLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;

/** Each parameter, changed while the producer runs, takes effect at the next flusher tick and loses nothing. */
class ProducerRuntimeParametersTest {

    private static EmbeddedSqs sqs;

    @BeforeAll
    static void startSqs() {
        sqs = EmbeddedSqs.start();
    }

    @AfterAll
    static void stopSqs() {
        sqs.close();
    }

    private final InMemoryParameterSource parameters = new InMemoryParameterSource()
            .set(ProducerParameter.FLUSH_MS, 20).set(ProducerParameter.PACK_BYTES, 0);

    private void send(UsageLogProducer producer, int from, int count) {
        for (int i = from; i < from + count; i++) {
            assertThat(producer.send(UsageLog.TYPE, record(0, i))).isTrue();
        }
    }

    private static void awaitSettings(UsageLogProducer producer, Predicate<ProducerSettings> applied) {
        await().atMost(Duration.ofSeconds(5)).until(() -> applied.test(producer.settings()));
    }

    private static List<SendMessageBatchRequest> callsAfter(FaultInjectingSqs client, int mark) {
        return client.calls.subList(mark, client.calls.size());
    }

    @Test
    void batchSize() {
        String queue = newQueue(sqs);
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client());
        UsageLogProducer producer = producer(client, queue, parameters);
        send(producer, 0, 100);
        await().until(() -> producer.stats().sent() == 100);
        assertThat(client.calls).allSatisfy(call -> assertThat(call.entries()).hasSize(10));

        parameters.set(ProducerParameter.BATCH_SIZE, 3);
        awaitSettings(producer, s -> s.batchSize() == 3);
        int mark = client.calls.size();
        send(producer, 100, 30);

        awaitEnvelopes(sqs, queue, 130, Duration.ofSeconds(10));
        assertThat(callsAfter(client, mark)).hasSize(10).allSatisfy(call -> assertThat(call.entries()).hasSize(3));
        assertThat(producer.close(Duration.ofSeconds(5)).clean()).isTrue();
    }

    @Test
    void packBytes() {
        String queue = newQueue(sqs);
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client());
        UsageLogProducer producer = producer(client, queue, parameters);
        send(producer, 0, 50);
        await().until(() -> producer.stats().sent() == 50);
        assertThat(producer.stats().messagesSent()).isEqualTo(50);

        parameters.set(ProducerParameter.PACK_BYTES, 65_536);
        awaitSettings(producer, s -> s.packBytes() == 65_536);
        send(producer, 50, 500);

        awaitEnvelopes(sqs, queue, 550, Duration.ofSeconds(10));
        assertThat(producer.stats().messagesSent()).isLessThan(50 + 10);
        assertThat(producer.close(Duration.ofSeconds(5)).clean()).isTrue();
    }

    @Test
    void sizeLimitBytes() {
        String queue = newQueue(sqs);
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client());
        parameters.set(ProducerParameter.PACK_BYTES, 65_536).set(ProducerParameter.FLUSH_MS, 200);
        UsageLogProducer producer = producer(client, queue, parameters);
        parameters.set(ProducerParameter.SIZE_LIMIT_BYTES, 4096);
        awaitSettings(producer, s -> s.sizeLimitBytes() == 4096);
        int mark = client.calls.size();

        send(producer, 0, 2000);

        awaitEnvelopes(sqs, queue, 2000, Duration.ofSeconds(20));
        assertThat(callsAfter(client, mark)).allSatisfy(call -> {
            assertThat(call.entries().stream().mapToInt(e -> e.messageBody().length()).sum()).isLessThanOrEqualTo(4096);
            assertThat(call.entries()).allSatisfy(e -> assertThat(e.messageBody().length()).isLessThanOrEqualTo(4096));
        });
        assertThat(producer.close(Duration.ofSeconds(5)).clean()).isTrue();
    }

    @Test
    void flushMs() {
        String queue = newQueue(sqs);
        UsageLogProducer producer = producer(sqs.client(), queue, parameters);
        send(producer, 0, 1); // a partial batch goes out only at a tick
        awaitEnvelopes(sqs, queue, 1, Duration.ofSeconds(5));

        parameters.set(ProducerParameter.FLUSH_MS, 3_000);
        awaitSettings(producer, s -> s.flushMs() == 3_000);
        send(producer, 1, 1);

        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(2))
                .until(() -> producer.stats().sent() == 1);
        awaitEnvelopes(sqs, queue, 1, Duration.ofSeconds(5));
        assertThat(producer.close(Duration.ofSeconds(5)).clean()).isTrue();
    }

    @Test
    void bufferSize_shrinkingAndGrowingKeepsEveryBufferedRecord() {
        String queue = newQueue(sqs);
        CompletableFuture<Void> sqsStalls = new CompletableFuture<>();
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client()).always(FaultInjectingSqs.heldUntil(sqsStalls));
        parameters.set(ProducerParameter.MAX_IN_FLIGHT, 1).set(ProducerParameter.TIMEOUT_MS, 60_000)
                .set(ProducerParameter.BUFFER_SIZE, 1_000);
        UsageLogProducer producer = producer(client, queue, parameters);
        send(producer, 0, 500);
        await().until(() -> producer.bufferDepth() == 500 - 20); // one batch in flight, one ready

        parameters.set(ProducerParameter.BUFFER_SIZE, 100);
        awaitSettings(producer, s -> s.bufferSize() == 100);
        assertThat(producer.send(UsageLog.TYPE, record(1, 0))).as("over the new capacity").isFalse();
        assertThat(producer.bufferDepth()).as("nothing buffered was lost").isEqualTo(480);

        parameters.set(ProducerParameter.BUFFER_SIZE, 2_000);
        awaitSettings(producer, s -> s.bufferSize() == 2_000);
        send(producer, 500, 1_000);
        sqsStalls.complete(null);
        CloseReport report = producer.close(Duration.ofSeconds(30));

        assertThat(report.stats().droppedBufferFull()).isEqualTo(1);
        assertThat(report.stats().sent()).isEqualTo(1_500);
        assertThat(awaitEnvelopes(sqs, queue, 1_500, Duration.ofSeconds(30))).hasSize(1_500);
    }

    @Test
    void timeoutMs() {
        String queue = newQueue(sqs);
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client()).always(FaultInjectingSqs.delayed(300));
        parameters.set(ProducerParameter.TIMEOUT_MS, 100).set(ProducerParameter.RETRY_BASE_MS, 20)
                .set(ProducerParameter.RETRY_MAX_MS, 50);
        UsageLogProducer producer = producer(client, queue, parameters);
        send(producer, 0, 10);
        await().until(() -> producer.stats().retried().getOrDefault("timeout", 0L) >= 20);
        assertThat(producer.stats().sent()).isZero();

        parameters.set(ProducerParameter.TIMEOUT_MS, 2_000);

        await().atMost(Duration.ofSeconds(10)).until(() -> producer.stats().sent() == 10);
        assertThat(producer.close(Duration.ofSeconds(5)).clean()).isTrue();
    }

    @Test
    void maxInFlight() {
        String queue = newQueue(sqs);
        CompletableFuture<Void> sqsStalls = new CompletableFuture<>();
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client()).always(FaultInjectingSqs.heldUntil(sqsStalls));
        parameters.set(ProducerParameter.MAX_IN_FLIGHT, 2).set(ProducerParameter.TIMEOUT_MS, 60_000);
        UsageLogProducer producer = producer(client, queue, parameters);
        send(producer, 0, 200);
        await().until(() -> client.inFlight() == 2);
        await().during(Duration.ofMillis(300)).until(() -> client.maxInFlightSeen() == 2);

        parameters.set(ProducerParameter.MAX_IN_FLIGHT, 5);

        await().atMost(Duration.ofSeconds(5)).until(() -> client.inFlight() == 5);
        sqsStalls.complete(null);
        assertThat(producer.close(Duration.ofSeconds(30)).stats().sent()).isEqualTo(200);
        assertThat(awaitEnvelopes(sqs, queue, 200, Duration.ofSeconds(10))).hasSize(200);
    }

    @Test
    void retryBackoff() {
        String queue = newQueue(sqs);
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client()).always(FaultInjectingSqs.throttled());
        parameters.set(ProducerParameter.RETRY_BASE_MS, 1).set(ProducerParameter.RETRY_MAX_MS, 2);
        UsageLogProducer producer = producer(client, queue, parameters);
        send(producer, 0, 10);
        await().until(() -> client.calls.size() > 30);

        parameters.set(ProducerParameter.RETRY_BASE_MS, 60_000).set(ProducerParameter.RETRY_MAX_MS, 60_000);
        awaitSettings(producer, s -> s.retryBaseMs() == 60_000);
        int afterChange = client.calls.size() + 2; // a retry already scheduled under the old backoff may still run

        await().during(Duration.ofMillis(500)).until(() -> client.calls.size() <= afterChange);
        client.always(null);
        assertThat(producer.close(Duration.ofMillis(200)).unsent()).isEqualTo(10);
    }

    @ParameterizedTest
    @EnumSource(ProducerParameter.class)
    void anInvalidValueIsRejectedCountedAndTheLastValidOneStays(ProducerParameter parameter) {
        String queue = newQueue(sqs);
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.client()).queueUrl(queue).node("n")
                .parameters(parameters).meterRegistry(registry).start();
        long before = producer.settings().get(parameter);

        parameters.setUnchecked(parameter.parameterName(), Long.toString(parameter.min() - 1));
        // A valid change in the same snapshot still applies.
        ProducerParameter other = parameter == ProducerParameter.BATCH_SIZE ? ProducerParameter.FLUSH_MS : ProducerParameter.BATCH_SIZE;
        parameters.setUnchecked(other.parameterName(), "7");

        awaitSettings(producer, s -> s.get(other) == 7);
        await().until(() -> registry.find("usagelog.producer.parameter.rejected")
                .tag("parameter", parameter.parameterName()).functionCounter() != null);
        assertThat(producer.settings().get(parameter)).isEqualTo(before);
        assertThat(registry.get("usagelog.producer.parameter.rejected").tag("parameter", parameter.parameterName())
                .functionCounter().count()).isEqualTo(1.0);
        send(producer, 0, 10);
        assertThat(producer.close(Duration.ofSeconds(5)).stats().sent()).isEqualTo(10);
    }
}
