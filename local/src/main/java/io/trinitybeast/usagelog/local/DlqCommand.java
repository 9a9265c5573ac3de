package io.trinitybeast.usagelog.local;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Lists and redrives the dead-letter queue.",
        subcommands = {DlqCommand.ListMessages.class, DlqCommand.Redrive.class})
final class DlqCommand {

    /** Where the dead-letter queue is. */
    static final class DlqOptions {
        @Mixin
        SqsOptions sqs;

        @Option(names = "--dlq-url", required = true, description = "The dead-letter queue.")
        String dlqUrl;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Shows the messages waiting in the DLQ without consuming them.")
    static final class ListMessages implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DlqOptions dlq;

        @Option(names = "--max", defaultValue = "10", description = "Messages to show, 1-10 (default: ${DEFAULT-VALUE}).")
        int max;

        @Override
        public Integer call() {
            if (max < 1 || max > 10) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max must be in 1-10, got " + max);
            }
            PrintWriter out = spec.commandLine().getOut();
            try (SqsAsyncClient client = dlq.sqs.client(4)) {
                Map<QueueAttributeName, String> attributes = client.getQueueAttributes(b -> b.queueUrl(dlq.dlqUrl)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).join().attributes();
                out.printf("%s: about %s message(s)%n", dlq.dlqUrl, attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
                // Visibility 0: a look, not a receive that would hide the messages from a redrive.
                List<Message> messages = client.receiveMessage(b -> b.queueUrl(dlq.dlqUrl).maxNumberOfMessages(max).visibilityTimeout(0)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).join().messages();
                for (Message m : messages) {
                    String sent = m.attributesAsStrings().get("SentTimestamp");
                    out.printf("- %s  sent %s  received %s time(s)%n  %s%n", m.messageId(),
                            sent == null ? "?" : Instant.ofEpochMilli(Long.parseLong(sent)),
                            m.attributesAsStrings().getOrDefault("ApproximateReceiveCount", "?"),
                            m.body().length() > 300 ? m.body().substring(0, 300) + "… (" + m.body().length() + " chars)" : m.body());
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "redrive", mixinStandardHelpOptions = true,
            description = "Moves the DLQ's messages back to their source queue (StartMessageMoveTask).")
    static final class Redrive implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        DlqOptions dlq;

        @Option(names = "--queue-url", description = "Where to move them (default: the queue each came from).")
        String queueUrl;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (SqsAsyncClient client = dlq.sqs.client(4)) {
                String dlqArn = arn(client, dlq.dlqUrl);
                String destination = queueUrl == null ? null : arn(client, queueUrl);
                String handle = client.startMessageMoveTask(b -> b.sourceArn(dlqArn).destinationArn(destination)).join().taskHandle();
                out.printf("redrive started from %s%s (task %s)%n", dlqArn, destination == null ? "" : " to " + destination, handle);
            }
            out.flush();
            return 0;
        }

        private static String arn(SqsAsyncClient client, String url) {
            return client.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN)).join()
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
        }
    }
}
