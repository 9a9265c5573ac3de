package io.trinitybeast.usagelog.producer;

import io.trinitybeast.usagelog.envelope.EnvelopeDecoder;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.MalformedMessageException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A real ElasticMQ on loopback for tests and benchmarks, with an SDK client pointed at it and
 * helpers to drain what arrived.
 */
public final class EmbeddedSqs implements AutoCloseable {

    public static final Region REGION = Region.US_EAST_2;
    public static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    private final int port;
    private SQSRestServer server;
    private final SqsAsyncClient client;

    private EmbeddedSqs(int requestedPort) {
        this.server = startServer(requestedPort);
        this.port = ((InetSocketAddress) server.waitUntilStarted().localAddress()).getPort();
        this.client = ProducerSqsClient.create(endpoint(), REGION, CREDENTIALS, 64);
    }

    public static EmbeddedSqs start() {
        return new EmbeddedSqs(0);
    }

    private static SQSRestServer startServer(int port) {
        var builder = SQSRestServerBuilder.withInterface("127.0.0.1").withAWSRegion(REGION.id());
        return (port == 0 ? builder.withDynamicPort() : builder.withPort(port)).start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client for the test's own reads; the producer under test gets its own or a wrapper. */
    public SqsAsyncClient client() {
        return client;
    }

    public SqsAsyncClient newClient() {
        return ProducerSqsClient.create(endpoint(), REGION, CREDENTIALS, 64);
    }

    public String createQueue(String name) {
        return client.createQueue(b -> b.queueName(name).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, "60",
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, "345600"))).join().queueUrl();
    }

    /** Stops the server, as an SQS outage would look to a client. */
    public void stopServer() {
        server.stopAndWait();
    }

    /** Starts it again on the same port; queues are gone and must be created again. */
    public void restartServer() {
        server = startServer(port);
        server.waitUntilStarted();
    }

    /** Receives and deletes what is available now (one long poll of {@code wait} when empty). */
    public List<Message> receiveAndDelete(String queueUrl, Duration wait) {
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
        client.close();
        server.stopAndWait();
    }
}
