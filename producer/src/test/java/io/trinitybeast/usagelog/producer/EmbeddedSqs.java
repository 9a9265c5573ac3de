package io.trinitybeast.usagelog.producer;

import io.trinitybeast.usagelog.envelope.EnvelopeDecoder;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.MalformedMessageException;
import com.fasterxml.jackson.databind.JsonNode;
import io.trinitybeast.usagelog.peers.LocalSqs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/** The local SQS for the producer's tests, with helpers to drain what arrived and read it back. */
public final class EmbeddedSqs implements AutoCloseable {

    private final LocalSqs sqs = LocalSqs.start(0);

    private EmbeddedSqs() {}

    public static EmbeddedSqs start() {
        return new EmbeddedSqs();
    }

    /** A client for the test's own reads; the producer under test gets its own or a wrapper. */
    public SqsAsyncClient client() {
        return sqs.client();
    }

    public SqsAsyncClient newClient() {
        return sqs.newClient(64);
    }

    public String createQueue(String name) {
        return sqs.createQueue(name);
    }

    public void stopServer() {
        sqs.stopServer();
    }

    public void restartServer() {
        sqs.restartServer();
    }

    /** Receives and deletes what is available now (one long poll of {@code wait} when empty). */
    public List<Message> receiveAndDelete(String queueUrl, Duration wait) {
        SqsAsyncClient client = sqs.client();
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> got = client.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(all.isEmpty() ? (int) wait.toSeconds() : 0)).join().messages();
            if (got.isEmpty()) {
                return all;
            }
            all.addAll(got);
            client.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(got.stream()
                    .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                    .toList())).join();
        }
    }

    /** Every envelope in these messages, packed or not; fails on any rejected record. */
    public static List<Envelope<JsonNode>> envelopes(List<Message> messages) {
        EnvelopeDecoder decoder = new EnvelopeDecoder();
        List<Envelope<JsonNode>> envelopes = new ArrayList<>();
        for (Message message : messages) {
            try {
                EnvelopeDecoder.DecodedMessage decoded = decoder.decode(message.body());
                if (!decoded.rejected().isEmpty()) {
                    throw new AssertionError("rejected records: " + decoded.rejected());
                }
                envelopes.addAll(decoded.envelopes());
            } catch (MalformedMessageException e) {
                throw new AssertionError("malformed body: " + message.body(), e);
            }
        }
        return envelopes;
    }

    @Override
    public void close() {
        sqs.close();
    }
}
