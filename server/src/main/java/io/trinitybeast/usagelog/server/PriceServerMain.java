package io.trinitybeast.usagelog.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trinitybeast.usagelog.parameters.DatabaseParameterSource;
import io.trinitybeast.usagelog.producer.ProducerSqsClient;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The price server's entry point in a container (ECS), configured from the environment:
 *
 * <ul>
 *   <li>{@code SQS_USAGE_LOG_QUEUE_URL}: the queue (the stack's output);</li>
 *   <li>{@code USAGELOG_DATABASE_URL}, {@code USAGELOG_DATABASE_USER}, {@code USAGELOG_DATABASE_PASSWORD}:
 *       Aurora, for API keys and parameters (ECS injects the password from Secrets Manager);</li>
 *   <li>{@code PORT} (8080), {@code HOST} (0.0.0.0), {@code NODE} (the host name);</li>
 *   <li>AWS region and credentials: the SDK's default chains (the task role); {@code SQS_ENDPOINT} points
 *       it at a local SQS instead, to try the artifact out.</li>
 * </ul>
 *
 * Run: {@code java -cp "usagelog-server.jar:lib/*" io.trinitybeast.usagelog.server.PriceServerMain}.
 * SIGTERM (ECS stopping the task) drains requests in flight and flushes the producer.
 */
public final class PriceServerMain {

    private PriceServerMain() {}

    public static void main(String[] args) throws Exception {
        String queueUrl = required("SQS_USAGE_LOG_QUEUE_URL");
        String databaseUrl = required("USAGELOG_DATABASE_URL");
        DatabaseParameterSource.ConnectionFactory connections = () -> connect(databaseUrl);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DatabaseParameterSource parameters = DatabaseParameterSource.start(connections, Duration.ofSeconds(5));
        parameters.awaitLoaded(Duration.ofSeconds(10));
        String localSqs = System.getenv("SQS_ENDPOINT"); // a local SQS (ElasticMQ) for trying the artifact out
        var sqs = localSqs == null || localSqs.isBlank() ? ProducerSqsClient.create(64)
                : ProducerSqsClient.create(java.net.URI.create(localSqs), software.amazon.awssdk.regions.Region.of(env("AWS_REGION", "us-east-2")),
                        software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")), 64);
        UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs).closeClient(true)
                .queueUrl(queueUrl).node(env("NODE", InetAddress.getLocalHost().getHostName())).parameters(parameters)
                .meterRegistry(registry).start();
        PriceServer server = PriceServer.start(env("HOST", "0.0.0.0"), Integer.parseInt(env("PORT", "8080")), PriceCache.demo(),
                ApiKeys.load(connections, 30), producer, registry);
        System.out.println("price server listening on port " + server.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("stopped: " + server.stop(Duration.ofSeconds(20)).stats());
            stopped.countDown();
        }, "price-server-stop"));
        stopped.await();
    }

    private static Connection connect(String url) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", env("USAGELOG_DATABASE_USER", "postgres"));
        String password = System.getenv("USAGELOG_DATABASE_PASSWORD");
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "trinity-beast-price-server");
        return DriverManager.getConnection(url, properties);
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            System.err.println("price server: set " + name);
            System.exit(2);
        }
        return value;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
