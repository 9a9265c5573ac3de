package io.trinitybeast.usagelog.bench;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/** An SQS that accepts every batch at once, in-process: what the producer costs with no queue sharing the cores. */
final class StubSqs implements SqsAsyncClient {

    @Override
    public CompletableFuture<SendMessageBatchResponse> sendMessageBatch(SendMessageBatchRequest request) {
        return CompletableFuture.completedFuture(SendMessageBatchResponse.builder()
                .successful(request.entries().stream().map(e -> SendMessageBatchResultEntry.builder().id(e.id()).build()).toList())
                .build());
    }

    @Override
    public String serviceName() {
        return "sqs";
    }

    @Override
    public void close() {
        // nothing held
    }
}
