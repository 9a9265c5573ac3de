package io.trinitybeast.usagelog.producer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trinitybeast.usagelog.envelope.EnvelopeEncoder;
import io.trinitybeast.usagelog.envelope.PayloadCodec;
import io.trinitybeast.usagelog.envelope.PayloadCodecs;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/**
 * The fire-and-forget usage-log producer: request threads hand it records, it delivers them to an
 * SQS standard queue in batches, and it counts everything it cannot deliver.
 *
 * <pre>{@code
 * UsageLogProducer producer = UsageLogProducer.builder()
 *         .sqs(sqsAsyncClient)
 *         .queueUrl(System.getenv("SQS_USAGE_LOG_QUEUE_URL"))
 *         .node("BeastMain")
 *         .parameters(parameterSource)
 *         .meterRegistry(registry)
 *         .start();
 *
 * producer.send("usage_log", new UsageLog("ak_live_abc123", "BTC", "binance", 42, "L1_MEMORY"));
 * ...
 * CloseReport report = producer.close(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>The hot path is {@link #send}: a closed check, a size check and one lock-free enqueue, all
 * of it on the caller's thread and none of it blocking. Everything that may block or take time
 * (encoding, ids, packing, SQS calls, retries) runs on the flusher thread, the SDK's threads and
 * the retry scheduler.
 */
public final class UsageLogProducer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UsageLogProducer.class);

    // ---- hot path: read by every request thread ----
    /** Unbounded itself; bounded by {@link #acceptLimit}, so its capacity can change at runtime without a copy. */
    private final MpscUnboundedXaddArrayQueue<PendingRecord> buffer = new MpscUnboundedXaddArrayQueue<>(8192, 8);
    /**
     * The producer index up to which records are accepted: consumer index + capacity, published by
     * the flusher after each drain. Senders compare against it instead of reading the consumer
     * index, a cache line the flusher writes constantly. It lags the consumer by one drain at most,
     * which only ever makes the bound stricter; concurrent senders can overshoot it by one record
     * each.
     */
    private volatile long acceptLimit;
    private volatile int capacity;
    private volatile boolean closed;
    private final ProducerMetrics metrics;

    // ---- background: flusher thread, SDK threads, retry scheduler ----
    private final Flusher flusher;
    private final Thread flusherThread;
    private final BatchSender sender;
    private final ScheduledExecutorService retryScheduler;
    private final SqsAsyncClient sqs;
    private final boolean closeClient;
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final boolean holdsCrt;
    private volatile CloseReport closeReport;
    private volatile ProducerSettings settings;

    private UsageLogProducer(Builder builder) {
        this.sqs = Objects.requireNonNull(builder.sqs, "sqs client");
        this.holdsCrt = CrtShutdownGuard.acquire();
        this.closeClient = builder.closeClient;
        String queueUrl = builder.queueUrl != null ? builder.queueUrl : System.getenv("SQS_USAGE_LOG_QUEUE_URL");
        if (queueUrl == null || queueUrl.isBlank()) {
            throw new IllegalArgumentException("no queue URL: set SQS_USAGE_LOG_QUEUE_URL or call queueUrl(...)");
        }
        String node = builder.node != null ? builder.node : hostName();
        MeterRegistry registry = builder.meterRegistry != null ? builder.meterRegistry : new SimpleMeterRegistry();
        this.metrics = new ProducerMetrics(registry, buffer::size, () -> capacity,
                this::inFlight, this::pending);
        ParameterResolver parameters = new ParameterResolver(builder.parameters, ProducerSettings.defaults(),
                metrics::parameterRejected);
        ProducerSettings initial = parameters.refresh();
        this.capacity = initial.bufferSize();
        this.acceptLimit = initial.bufferSize();
        this.settings = initial;
        this.retryScheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "usagelog-producer-retry"));
        this.flusherThread = daemon(null, "usagelog-producer-flusher");
        this.sender = new BatchSender(sqs, queueUrl, metrics, retryScheduler, initial,
                () -> LockSupport.unpark(flusherThread));
        this.flusher = new Flusher(buffer, sender, parameters, metrics, this, node, new EnvelopeEncoder(builder.codecs));
        log.info("usage-log producer started: queue {}, node {}, {}", queueUrl, node, initial);
    }

    private Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task != null ? task : () -> flusher.run(), name);
        thread.setDaemon(true);
        return thread;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Hands a record to the pipeline. Never blocks, never throws, never does I/O.
     *
     * @param type    the envelope type, e.g. {@code usage_log}
     * @param payload the payload; its type's {@link PayloadCodec} writes it, or Jackson data binding
     * @return true if accepted; false if dropped (buffer full, closed, null argument), which is counted
     */
    public boolean send(String type, Object payload) {
        if (closed) {
            metrics.droppedClosed.increment();
            return false;
        }
        if (type == null || payload == null) {
            metrics.droppedInvalid.increment();
            return false;
        }
        if (buffer.currentProducerIndex() >= acceptLimit) {
            metrics.droppedBufferFull.increment();
            return false;
        }
        // Counted before it becomes visible, so sent + failed never runs ahead of enqueued.
        metrics.enqueued.increment();
        buffer.relaxedOffer(new PendingRecord(type, payload, System.currentTimeMillis()));
        return true;
    }

    /** The counters now. */
    public ProducerStats stats() {
        return new ProducerStats(metrics.enqueued.sum(), metrics.droppedBufferFull.sum(), metrics.droppedClosed.sum(),
                metrics.droppedInvalid.sum(), metrics.sent.sum(), metrics.failedByReason(), metrics.retriedByReason(),
                pending(), metrics.messagesSent.sum(), metrics.sendCalls.sum());
    }

    private long pending() {
        long failed = 0;
        for (long value : metrics.failedByReason().values()) {
            failed += value;
        }
        return metrics.enqueued.sum() - metrics.sent.sum() - failed;
    }

    private int inFlight() {
        BatchSender batches = sender; // null while the constructor runs
        return batches == null ? 0 : batches.slotsHeld();
    }

    /** Records waiting in the buffer now. */
    public int bufferDepth() {
        return buffer.size();
    }

    void applied(ProducerSettings next) {
        settings = next;
        capacity = next.bufferSize();
        drained();
    }

    /** Called by the flusher after it polled: moves the accept limit up by what it consumed. */
    void drained() {
        acceptLimit = buffer.currentConsumerIndex() + capacity;
    }

    /** The parameter values in force: the last valid value of each, as of the last flusher tick. */
    public ProducerSettings settings() {
        return settings;
    }

    /** Closes with a 10-second deadline. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /**
     * Stops accepting, sends everything buffered, and waits for SQS to confirm it, up to
     * {@code deadline}. What is still unconfirmed then is counted as failed with reason
     * {@code close_deadline} and reported; nothing accepted before close is silently lost.
     * Calling it again returns the first call's report.
     */
    public CloseReport close(Duration deadline) {
        if (!closeStarted.compareAndSet(false, true)) {
            while (closeReport == null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            return closeReport;
        }
        long end = System.nanoTime() + deadline.toNanos();
        closed = true;
        flusher.closing = true;
        LockSupport.unpark(flusherThread);
        boolean settled = false;
        try {
            while (true) {
                if (!flusherThread.isAlive() && sender.slotsHeld() == 0) {
                    settled = true;
                    break;
                }
                if (System.nanoTime() - end >= 0) {
                    break;
                }
                // close() is off the hot path: a short park between checks is the simplest correct wait.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        } finally {
            long unsent = 0;
            if (!settled) {
                flusher.abandoned = true;
                LockSupport.unpark(flusherThread);
                joinQuietly(flusherThread);
                unsent = flusher.abandonRemaining() + sender.abandon();
                if (unsent > 0) {
                    metrics.failed("close_deadline", unsent);
                    log.error("usage-log producer closed with {} records unconfirmed after {}", unsent, deadline);
                }
            }
            retryScheduler.shutdownNow();
            if (closeClient) {
                sqs.close();
            }
            if (holdsCrt) {
                CrtShutdownGuard.release();
            }
            ProducerStats stats = stats();
            closeReport = new CloseReport(stats, unsent, !settled);
            log.info("usage-log producer closed: {}", stats);
        }
        return closeReport;
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown-node";
        }
    }

    private void startFlusher() {
        flusherThread.start();
    }

    /** Configures and starts a producer. */
    public static final class Builder {
        private SqsAsyncClient sqs;
        private boolean closeClient;
        private String queueUrl;
        private String node;
        private ParameterSource parameters = ParameterSource.defaults();
        private MeterRegistry meterRegistry;
        private PayloadCodecs codecs = PayloadCodecs.standard();

        private Builder() {}

        /** The SQS client; see {@link ProducerSqsClient} for one tuned for this producer. */
        public Builder sqs(SqsAsyncClient client) {
            this.sqs = client;
            return this;
        }

        /** Whether close() closes the SQS client too (default false: the caller owns it). */
        public Builder closeClient(boolean closeClient) {
            this.closeClient = closeClient;
            return this;
        }

        /** The queue URL; defaults to the environment's {@code SQS_USAGE_LOG_QUEUE_URL}. */
        public Builder queueUrl(String queueUrl) {
            this.queueUrl = queueUrl;
            return this;
        }

        /** The envelope's {@code node}; defaults to the host name. */
        public Builder node(String node) {
            if (node == null || node.isEmpty() || node.length() > 128 || node.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("node must be 1..128 characters without control characters");
            }
            this.node = node;
            return this;
        }

        public Builder parameters(ParameterSource source) {
            this.parameters = Objects.requireNonNull(source, "parameters");
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /** Registers a codec for a further payload type (usage_log is always known). */
        public Builder codec(PayloadCodec<?> codec) {
            this.codecs.register(codec);
            return this;
        }

        public UsageLogProducer start() {
            UsageLogProducer producer = new UsageLogProducer(this);
            producer.startFlusher();
            return producer;
        }
    }
}
