package io.trinitybeast.usagelog.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.trinitybeast.usagelog.envelope.EnvelopeDecoder;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import io.trinitybeast.usagelog.server.ApiKeys;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

/** The price server as its own process, stopped with SIGTERM under load: every answered request's record reaches the queue. */
class ServerSigtermTest {

    @Test
    void sigtermUnderLoadLosesNothingTheServerAnswered() throws Exception {
        try (LocalSqs sqs = LocalSqs.start(0)) {
            String queue = sqs.createQueue("sigterm");
            LocalDatabase.Database database = LocalDatabase.forTests().freshDatabase();
            UsageLogSchema.migrate(database.dataSource());
            String secret;
            try (Connection c = database.connect()) {
                secret = ApiKeys.create(c, "ak_sigterm", "test");
            }
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process server = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    UsageLogCli.class.getName(), "server", "--sqs-endpoint", sqs.endpoint().toString(), "--queue-url", queue,
                    "--database-url", database.jdbcUrl(), "--port", "0", "--node", "sigterm-test")
                    .redirectErrorStream(true).start();
            BufferedReader output = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Integer> port = new CompletableFuture<>();
            StringBuilder log = new StringBuilder();
            Thread reader = new Thread(() -> {
                Pattern listening = Pattern.compile("price server on http://127\\.0\\.0\\.1:(\\d+)");
                try {
                    String line;
                    while ((line = output.readLine()) != null) {
                        log.append(line).append('\n');
                        Matcher m = listening.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the process has exited and its output is gone: all of it was read
                }
            });
            reader.start();
            int serverPort = port.get(60, TimeUnit.SECONDS);

            HttpLoad load = new HttpLoad(URI.create("http://127.0.0.1:" + serverPort), List.of(new HttpLoad.Key("ak_sigterm", secret)));
            Thread traffic = new Thread(() -> {
                try {
                    load.run(Long.MAX_VALUE, 0, 8, Duration.ofSeconds(60));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            traffic.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.answered.sum() >= 2_000);

            server.toHandle().destroy(); // SIGTERM, leaving the output stream open to read the stop report
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.errors.sum() > 0);
            load.stop();
            traffic.join(30_000);
            reader.join(10_000);

            long answered = load.answered.sum();
            assertThat(log.toString()).contains("stopped: ProducerStats");
            assertThat(load.errors.sum()).as("requests refused after the stop").isPositive();
            EnvelopeDecoder decoder = new EnvelopeDecoder();
            AtomicLong onQueue = new AtomicLong();
            System.out.println("answered " + answered + "; server said:\n" + log);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                List<Message> got = sqs.client().receiveMessage(b -> b.queueUrl(queue).maxNumberOfMessages(10)).join().messages();
                for (Message m : got) {
                    onQueue.addAndGet(decoder.decode(m.body()).envelopes().size());
                    sqs.client().deleteMessage(b -> b.queueUrl(queue).receiptHandle(m.receiptHandle())).join();
                }
                return got.isEmpty() && onQueue.get() >= answered;
            });
            assertThat(onQueue.get()).as("records on the queue = requests answered").isEqualTo(answered);
        }
    }
}
