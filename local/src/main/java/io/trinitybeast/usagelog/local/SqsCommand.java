package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalSqs;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The local SQS on its own, for running the server and the writer as separate processes: the
 * production queue and its DLQ, as the deployment template provisions them, until SIGTERM or Ctrl-C.
 * Messages live in memory only; they are gone when it stops.
 */
@Command(name = "sqs", mixinStandardHelpOptions = true,
        description = "Runs the local SQS (embedded ElasticMQ on loopback) with the usage-log queue and its DLQ until"
                + " SIGTERM or Ctrl-C; prints the endpoint and the queue URLs the other commands take.")
final class SqsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "9324", description = "Port, 0-65535; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65_535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be in 0-65535, got " + port);
        }
        LocalSqs sqs = LocalSqs.start(port);
        LocalSqs.Queues queues = sqs.provision();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("local SQS on %s%n", sqs.endpoint());
        out.printf("queue url: %s%n", queues.queueUrl());
        out.printf("dlq url:   %s%n", queues.dlqUrl());
        out.printf("e.g. ./usagelog server --sqs-endpoint %s --queue-url %s --database-url <jdbc url>%n", sqs.endpoint(),
                queues.queueUrl());
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sqs.close();
            stopped.countDown();
        }, "local-sqs-stop"));
        stopped.await();
        return 0;
    }
}
