package io.trinitybeast.usagelog.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
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
    void theDemoSendsRecordsThroughALocalSqsAndReconcilesThem() throws Exception {
        Run run = run("demo", "--records", "3000", "--rate", "0", "--senders", "2", "--buffer-size", "3000", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode summary = JsonMapper.builder().build().readTree(run.out());
        assertThat(summary.get("offered").asLong()).isEqualTo(3000);
        assertThat(summary.get("sent").asLong()).isEqualTo(3000);
        assertThat(summary.get("received_unique").asLong()).isEqualTo(3000);
        assertThat(summary.get("duplicates").asLong()).isZero();
        assertThat(summary.get("reconciled").asBoolean()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "demo --records 0 | --records must be at least 1, got 0",
        "demo --senders 65 | --senders must be in 1-64, got 65",
        "demo --rate -5 | --rate must be 0 (unlimited) or more, got -5",
        "demo --api-keys 0 | --api-keys must be in 1-100000, got 0",
        "demo --pack-bytes 2000000 | sqs_pack_bytes must be an integer 0–1048576",
        "demo --buffer-size 0 | sqs_buffer_size must be an integer > 0",
        "demo --records lots | Invalid value for option '--records': 'lots' is not a long",
        "demo --bogus | Unknown option: '--bogus'",
        "frobnicate | Unmatched argument at index 0: 'frobnicate'",
    })
    void badArgumentsPrintTheReasonAndUsageAndExitNonZero(String args, String message) {
        Run run = run(args.trim().split(" "));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(message).contains("Usage: usagelog");
    }

    @Test
    void everyCommandHasHelp() {
        Run top = run("--help");
        Run demo = run("demo", "--help");

        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("demo").contains("Runs the pipeline locally");
        assertThat(demo.exitCode()).isZero();
        assertThat(demo.out()).contains("--records").contains("--rate").contains("--json");
    }
}
