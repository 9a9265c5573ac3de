package io.trinitybeast.usagelog.producer;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The producer's counters, exact to the record. Hot-path counters are {@link LongAdder}s (no
 * contended cache line between request threads), exported to Micrometer as function counters so
 * that an operator's scrape and {@link ProducerStats} read the same numbers.
 */
final class ProducerMetrics {

    static final String PREFIX = "usagelog.producer.";

    final LongAdder enqueued = new LongAdder();
    final LongAdder droppedBufferFull = new LongAdder();
    final LongAdder droppedClosed = new LongAdder();
    final LongAdder droppedInvalid = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder messagesSent = new LongAdder();
    final LongAdder sendCalls = new LongAdder();
    private final Map<String, LongAdder> failed = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> retried = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> parameterRejected = new ConcurrentHashMap<>();

    private final MeterRegistry registry;
    final DistributionSummary recordsPerMessage;
    final DistributionSummary messagesPerBatch;
    final Timer sendLatency;

    ProducerMetrics(MeterRegistry registry, Supplier<Number> bufferDepth, Supplier<Number> bufferCapacity,
            Supplier<Number> inFlight, Supplier<Number> pending) {
        this.registry = registry;
        counter("enqueued", "Records accepted into the buffer", enqueued, null);
        counter("dropped", "Records refused by send(): buffer full", droppedBufferFull, "buffer_full");
        counter("dropped", "Records refused by send(): producer closed", droppedClosed, "closed");
        counter("dropped", "Records refused by send(): null type or payload", droppedInvalid, "invalid");
        counter("sent", "Records SQS confirmed", sent, null);
        FunctionCounter.builder(PREFIX + "messages.sent", messagesSent, LongAdder::doubleValue)
                .description("SQS messages SQS confirmed").register(registry);
        FunctionCounter.builder(PREFIX + "batch.calls", sendCalls, LongAdder::doubleValue)
                .description("SendMessageBatch calls made, retries included").register(registry);
        Gauge.builder(PREFIX + "buffer.depth", bufferDepth).description("Records waiting in the buffer").register(registry);
        Gauge.builder(PREFIX + "buffer.capacity", bufferCapacity).description("sqs_buffer_size in force").register(registry);
        Gauge.builder(PREFIX + "inflight", inFlight).description("SendMessageBatch calls in flight or awaiting retry").register(registry);
        Gauge.builder(PREFIX + "pending", pending)
                .description("Records accepted and not yet sent, failed or dropped: buffer, assembly, in flight, retrying")
                .register(registry);
        recordsPerMessage = DistributionSummary.builder(PREFIX + "records.per.message")
                .description("Records packed into one SQS message").register(registry);
        messagesPerBatch = DistributionSummary.builder(PREFIX + "messages.per.batch")
                .description("Messages in one SendMessageBatch call").register(registry);
        sendLatency = Timer.builder(PREFIX + "send.latency").description("SendMessageBatch call latency")
                .publishPercentiles(0.5, 0.99, 0.999).register(registry);
    }

    private void counter(String name, String description, LongAdder adder, String reason) {
        FunctionCounter.Builder<LongAdder> builder = FunctionCounter.builder(PREFIX + name, adder, LongAdder::doubleValue)
                .description(description);
        if (reason != null) {
            builder.tag("reason", reason);
        }
        builder.register(registry);
    }

    void failed(String reason, long records) {
        reasonCounter(failed, "failed", "Records that can never be sent, by reason", reason).add(records);
    }

    void retried(String reason, long records) {
        reasonCounter(retried, "retried", "Records re-sent after a retryable failure, by reason", reason).add(records);
    }

    void parameterRejected(ProducerParameter parameter) {
        parameterRejected.computeIfAbsent(parameter.parameterName(), name -> {
            LongAdder adder = new LongAdder();
            FunctionCounter.builder(PREFIX + "parameter.rejected", adder, LongAdder::doubleValue)
                    .description("Invalid parameter values rejected, last valid value kept")
                    .tag("parameter", name).register(registry);
            return adder;
        }).increment();
    }

    private LongAdder reasonCounter(Map<String, LongAdder> counters, String name, String description, String reason) {
        LongAdder adder = counters.get(reason);
        if (adder != null) {
            return adder;
        }
        return counters.computeIfAbsent(reason, r -> {
            LongAdder created = new LongAdder();
            FunctionCounter.builder(PREFIX + name, created, LongAdder::doubleValue).description(description)
                    .tag("reason", r).register(registry);
            return created;
        });
    }

    static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((reason, adder) -> copy.put(reason, adder.sum()));
        return copy;
    }

    Map<String, Long> failedByReason() {
        return snapshot(failed);
    }

    Map<String, Long> retriedByReason() {
        return snapshot(retried);
    }
}
