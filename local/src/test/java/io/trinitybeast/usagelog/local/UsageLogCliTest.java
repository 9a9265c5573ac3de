package io.trinitybeast.usagelog.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.peers.LocalSqs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class UsageLogCliTest {

    record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UsageLogCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void theDemoRunsThePipelineIntoADatabaseAndReconciles() throws Exception {
        LocalDatabase.Database database = LocalDatabase.forTests().freshDatabase();
        Run run = run("demo", "--requests", "1500", "--rate", "0", "--concurrency", "8", "--api-keys", "3", "--json",
                "--database-url", database.jdbcUrl());

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode summary = JsonMapper.builder().build().readTree(run.out());
        assertThat(summary.get("requests_answered").asLong()).isEqualTo(1500);
        assertThat(summary.get("offered").asLong()).isEqualTo(1500);
        assertThat(summary.get("sent").asLong()).isEqualTo(1500);
        assertThat(summary.get("stored").asLong()).isEqualTo(1500);
        assertThat(summary.get("counter_total").asLong()).isEqualTo(1500);
        assertThat(summary.get("counters_match_answers_per_key").asBoolean()).isTrue();
        assertThat(summary.get("dead_lettered").asLong()).isZero();
        assertThat(summary.get("reconciled").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "demo --requests 0 | --requests must be at least 1, got 0",
        "demo --concurrency 257 | --concurrency must be in 1-256, got 257",
        "demo --duration-seconds 0 | --duration-seconds must be in 1-3600, got 0",
        "demo --rate -5 | --rate must be 0 (unlimited) or more, got -5",
        "demo --api-keys 0 | --api-keys must be in 1-100000, got 0",
        "demo --pack-bytes 2000000 | sqs_pack_bytes must be an integer 0–1048576",
        "demo --buffer-size 0 | sqs_buffer_size must be an integer > 0",
        "demo --requests lots | Invalid value for option '--requests': 'lots' is not a long",
        "server --queue-url q --port 70000 --database-url jdbc:postgresql://h/d | --port must be in 0-65535, got 70000",
        "server --database-url jdbc:postgresql://h/d | --queue-url is required (or set SQS_USAGE_LOG_QUEUE_URL)",
        "keys create bad/key --owner x --database-url jdbc:postgresql://h/d | API_KEY_ID must be 1-64 of [A-Za-z0-9_.-]",
        "keys create ak_1 --database-url jdbc:postgresql://h/d | Missing required option: '--owner=<owner>'",
        "usage | --database-url is required (or set USAGELOG_DATABASE_URL)",
        "demo --bogus | Unknown option: '--bogus'",
        "frobnicate | Unmatched argument at index 0: 'frobnicate'",
        "demo --writers 0 | --writers must be in 1-64, got 0",
        "demo --database-url mysql://x | --database-url must be a jdbc:postgresql://host:port/database URL",
        "migrate | --database-url is required (or set USAGELOG_DATABASE_URL)",
        "writer --sqs-endpoint http://127.0.0.1:1 --database-url jdbc:postgresql://h/d | Missing required option: '--queue-url=<queueUrl>'",
        "writer --sqs-endpoint http://127.0.0.1:1 --queue-url q --database-url jdbc:postgresql://h/d --batch-size 0 | batch size must be in 1–10000, got 0",
        "dlq list --sqs-endpoint http://127.0.0.1:1 --dlq-url q --max 11 | --max must be in 1-10, got 11",
        "dlq redrive --sqs-endpoint http://127.0.0.1:1 | Missing required option: '--dlq-url=<dlqUrl>'",
        "sqs --port 70000 | --port must be in 0-65535, got 70000",
    })
    void badArgumentsPrintTheReasonAndUsageAndExitNonZero(String args, String message) {
        Run run = run(args.trim().split(" "));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(message).contains("Usage: usagelog");
    }

    @Test
    void migrateBringsADatabaseToTheNewestSchemaAndIsIdempotent() {
        LocalDatabase.Database database = LocalDatabase.forTests().freshDatabase();

        Run first = run("migrate", "--database-url", database.jdbcUrl());
        Run second = run("migrate", "--database-url", database.jdbcUrl());

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("applied 3 migration(s); schema version 3");
        assertThat(second.out()).contains("applied 0 migration(s); schema version 3");
    }

    @Test
    void theDlqCanBeListedAndRedriven() {
        try (LocalSqs sqs = LocalSqs.start(0)) {
            LocalSqs.Queues queues = sqs.provision();
            sqs.client().sendMessage(b -> b.queueUrl(queues.dlqUrl()).messageBody("{\"poison\":true}")).join();
            String endpoint = sqs.endpoint().toString();

            Run list = run("dlq", "list", "--sqs-endpoint", endpoint, "--dlq-url", queues.dlqUrl());
            Run redrive = run("dlq", "redrive", "--sqs-endpoint", endpoint, "--dlq-url", queues.dlqUrl(), "--queue-url", queues.queueUrl());

            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.out()).contains("about 1 message(s)").contains("{\"poison\":true}");
            assertThat(redrive.exitCode()).as(redrive.err()).isZero();
            assertThat(redrive.out()).contains("redrive started from " + queues.dlqArn());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
                    !sqs.client().receiveMessage(b -> b.queueUrl(queues.queueUrl()).waitTimeSeconds(1)).join().messages().isEmpty());
        }
    }

    @Test
    void everyCommandHasHelp() {
        Run top = run("--help");

        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("demo", "writer", "migrate", "dlq").contains("Runs the whole pipeline locally");
        for (String[] command : new String[][] {{"demo"}, {"writer"}, {"migrate"}, {"dlq"}, {"dlq", "list"}, {"dlq", "redrive"},
            {"params"}, {"params", "list"}, {"params", "get"}, {"params", "set"}, {"profiles"}, {"profiles", "list"},
            {"profiles", "show"}, {"profiles", "diff"}, {"profiles", "apply"}, {"server"}, {"keys"}, {"keys", "create"},
            {"usage"}, {"sqs"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            Run help = run(args);
            assertThat(help.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(help.out()).contains("Usage: usagelog " + String.join(" ", command));
        }
    }
}
