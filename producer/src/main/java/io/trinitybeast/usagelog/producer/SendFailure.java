package io.trinitybeast.usagelog.producer;

import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;

/**
 * Why a send failed and whether trying again can help.
 *
 * <p>Retried: throttling, server faults, timeouts, I/O, and whole-call errors an operator can fix
 * while the producer keeps its records (access denied, queue missing): giving up on those would
 * turn a misconfiguration into data loss. Given up: entries SQS refuses for their content
 * (sender faults) and batch-shape errors, which would fail the same way forever.
 */
record SendFailure(String reason, boolean retryable) {

    private static final Set<String> THROTTLING_CODES = Set.of(
            "ThrottlingException", "RequestThrottled", "Throttling", "KmsThrottled", "KMS.ThrottlingException",
            "SlowDown", "TooManyRequestsException");

    /** Errors about the request's shape: the same request can never succeed. */
    private static final Set<String> NEVER_SUCCEEDS = Set.of(
            "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
            "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
            "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
            "InvalidMessageContents", "MessageTooLong");

    static SendFailure of(BatchResultErrorEntry entry) {
        String code = entry.code() == null || entry.code().isBlank() ? "unknown" : entry.code();
        boolean senderFault = Boolean.TRUE.equals(entry.senderFault());
        return new SendFailure(code, THROTTLING_CODES.contains(code) || !senderFault);
    }

    static SendFailure of(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiCallTimeoutException || cause instanceof ApiCallAttemptTimeoutException
                || cause instanceof TimeoutException) {
            return new SendFailure("timeout", true);
        }
        if (cause instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() != null && service.awsErrorDetails().errorCode() != null
                    ? service.awsErrorDetails().errorCode() : "http_" + service.statusCode();
            if (service.isThrottlingException() || THROTTLING_CODES.contains(code) || service.statusCode() >= 500) {
                return new SendFailure(code, true);
            }
            return new SendFailure(code, !NEVER_SUCCEEDS.contains(code));
        }
        if (cause instanceof SdkClientException) {
            return new SendFailure(cause.getMessage() != null && cause.getMessage().contains("timed out") ? "timeout" : "io", true);
        }
        return new SendFailure("client_error", true);
    }
}
