package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.producer.ProducerSqsClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An embedded ElasticMQ on loopback standing in for SQS, provisioned as the seed (and the
 * deployment template) provisions AWS: the standard queue with 4 days' retention and a 60 s
 * visibility timeout, redriving to a dead-letter queue.
 */
public final class LocalSqs implements AutoCloseable {

    public static final String QUEUE_NAME = "trinity-beast-queued-usage-logs";
    public static final String DLQ_NAME = QUEUE_NAME + "-dlq";
    public static final int VISIBILITY_TIMEOUT_SECONDS = 60;
    public static final int RETENTION_SECONDS = 4 * 24 * 3600;
    public static final int MAX_RECEIVE_COUNT = 5;
    public static final Region REGION = Region.US_EAST_2;
    public static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));

    /** Where the queues are. */
    public record Queues(String queueUrl, String dlqUrl, String dlqArn) {}

    private final SQSRestServer server;
    private final int port;
    private final SqsAsyncClient client;

    private LocalSqs(int requestedPort) {
        var builder = SQSRestServerBuilder.withInterface("127.0.0.1").withAWSRegion(REGION.id());
        this.server = (requestedPort == 0 ? builder.withDynamicPort() : builder.withPort(requestedPort)).start();
        this.port = ((InetSocketAddress) server.waitUntilStarted().localAddress()).getPort();
        this.client = newClient(64);
    }

    /** Starts on a free loopback port ({@code port == 0}) or the given one. */
    public static LocalSqs start(int port) {
        return new LocalSqs(port);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public SqsAsyncClient client() {
        return client;
    }

    public SqsAsyncClient newClient(int maxConcurrency) {
        return ProducerSqsClient.create(endpoint(), REGION, CREDENTIALS, maxConcurrency);
    }

    /** Creates the queue and its DLQ as production has them; idempotent. */
    public Queues provision() {
        return provision(QUEUE_NAME, VISIBILITY_TIMEOUT_SECONDS, MAX_RECEIVE_COUNT);
    }

    public Queues provision(String queueName, int visibilityTimeoutSeconds, int maxReceiveCount) {
        String dlqUrl = client.createQueue(b -> b.queueName(queueName + "-dlq").attributes(Map.of(
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(14 * 24 * 3600)))).join().queueUrl();
        String dlqArn = client.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .join().attributes().get(QueueAttributeName.QUEUE_ARN);
        String redrive = "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}";
        String queueUrl = client.createQueue(b -> b.queueName(queueName).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Integer.toString(visibilityTimeoutSeconds),
                QueueAttributeName.MESSAGE_RETENTION_PERIOD, Integer.toString(RETENTION_SECONDS),
                QueueAttributeName.REDRIVE_POLICY, redrive))).join().queueUrl();
        return new Queues(queueUrl, dlqUrl, dlqArn);
    }

    @Override
    public void close() {
        client.close();
        server.stopAndWait();
    }
}
