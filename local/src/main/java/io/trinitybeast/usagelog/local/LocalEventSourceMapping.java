package io.trinitybeast.usagelog.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/**
 * Lambda's SQS event source mapping, for local runs and tests, invoking a handler in-process the
 * way Lambda does:
 *
 * <ul>
 *   <li>each poller long-polls and gathers a batch until it holds {@code batchSize} messages, the
 *       batching window has passed since its first message, or one more message would take the
 *       event past 6 MB, whichever comes first;</li>
 *   <li>the handler gets a real {@link SQSEvent} (messageId, receiptHandle, body, md5OfBody, the
 *       system attributes such as ApproximateReceiveCount and SentTimestamp, eventSourceARN);</li>
 *   <li>with ReportBatchItemFailures semantics: the messages not listed in
 *       {@code batchItemFailures} are deleted; an exception, or a response naming a message that
 *       was not in the batch, fails the whole batch; failed messages are left alone, to reappear
 *       when their visibility timeout ends, and the queue's redrive policy moves them to the DLQ
 *       after {@code maxReceiveCount} receives.</li>
 * </ul>
 */
public final class LocalEventSourceMapping implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalEventSourceMapping.class);

    /** Lambda's limit on an invocation's payload. */
    public static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

    /**
     * @param batchSize      messages per invocation, 1–10,000 (Lambda's range for standard queues)
     * @param batchingWindow how long to gather, 0–300 s
     * @param pollers        concurrent pollers, each invoking the handler in turn (Lambda's concurrency)
     */
    public record Settings(int batchSize, Duration batchingWindow, int pollers) {
        public static final Settings SEED = new Settings(100, Duration.ofSeconds(5), 2);

        public Settings {
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("batch size must be in 1–10000, got " + batchSize);
            }
            if (batchingWindow.isNegative() || batchingWindow.compareTo(Duration.ofSeconds(300)) > 0) {
                throw new IllegalArgumentException("batching window must be in 0–300 s, got " + batchingWindow);
            }
            if (batchSize > 10 && batchingWindow.isZero()) {
                throw new IllegalArgumentException("a batch size over 10 needs a batching window of at least 1 s, as in Lambda");
            }
            if (pollers < 1 || pollers > 1_000) {
                throw new IllegalArgumentException("pollers must be in 1–1000, got " + pollers);
            }
        }
    }

    private final SqsAsyncClient sqs;
    private final String queueUrl;
    private final String queueArn;
    private final RequestHandler<SQSEvent, SQSBatchResponse> handler;
    private final Settings settings;
    private final List<Thread> pollers = new ArrayList<>();
    private volatile boolean running = true;

    public final LongAdder invocations = new LongAdder();
    public final LongAdder messagesDelivered = new LongAdder();
    public final LongAdder messagesDeleted = new LongAdder();
    public final LongAdder messagesReturned = new LongAdder();
    public final LongAdder invocationErrors = new LongAdder();

    public LocalEventSourceMapping(SqsAsyncClient sqs, String queueUrl, String queueArn,
            RequestHandler<SQSEvent, SQSBatchResponse> handler, Settings settings) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.queueArn = queueArn;
        this.handler = handler;
        this.settings = settings;
    }

    public LocalEventSourceMapping start() {
        for (int i = 0; i < settings.pollers(); i++) {
            Thread poller = new Thread(this::poll, "event-source-mapping-" + i);
            poller.setDaemon(true);
            pollers.add(poller);
            poller.start();
        }
        return this;
    }

    private void poll() {
        Deque<Message> carried = new ArrayDeque<>();
        while (running) {
            try {
                List<Message> batch = gather(carried);
                if (!batch.isEmpty()) {
                    invoke(batch);
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("event source mapping poll failed: {}", e.toString());
                    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
            }
        }
    }

    private List<Message> gather(Deque<Message> carried) {
        List<Message> batch = new ArrayList<>();
        long bytes = 0;
        long deadline = Long.MAX_VALUE;
        while (running && batch.size() < settings.batchSize()) {
            Message next = carried.poll();
            if (next == null) {
                long remaining = deadline == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : deadline - System.nanoTime();
                if (remaining <= 0) {
                    break;
                }
                int waitSeconds = (int) Math.min(20, TimeUnit.NANOSECONDS.toSeconds(remaining));
                int max = Math.min(10, settings.batchSize() - batch.size());
                List<Message> received = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(max)
                        .waitTimeSeconds(waitSeconds).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).join().messages();
                carried.addAll(received);
                if (received.isEmpty()) {
                    if (!batch.isEmpty() && (settings.batchingWindow().isZero() || waitSeconds == 0)) {
                        break;
                    }
                    continue;
                }
                next = carried.poll();
            }
            long size = next.body().getBytes(StandardCharsets.UTF_8).length + 1024L; // body plus the event's per-record fields
            if (!batch.isEmpty() && bytes + size > MAX_PAYLOAD_BYTES) {
                carried.addFirst(next);
                break;
            }
            batch.add(next);
            bytes += size;
            if (deadline == Long.MAX_VALUE) {
                deadline = System.nanoTime() + settings.batchingWindow().toNanos();
            }
            if (settings.batchingWindow().isZero() && carried.isEmpty()) {
                break;
            }
        }
        return batch;
    }

    private void invoke(List<Message> batch) {
        invocations.increment();
        messagesDelivered.add(batch.size());
        Set<String> failed;
        try {
            SQSBatchResponse response = handler.handleRequest(event(batch), new LocalContext());
            failed = failedIds(response, batch);
        } catch (RuntimeException | Error e) {
            invocationErrors.increment();
            log.warn("invocation failed, all {} messages return to the queue: {}", batch.size(), e.toString());
            failed = null;
        }
        List<Message> done = new ArrayList<>();
        for (Message message : batch) {
            if (failed != null && !failed.contains(message.messageId())) {
                done.add(message);
            }
        }
        messagesReturned.add(batch.size() - done.size());
        for (int i = 0; i < done.size(); i += 10) {
            List<Message> chunk = done.subList(i, Math.min(done.size(), i + 10));
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(chunk.stream()
                    .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                    .toList())).join();
            messagesDeleted.add(chunk.size());
        }
    }

    /** The failed ids, or null when the response fails the whole batch (an id that is missing or not in it). */
    private static Set<String> failedIds(SQSBatchResponse response, List<Message> batch) {
        Set<String> failed = new HashSet<>();
        if (response == null || response.getBatchItemFailures() == null) {
            return failed;
        }
        Set<String> inBatch = new HashSet<>();
        batch.forEach(m -> inBatch.add(m.messageId()));
        for (SQSBatchResponse.BatchItemFailure failure : response.getBatchItemFailures()) {
            String id = failure.getItemIdentifier();
            if (id == null || id.isBlank() || !inBatch.contains(id)) {
                log.warn("batchItemFailures names '{}', not a message of this batch: the whole batch fails", id);
                return null;
            }
            failed.add(id);
        }
        return failed;
    }

    private SQSEvent event(List<Message> batch) {
        List<SQSEvent.SQSMessage> records = new ArrayList<>(batch.size());
        for (Message message : batch) {
            SQSEvent.SQSMessage record = new SQSEvent.SQSMessage();
            record.setMessageId(message.messageId());
            record.setReceiptHandle(message.receiptHandle());
            record.setBody(message.body());
            record.setMd5OfBody(message.md5OfBody());
            Map<String, String> attributes = new HashMap<>();
            message.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
            record.setAttributes(attributes);
            record.setMessageAttributes(Map.of());
            record.setEventSource("aws:sqs");
            record.setEventSourceArn(queueArn);
            record.setAwsRegion(queueArn.split(":").length > 3 ? queueArn.split(":")[3] : "us-east-2");
            records.add(record);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(records);
        return event;
    }

    /** Stops polling; an invocation under way finishes first. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread poller : pollers) {
            poller.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** What a handler can ask the runtime. */
    private static final class LocalContext implements Context {
        private final String requestId = UUID.randomUUID().toString();
        private final long deadline = System.currentTimeMillis() + 60_000;

        @Override public String getAwsRequestId() { return requestId; }
        @Override public String getLogGroupName() { return "/aws/lambda/trinity-beast-queued-writer"; }
        @Override public String getLogStreamName() { return "local"; }
        @Override public String getFunctionName() { return "trinity-beast-queued-writer"; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-2:000000000000:function:trinity-beast-queued-writer"; }
        @Override public com.amazonaws.services.lambda.runtime.CognitoIdentity getIdentity() { return null; }
        @Override public com.amazonaws.services.lambda.runtime.ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return (int) Math.max(0, deadline - System.currentTimeMillis()); }
        @Override public int getMemoryLimitInMB() { return 256; }
        @Override public com.amazonaws.services.lambda.runtime.LambdaLogger getLogger() {
            return new com.amazonaws.services.lambda.runtime.LambdaLogger() {
                @Override public void log(String message) { System.out.print(message); }
                @Override public void log(byte[] message) { System.out.print(new String(message, StandardCharsets.UTF_8)); }
            };
        }
    }
}
