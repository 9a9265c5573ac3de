package io.trinitybeast.usagelog.peers;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An embedded ElasticMQ on loopback standing in for SQS, provisioned as the seed (and the
 * deployment template) provisions AWS: the standard queue with 4 days' retention and a 60 s
 * visibility timeout, redriving to a dead-letter queue after {@value #MAX_RECEIVE_COUNT} receives.
 */
public final class LocalSqs implements AutoCloseable {

    public static final String QUEUE_NAME = "trinity-beast-queued-usage-logs";
    public static final int VISIBILITY_TIMEOUT_SECONDS = 60;
    public static final int RETENTION_SECONDS = 4 * 24 * 3600;
    public static final int DLQ_RETENTION_SECONDS = 14 * 24 * 3600;
    public static final int MAX_RECEIVE_COUNT = 5;
    public static final Region REGION = Region.US_EAST_2;
    public static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    /** Where a queue and its dead-letter queue are. */
    public record Queues(String queueUrl, String queueArn, String dlqUrl, String dlqArn) {}

    private final int port;
    private SQSRestServer server;
    private final SqsAsyncClient client;

    private LocalSqs(int requestedPort) {
        this.server = startServer(requestedPort);
        this.port = ((InetSocketAddress) server.waitUntilStarted().localAddress()).getPort();
        this.client = newClient(64);
    }

    /** Starts on a free loopback port ({@code port == 0}) or the given one. */
    public static LocalSqs start(int port) {
        return new LocalSqs(port);
    }

    private static SQSRestServer startServer(int port) {
        var builder = SQSRestServerBuilder.withInterface("127.0.0.1").withAWSRegion(REGION.id());
        return (port == 0 ? builder.withDynamicPort() : builder.withPort(port)).start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A shared client for reads, provisioning and tests. */
    public SqsAsyncClient client() {
        return client;
    }

    /** A new client (CRT HTTP, no SDK retries) that the caller owns. */
    public SqsAsyncClient newClient(int maxConcurrency) {
        return newClient(endpoint(), maxConcurrency);
    }

    /** A client for any SQS-compatible endpoint, as the local tools build them. */
    public static SqsAsyncClient newClient(URI endpoint, int maxConcurrency) {
        return SqsAsyncClient.builder()
                .endpointOverride(endpoint).region(REGION).credentialsProvider(CREDENTIALS)
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder().maxConcurrency(maxConcurrency)
                        .connectionTimeout(Duration.ofSeconds(2)))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    /** Creates the production queue and its DLQ; idempotent. */
    public Queues provision() {
        return provision(QUEUE_NAME, VISIBILITY_TIMEOUT_SECONDS, MAX_RECEIVE_COUNT);
    }

    /** Creates a queue and its DLQ ({@code name-dlq}) with a redrive policy; idempotent. */
    public Queues provision(String queueName, int visibilityTimeoutSeconds, int maxReceiveCount) {
        String dlqUrl = client.createQueue(b -> b.queueName(queueName + "-dlq").attributes(Map.of(
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(DLQ_RETENTION_SECONDS)))).join().queueUrl();
        String dlqArn = arn(dlqUrl);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        String queueUrl = client.createQueue(b -> b.queueName(queueName).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeoutSeconds),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(RETENTION_SECONDS),
                QueueAttributeName.REDRIVE_POLICY, redrive))).join().queueUrl();
        return new Queues(queueUrl, arn(queueUrl), dlqUrl, dlqArn);
    }

    /** A plain queue without a DLQ. */
    public String createQueue(String name) {
        return client.createQueue(b -> b.queueName(name).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(VISIBILITY_TIMEOUT_SECONDS),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(RETENTION_SECONDS)))).join().queueUrl();
    }

    public String arn(String queueUrl) {
        return client.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .join().attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** Stops the server, as an SQS outage looks to a client. */
    public void stopServer() {
        server.stopAndWait();
    }

    /** Starts it again on the same port; its queues are gone and must be created again. */
    public void restartServer() {
        server = startServer(port);
        server.waitUntilStarted();
    }

    @Override
    public void close() {
        client.close();
        server.stopAndWait();
    }
}
