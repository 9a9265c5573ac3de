package io.trinitybeast.usagelog.local;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trinitybeast.usagelog.parameters.DatabaseParameterSource;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import io.trinitybeast.usagelog.server.ApiKeys;
import io.trinitybeast.usagelog.server.PriceCache;
import io.trinitybeast.usagelog.server.PriceServer;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Runs the price server against a real SQS endpoint and database until SIGTERM or Ctrl-C,",
            "then drains requests in flight and flushes the producer."})
final class ServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SqsOptions sqs;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--queue-url", description = "The usage-log queue (default: $SQS_USAGE_LOG_QUEUE_URL).")
    String queueUrl;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port, 0-65535; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--node", description = "The node name in usage records (default: the host name).")
    String node;

    @Option(names = "--drain-seconds", defaultValue = "20", description = "How long a stop may take, 1-300 (default: ${DEFAULT-VALUE}).")
    int drainSeconds;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in 0-65535, got " + port);
        }
        if (drainSeconds < 1 || drainSeconds > 300) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--drain-seconds must be in 1-300, got " + drainSeconds);
        }
        String queue = queueUrl != null ? queueUrl : System.getenv("SQS_USAGE_LOG_QUEUE_URL");
        if (queue == null || queue.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--queue-url is required (or set SQS_USAGE_LOG_QUEUE_URL)");
        }
        LocalDatabase.Database db = database.database(spec.commandLine(), true);
        PrintWriter out = spec.commandLine().getOut();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DatabaseParameterSource parameters = DatabaseParameterSource.start(db::connect, Duration.ofSeconds(5));
        parameters.awaitLoaded(Duration.ofSeconds(10));
        UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.producerClient(64)).closeClient(true).queueUrl(queue)
                .node(node != null ? node : InetAddress.getLocalHost().getHostName()).parameters(parameters)
                .meterRegistry(registry).start();
        PriceServer server = PriceServer.start(host, port, PriceCache.demo(), ApiKeys.load(db::connect, 30), producer, registry);
        out.printf("price server on http://%s:%d (GET /v1/price/{asset}?source=binance with X-API-Key; /health; /metrics)%n", host,
                server.port());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            CloseReport report = server.stop(Duration.ofSeconds(drainSeconds));
            out.printf("stopped: %s%n", report.stats());
            out.flush();
            stopped.countDown();
        }, "price-server-stop"));
        stopped.await();
        parameters.close();
        return 0;
    }
}
