package io.trinitybeast.usagelog.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntPredicate;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * A real SQS client with faults in front of it: ElasticMQ never throttles and never fails an entry
 * on the server's side, so this produces what real SQS does under load. Faults queued with
 * {@link #next} apply to the next calls, one each; {@link #always} to every call after.
 */
public final class FaultInjectingSqs implements SqsAsyncClient {

    /** What one SendMessageBatch call does instead of (or around) the real one. */
    @FunctionalInterface
    public interface Fault {
        CompletableFuture<SendMessageBatchResponse> apply(SendMessageBatchRequest request,
                Function<SendMessageBatchRequest, CompletableFuture<SendMessageBatchResponse>> real);
    }

    private final SqsAsyncClient delegate;
    private final Queue<Fault> scripted = new ConcurrentLinkedQueue<>();
    private volatile Fault always;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    public final List<SendMessageBatchRequest> calls = new CopyOnWriteArrayList<>();

    public FaultInjectingSqs(SqsAsyncClient delegate) {
        this.delegate = delegate;
    }

    public FaultInjectingSqs next(Fault fault) {
        scripted.add(fault);
        return this;
    }

    public FaultInjectingSqs always(Fault fault) {
        this.always = fault;
        return this;
    }

    public int maxInFlightSeen() {
        return maxInFlight.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void resetMaxInFlight() {
        maxInFlight.set(inFlight.get());
    }

    @Override
    public CompletableFuture<SendMessageBatchResponse> sendMessageBatch(SendMessageBatchRequest request) {
        calls.add(request);
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        Fault fault = scripted.poll();
        if (fault == null) {
            fault = always;
        }
        CompletableFuture<SendMessageBatchResponse> result;
        try {
            result = fault == null ? delegate.sendMessageBatch(request) : fault.apply(request, delegate::sendMessageBatch);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((r, e) -> inFlight.decrementAndGet());
    }

    // ---- faults ----

    /** The whole call fails as SQS fails a throttled request. */
    public static Fault throttled() {
        return (request, real) -> CompletableFuture.failedFuture(exception("RequestThrottled", 400));
    }

    public static Fault serviceError(String code, int status) {
        return (request, real) -> CompletableFuture.failedFuture(exception(code, status));
    }

    /**
     * Entries at the chosen indexes fail inside an HTTP 200 with this code; the others really go
     * to the queue, and the answer merges both, as SQS's partial failures do.
     */
    public static Fault failEntries(IntPredicate which, String code, boolean senderFault) {
        return (request, real) -> {
            List<SendMessageBatchRequestEntry> forwarded = new ArrayList<>();
            List<BatchResultErrorEntry> failed = new ArrayList<>();
            for (int i = 0; i < request.entries().size(); i++) {
                SendMessageBatchRequestEntry entry = request.entries().get(i);
                if (which.test(i)) {
                    failed.add(BatchResultErrorEntry.builder().id(entry.id()).code(code).senderFault(senderFault)
                            .message("injected " + code).build());
                } else {
                    forwarded.add(entry);
                }
            }
            if (forwarded.isEmpty()) {
                return CompletableFuture.completedFuture(SendMessageBatchResponse.builder().failed(failed).build());
            }
            return real.apply(request.toBuilder().entries(forwarded).build())
                    .thenApply(response -> response.toBuilder().failed(concat(response.failed(), failed)).build());
        };
    }

    /** The call reaches SQS only after {@code millis}, as on a slow network. */
    public static Fault delayed(long millis) {
        Executor later = CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS);
        return (request, real) -> CompletableFuture.supplyAsync(() -> request, later).thenCompose(real);
    }

    /** The call hangs until {@code gate} completes, then really goes to SQS. */
    public static Fault heldUntil(CompletableFuture<Void> gate) {
        return (request, real) -> gate.thenCompose(ignored -> real.apply(request));
    }

    private static SqsException exception(String code, int status) {
        return (SqsException) SqsException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("injected " + code).build())
                .message("injected " + code).build();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        // the delegate belongs to the test fixture
    }
}
