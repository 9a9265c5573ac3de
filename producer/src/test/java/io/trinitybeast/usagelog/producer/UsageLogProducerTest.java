package io.trinitybeast.usagelog.producer;

import static io.trinitybeast.usagelog.producer.ProducerTestSupport.awaitEnvelopes;
import static io.trinitybeast.usagelog.producer.ProducerTestSupport.key;
import static io.trinitybeast.usagelog.producer.ProducerTestSupport.newQueue;
import static io.trinitybeast.usagelog.producer.ProducerTestSupport.producer;
import static io.trinitybeast.usagelog.producer.ProducerTestSupport.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.UsageLog;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The producer against a real ElasticMQ on loopback, with faults injected in front of it where SQS's own are needed. */
class UsageLogProducerTest {

    private static EmbeddedSqs sqs;

    @BeforeAll
    static void startSqs() {
        sqs = EmbeddedSqs.start();
    }

    @AfterAll
    static void stopSqs() {
        sqs.close();
    }

    @ParameterizedTest(name = "sqs_pack_bytes={0}")
    @CsvSource({"0, 1500", "65536, 15000"})
    void everyRecordSentArrivesExactlyOnceUnderConcurrentSenders(int packBytes, int perSender) throws Exception {
        String queue = newQueue(sqs);
        int senders = 4;
        // Senders outrun any flusher in a tight loop: a buffer holding every record keeps this test about delivery.
        UsageLogProducer producer = producer(sqs.client(), queue, new InMemoryParameterSource()
                .set(ProducerParameter.PACK_BYTES, packBytes).set(ProducerParameter.BUFFER_SIZE, senders * perSender));

        sendConcurrently(producer, senders, perSender);
        List<Envelope<JsonNode>> received = awaitEnvelopes(sqs, queue, (long) senders * perSender, Duration.ofSeconds(60));
        CloseReport report = producer.close(Duration.ofSeconds(10));

        Set<String> expected = new HashSet<>();
        for (int s = 0; s < senders; s++) {
            for (int i = 0; i < perSender; i++) {
                expected.add("ak_test_" + s + "#" + i);
            }
        }
        assertThat(received).hasSize(senders * perSender);
        assertThat(received.stream().map(ProducerTestSupport::key).collect(Collectors.toSet())).isEqualTo(expected);
        assertThat(received.stream().map(Envelope::id).distinct()).hasSize(senders * perSender);
        assertThat(received).allSatisfy(e -> {
            assertThat(e.type()).isEqualTo(UsageLog.TYPE);
            assertThat(e.node()).isEqualTo("test-node");
            assertThat(e.id().version()).isEqualTo(7);
        });
        assertThat(sqs.receiveAndDelete(queue, Duration.ofSeconds(1))).as("nothing more arrives").isEmpty();
        ProducerStats stats = report.stats();
        assertThat(stats.enqueued()).isEqualTo(senders * perSender);
        assertThat(stats.sent()).isEqualTo(senders * perSender);
        assertThat(stats.dropped()).isZero();
        assertThat(report.clean()).isTrue();
        if (packBytes == 0) {
            assertThat(stats.messagesSent()).isEqualTo(senders * perSender);
        } else {
            assertThat(stats.messagesSent()).as("packed: many records per message").isLessThan(senders * perSender / 50);
        }
    }

    private static void sendConcurrently(UsageLogProducer producer, int senders, int perSender) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perSender; i++) {
                        assertThat(producer.send(UsageLog.TYPE, record(sender, i))).isTrue();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void bufferFullDropsAreCountedExactly_acceptedEqualsDeliveredPlusDropped() throws Exception {
        String queue = newQueue(sqs);
        CompletableFuture<Void> sqsStalls = new CompletableFuture<>();
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client()).always(FaultInjectingSqs.heldUntil(sqsStalls));
        UsageLogProducer producer = producer(client, queue, new InMemoryParameterSource()
                .set(ProducerParameter.BUFFER_SIZE, 500).set(ProducerParameter.MAX_IN_FLIGHT, 1)
                .set(ProducerParameter.PACK_BYTES, 0).set(ProducerParameter.TIMEOUT_MS, 60_000));
        int offered = 5_000;

        AtomicLong refused = new AtomicLong();
        for (int i = 0; i < offered; i++) {
            if (!producer.send(UsageLog.TYPE, record(0, i))) {
                refused.incrementAndGet();
            }
        }
        sqsStalls.complete(null);
        CloseReport report = producer.close(Duration.ofSeconds(30));
        List<Envelope<JsonNode>> received = awaitEnvelopes(sqs, queue, report.stats().sent(), Duration.ofSeconds(30));

        ProducerStats stats = report.stats();
        assertThat(stats.droppedBufferFull()).isEqualTo(refused.get()).isGreaterThan(offered - 600);
        assertThat(stats.offered()).isEqualTo(offered);
        assertThat(received).hasSize((int) stats.enqueued());
        assertThat(stats.sent()).isEqualTo(stats.enqueued());
        assertThat(received.size() + stats.dropped()).isEqualTo(offered);
        assertThat(report.clean()).isTrue();
    }

    @Test
    void perEntryFailuresAndThrottlingAreRetriedUnderTheSameIds_andSenderFaultsAreCountedNotRetried() throws Exception {
        String queue = newQueue(sqs);
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client())
                .next(FaultInjectingSqs.throttled())
                .next(FaultInjectingSqs.failEntries(i -> i % 2 == 0, "InternalError", false))
                .next(FaultInjectingSqs.serviceError("AccessDenied", 403))
                .next(FaultInjectingSqs.failEntries(i -> i == 1, "ThrottlingException", true))
                .next(FaultInjectingSqs.serviceError("ServiceUnavailable", 503))
                .next(FaultInjectingSqs.failEntries(i -> i == 0, "InvalidMessageContents", true));
        UsageLogProducer producer = producer(client, queue, new InMemoryParameterSource()
                .set(ProducerParameter.PACK_BYTES, 0).set(ProducerParameter.RETRY_BASE_MS, 5)
                .set(ProducerParameter.MAX_IN_FLIGHT, 1));
        int offered = 200;

        for (int i = 0; i < offered; i++) {
            producer.send(UsageLog.TYPE, record(0, i));
        }
        CloseReport report = producer.close(Duration.ofSeconds(30));
        List<Envelope<JsonNode>> received = awaitEnvelopes(sqs, queue, offered - 1, Duration.ofSeconds(30));

        ProducerStats stats = report.stats();
        assertThat(stats.failed()).isEqualTo(java.util.Map.of("InvalidMessageContents", 1L));
        assertThat(stats.retried()).containsKeys("RequestThrottled", "InternalError", "AccessDenied",
                "ThrottlingException", "ServiceUnavailable");
        assertThat(stats.retried().get("InternalError")).isEqualTo(5L); // entries 0,2,4,6,8 of one batch
        assertThat(received).hasSize(offered - 1);
        assertThat(received.stream().map(Envelope::id).distinct()).hasSize(offered - 1);
        assertThat(received.stream().map(ProducerTestSupport::key).distinct()).hasSize(offered - 1);
        assertThat(stats.sent()).isEqualTo(offered - 1);
        assertThat(report.clean()).isTrue();
        assertThat(sqs.receiveAndDelete(queue, Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void aRetryAfterATimeoutKeepsTheEventIdsSoTheWriterCanDeduplicate() throws Exception {
        String queue = newQueue(sqs);
        // The first call reaches SQS but its answer comes too late: SQS has the messages, the producer retries them.
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client()).next((request, real) ->
                real.apply(request).thenCompose(r -> CompletableFuture.supplyAsync(() -> r,
                        CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS))));
        UsageLogProducer producer = producer(client, queue, new InMemoryParameterSource()
                .set(ProducerParameter.PACK_BYTES, 0).set(ProducerParameter.TIMEOUT_MS, 200)
                .set(ProducerParameter.RETRY_BASE_MS, 5));

        for (int i = 0; i < 10; i++) {
            producer.send(UsageLog.TYPE, record(0, i));
        }
        CloseReport report = producer.close(Duration.ofSeconds(30));
        List<Envelope<JsonNode>> received = awaitEnvelopes(sqs, queue, 20, Duration.ofSeconds(30));

        assertThat(report.stats().retried()).containsEntry("timeout", 10L);
        assertThat(received).hasSize(20);
        assertThat(received.stream().map(Envelope::id).distinct()).as("each id delivered twice, never renamed").hasSize(10);
    }

    @Test
    void closeUnderLoadLosesNothingAccepted() throws Exception {
        String queue = newQueue(sqs);
        UsageLogProducer producer = producer(sqs.client(), queue, new InMemoryParameterSource());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<Long>> senders = new java.util.ArrayList<>();
        for (int s = 0; s < 3; s++) {
            int sender = s;
            senders.add(pool.submit(() -> {
                long accepted = 0;
                for (long i = 0; i < 2_000_000 && !stop.get(); i++) {
                    if (producer.send(UsageLog.TYPE, record(sender, i))) {
                        accepted++;
                    }
                }
                return accepted;
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> producer.stats().enqueued() > 30_000);

        CloseReport report = producer.close(Duration.ofSeconds(60));
        stop.set(true);
        long accepted = 0;
        for (Future<Long> f : senders) {
            accepted += f.get();
        }
        pool.shutdown();
        List<Envelope<JsonNode>> received = awaitEnvelopes(sqs, queue, accepted, Duration.ofSeconds(60));

        assertThat(report.clean()).isTrue();
        assertThat(report.stats().enqueued()).isEqualTo(accepted);
        assertThat(report.stats().sent()).isEqualTo(accepted);
        assertThat(received).hasSize((int) accepted);
        assertThat(received.stream().map(ProducerTestSupport::key).distinct()).hasSize((int) accepted);
        assertThat(producer.send(UsageLog.TYPE, record(9, 9))).as("closed").isFalse();
        assertThat(producer.stats().droppedClosed()).isPositive();
    }

    @Test
    void closeReportsWhatCouldNotBeSentByTheDeadline() {
        String queue = newQueue(sqs);
        FaultInjectingSqs client = new FaultInjectingSqs(sqs.client()).always(FaultInjectingSqs.throttled());
        UsageLogProducer producer = producer(client, queue, new InMemoryParameterSource()
                .set(ProducerParameter.PACK_BYTES, 0).set(ProducerParameter.RETRY_BASE_MS, 10));
        for (int i = 0; i < 100; i++) {
            producer.send(UsageLog.TYPE, record(0, i));
        }

        CloseReport report = producer.close(Duration.ofMillis(500));

        assertThat(report.timedOut()).isTrue();
        assertThat(report.unsent()).isEqualTo(100);
        assertThat(report.stats().failed()).containsEntry("close_deadline", 100L);
        assertThat(report.stats().pending()).isZero();
        assertThat(report.stats().balanced()).isTrue();
    }

    @Test
    void recordsThatCanNeverBeSentAreCountedByReason() {
        String queue = newQueue(sqs);
        UsageLogProducer producer = producer(sqs.client(), queue, new InMemoryParameterSource()
                .set(ProducerParameter.SIZE_LIMIT_BYTES, 1024));

        producer.send("Not A Type", record(0, 1));
        producer.send("analytics_event", java.util.Map.of("blob", "x".repeat(2000)));
        producer.send("analytics_event", List.of("not", "an", "object"));
        producer.send(null, record(0, 2));
        producer.send(UsageLog.TYPE, record(0, 3));
        CloseReport report = producer.close(Duration.ofSeconds(10));

        assertThat(report.stats().failed()).containsOnly(java.util.Map.entry("invalid_type", 1L),
                java.util.Map.entry("too_large", 1L), java.util.Map.entry("encode_error", 1L));
        assertThat(report.stats().droppedInvalid()).isEqualTo(1);
        assertThat(report.stats().sent()).isEqualTo(1);
        assertThat(awaitEnvelopes(sqs, queue, 1, Duration.ofSeconds(10))).extracting(ProducerTestSupport::key)
                .containsExactly("ak_test_0#3");
    }

    @Test
    void withSqsStoppedSendStaysNonBlockingAndTheProducerRecoversByItselfWhenItReturns() {
        try (EmbeddedSqs ownSqs = EmbeddedSqs.start()) {
            String queue = ownSqs.createQueue("outage");
            UsageLogProducer producer = producer(ownSqs.newClient(), queue, new InMemoryParameterSource()
                    .set(ProducerParameter.RETRY_MAX_MS, 300).set(ProducerParameter.TIMEOUT_MS, 1000));
            for (int i = 0; i < 1000; i++) {
                producer.send(UsageLog.TYPE, record(0, i));
            }
            awaitEnvelopes(ownSqs, queue, 1000, Duration.ofSeconds(30));

            ownSqs.stopServer();
            // A send() that waited on SQS would take at least the 1 s call timeout; 20,000 must not.
            assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
                for (int i = 0; i < 20_000; i++) {
                    assertThat(producer.send(UsageLog.TYPE, record(1, i))).isTrue();
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> producer.stats().retried().getOrDefault("io", 0L)
                    + producer.stats().retried().getOrDefault("timeout", 0L) > 0);
            assertThat(producer.stats().sent()).isEqualTo(1000);

            ownSqs.restartServer();
            assertThat(ownSqs.createQueue("outage")).isEqualTo(queue);
            List<Envelope<JsonNode>> received = awaitEnvelopes(ownSqs, queue, 20_000, Duration.ofSeconds(60));
            CloseReport report = producer.close(Duration.ofSeconds(10));

            assertThat(received.stream().map(ProducerTestSupport::key).distinct()).hasSize(20_000);
            assertThat(report.stats().sent()).isGreaterThanOrEqualTo(21_000);
            assertThat(report.stats().dropped()).isZero();
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void statsAlwaysBalance() {
        String queue = newQueue(sqs);
        UsageLogProducer producer = producer(sqs.client(), queue, new InMemoryParameterSource());
        for (int i = 0; i < 1000; i++) {
            producer.send(UsageLog.TYPE, record(0, i));
            if (i % 100 == 0) {
                ProducerStats stats = producer.stats();
                assertThat(stats.enqueued()).isGreaterThanOrEqualTo(stats.sent() + stats.failedTotal());
            }
        }
        assertThat(producer.close(Duration.ofSeconds(10)).stats().balanced()).isTrue();
    }
}
