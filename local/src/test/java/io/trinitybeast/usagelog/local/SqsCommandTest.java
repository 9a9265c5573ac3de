package io.trinitybeast.usagelog.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.trinitybeast.usagelog.peers.LocalSqs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code usagelog sqs} as its own process: what the server and writer commands need to run as separate processes. */
class SqsCommandTest {

    @Test
    void runsTheQueueAndItsDlqUntilSigterm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process sqs = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                UsageLogCli.class.getName(), "sqs", "--port", "0").redirectErrorStream(true).start();
        try {
            Map<String, String> printed = new ConcurrentHashMap<>();
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                Pattern line = Pattern.compile("^(local SQS on|queue url:|dlq url:)\\s+(\\S+)$");
                try (BufferedReader out = new BufferedReader(new InputStreamReader(sqs.getInputStream(), StandardCharsets.UTF_8))) {
                    String text;
                    while ((text = out.readLine()) != null) {
                        Matcher m = line.matcher(text);
                        if (m.find()) {
                            printed.put(m.group(1), m.group(2));
                            if (printed.size() == 3) {
                                ready.countDown();
                            }
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the process exited
                }
            });
            reader.start();
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("endpoint and queue URLs printed").isTrue();

            try (SqsAsyncClient client = LocalSqs.newClient(URI.create(printed.get("local SQS on")), 4)) {
                String queue = printed.get("queue url:");
                Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b.queueUrl(queue)
                        .attributeNames(QueueAttributeName.VISIBILITY_TIMEOUT, QueueAttributeName.REDRIVE_POLICY)).join().attributes();
                assertThat(queue).endsWith("/" + LocalSqs.QUEUE_NAME);
                assertThat(attributes.get(QueueAttributeName.VISIBILITY_TIMEOUT)).isEqualTo("60");
                assertThat(attributes.get(QueueAttributeName.REDRIVE_POLICY)).contains(LocalSqs.QUEUE_NAME + "-dlq")
                        .contains("\"maxReceiveCount\":" + LocalSqs.MAX_RECEIVE_COUNT);
                client.sendMessage(b -> b.queueUrl(queue).messageBody("hello")).join();
                assertThat(client.receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(5)).join().messages())
                        .extracting(m -> m.body()).containsExactly("hello");
            }

            sqs.toHandle().destroy(); // SIGTERM
            assertThat(sqs.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(sqs.exitValue()).isIn(0, 143);
        } finally {
            sqs.destroyForcibly();
        }
    }
}
