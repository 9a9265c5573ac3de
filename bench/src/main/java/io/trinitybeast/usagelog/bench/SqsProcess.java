package io.trinitybeast.usagelog.bench;

import io.trinitybeast.usagelog.local.UsageLogCli;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local SQS ({@code usagelog sqs}) in a JVM of its own, as SQS is a peer of its own in
 * production: its garbage collections and threads no longer pause or crowd the JVM being measured,
 * though it still shares the machine's cores. Its CPU is read from the operating system.
 */
final class SqsProcess implements AutoCloseable {

    private final Process process;
    private final URI endpoint;
    private final String queueUrl;

    private SqsProcess(Process process, URI endpoint, String queueUrl) {
        this.process = process;
        this.endpoint = endpoint;
        this.queueUrl = queueUrl;
    }

    /** {@code usagelog sqs}: ElasticMQ with the production queue and its DLQ. */
    static SqsProcess startLocalSqs() throws Exception {
        return start(UsageLogCli.class.getName(), "sqs", "--port", "0");
    }

    /** {@link InstantSqsEndpoint}: accepts every message at once and keeps nothing. */
    static SqsProcess startInstantEndpoint() throws Exception {
        return start(InstantSqsEndpoint.class.getName());
    }

    private static SqsProcess start(String... mainAndArgs) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(), "-Xms256m", "-Xmx512m", "-cp",
                System.getProperty("java.class.path")));
        command.addAll(List.of(mainAndArgs));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<URI> endpoint = new CompletableFuture<>();
        CompletableFuture<String> queue = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            Pattern endpointLine = Pattern.compile("^local SQS on (\\S+)$");
            Pattern queueLine = Pattern.compile("^queue url: (\\S+)$");
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m;
                    if ((m = endpointLine.matcher(line)).find()) {
                        endpoint.complete(URI.create(m.group(1)));
                    } else if ((m = queueLine.matcher(line)).find()) {
                        queue.complete(m.group(1));
                    }
                }
            } catch (IOException exited) {
                // nothing more to read
            }
            endpoint.completeExceptionally(new IllegalStateException("the SQS process exited before printing its endpoint"));
            queue.completeExceptionally(new IllegalStateException("the SQS process exited before printing its queue"));
        }, "sqs-process-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new SqsProcess(process, endpoint.get(60, TimeUnit.SECONDS), queue.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    URI endpoint() {
        return endpoint;
    }

    String queueUrl() {
        return queueUrl;
    }

    /** CPU the process has used so far, all its threads. */
    long cpuNanos() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
