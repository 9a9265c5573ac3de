package io.trinitybeast.usagelog.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.InMemoryParameterSource;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import io.trinitybeast.usagelog.writer.QueuedWriter;
import io.trinitybeast.usagelog.writer.QueuedWriterHandler;
import io.trinitybeast.usagelog.writer.RecordHandlers;
import io.trinitybeast.usagelog.writer.WriterDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The local event source mapping, the real writer, embedded SQS and PostgreSQL: the queue-to-table half of the pipeline. */
class LocalEventSourceMappingTest {

    private static LocalSqs sqs;
    private static final AtomicInteger QUEUES = new AtomicInteger();

    @BeforeAll
    static void start() {
        sqs = LocalSqs.start(0);
    }

    @AfterAll
    static void stop() {
        sqs.close();
    }

    /** A queue whose failed messages come back after 1 s and go to the DLQ on the second receive. */
    private static LocalSqs.Queues queues() {
        return sqs.provision("esm-test-" + QUEUES.incrementAndGet(), 1, 2);
    }

    private static LocalDatabase.Database database() {
        LocalDatabase.Database database = LocalDatabase.forTests().freshDatabase();
        UsageLogSchema.migrate(database.dataSource());
        return database;
    }

    private static QueuedWriterHandler writer(LocalDatabase.Database database) {
        WriterDatabase connection = new WriterDatabase(() -> new WriterDatabase.Credentials(database.jdbcUrl(), database.user(),
                database.password()));
        return new QueuedWriterHandler(new QueuedWriter(connection, RecordHandlers.standard()), "test-writer", line -> { });
    }

    private static long count(LocalDatabase.Database database, String sql) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long approximateMessages(String queueUrl) {
        var attributes = sqs.client().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .join().attributes();
        return Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void producerToQueueToWriter_everyRecordStoredOnce_andPoisonEndsInTheDlq() throws Exception {
        LocalSqs.Queues queues = queues();
        LocalDatabase.Database database = database();
        List<SQSEvent> events = new CopyOnWriteArrayList<>();
        QueuedWriterHandler writer = writer(database);
        RequestHandler<SQSEvent, SQSBatchResponse> recording = (event, context) -> {
            events.add(event);
            return writer.handleRequest(event, context);
        };
        try (LocalEventSourceMapping mapping = new LocalEventSourceMapping(sqs.client(), queues.queueUrl(), queues.queueArn(),
                recording, new LocalEventSourceMapping.Settings(100, Duration.ofSeconds(1), 2)).start()) {
            UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.newClient(16)).closeClient(true)
                    .queueUrl(queues.queueUrl()).node("esm-test")
                    .parameters(new InMemoryParameterSource().set(ProducerParameter.PACK_BYTES, 8192)).start();
            for (int i = 0; i < 3000; i++) {
                producer.send(UsageLog.TYPE, new UsageLog("ak_" + (i % 10), "BTC", "binance", i, "L1_MEMORY"));
            }
            sqs.client().sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody("Test message.")).join();
            sqs.client().sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody("{\"type\":\"usage_log\"}")).join();
            assertThat(producer.close(Duration.ofSeconds(10)).stats().sent()).isEqualTo(3000);

            await().atMost(Duration.ofSeconds(60)).until(() -> count(database, "SELECT count(*) FROM usage_logs") == 3000);
            await().atMost(Duration.ofSeconds(60)).until(() -> approximateMessages(queues.dlqUrl()) == 2);
            assertThat(approximateMessages(queues.queueUrl())).isZero();
        }
        assertThat(count(database, "SELECT sum(request_count) FROM current_usage")).isEqualTo(3000);
        SQSEvent.SQSMessage first = events.get(0).getRecords().get(0);
        assertThat(first.getEventSourceArn()).isEqualTo(queues.queueArn());
        assertThat(first.getEventSource()).isEqualTo("aws:sqs");
        assertThat(first.getAttributes()).containsKeys("ApproximateReceiveCount", "SentTimestamp", "ApproximateFirstReceiveTimestamp");
        assertThat(first.getMd5OfBody()).hasSize(32);
        assertThat(events).allSatisfy(e -> assertThat(e.getRecords()).hasSizeLessThanOrEqualTo(100));
        assertThat(events.stream().flatMap(e -> e.getRecords().stream())
                .filter(m -> m.getBody().equals("Test message.")).map(m -> m.getAttributes().get("ApproximateReceiveCount")))
                .as("the poison message was received twice, then dead-lettered").containsExactlyInAnyOrder("1", "2");
    }

    @Test
    void batchesFillUpToTheBatchSizeWithinTheWindow() throws Exception {
        // Visibility well above the window, as Lambda requires; with less, messages gathered early reappear mid-batch.
        LocalSqs.Queues queues = sqs.provision("esm-test-" + QUEUES.incrementAndGet(), 30, 5);
        for (int i = 0; i < 25; i++) {
            int from = i * 10;
            sqs.client().sendMessageBatch(b -> b.queueUrl(queues.queueUrl()).entries(java.util.stream.IntStream.range(from, from + 10)
                    .mapToObj(n -> software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry.builder()
                            .id("e" + n).messageBody("m" + n).build()).toList())).join();
        }
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (LocalEventSourceMapping mapping = new LocalEventSourceMapping(sqs.client(), queues.queueUrl(), queues.queueArn(),
                (event, context) -> {
                    sizes.add(event.getRecords().size());
                    return SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
                }, new LocalEventSourceMapping.Settings(100, Duration.ofSeconds(2), 1)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> sizes.stream().mapToInt(Integer::intValue).sum() == 250);
        }
        assertThat(sizes).containsExactly(100, 100, 50);
        assertThat(approximateMessages(queues.queueUrl())).isZero();
    }

    @Test
    void anInvocationThatThrowsOrNamesAStrangerFailsTheWholeBatch_andItIsDeliveredAgain() throws Exception {
        LocalSqs.Queues queues = sqs.provision("esm-test-" + QUEUES.incrementAndGet(), 1, 5);
        sqs.client().sendMessage(b -> b.queueUrl(queues.queueUrl()).messageBody("a")).join();
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<String> lastReceiveCount = new AtomicReference<>();
        try (LocalEventSourceMapping mapping = new LocalEventSourceMapping(sqs.client(), queues.queueUrl(), queues.queueArn(),
                (event, context) -> {
                    lastReceiveCount.set(event.getRecords().get(0).getAttributes().get("ApproximateReceiveCount"));
                    return switch (calls.incrementAndGet()) {
                        case 1 -> throw new IllegalStateException("database down");
                        case 2 -> SQSBatchResponse.builder().withBatchItemFailures(List.of(
                                SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier("not-in-this-batch").build())).build();
                        default -> SQSBatchResponse.builder().withBatchItemFailures(List.of()).build();
                    };
                }, new LocalEventSourceMapping.Settings(10, Duration.ZERO, 1)).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() == 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> approximateMessages(queues.queueUrl()) == 0);
            assertThat(mapping.invocationErrors.sum()).isEqualTo(1);
            assertThat(mapping.messagesReturned.sum()).isEqualTo(2);
            assertThat(mapping.messagesDeleted.sum()).isEqualTo(1);
        }
        assertThat(lastReceiveCount.get()).isEqualTo("3");
    }

    @Test
    void settingsOutsideLambdasRangesAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LocalEventSourceMapping.Settings(0, Duration.ofSeconds(5), 1))
                .hasMessage("batch size must be in 1–10000, got 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LocalEventSourceMapping.Settings(100, Duration.ofSeconds(301), 1))
                .hasMessage("batching window must be in 0–300 s, got PT5M1S");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LocalEventSourceMapping.Settings(100, Duration.ZERO, 1))
                .hasMessageContaining("needs a batching window");
    }
}
