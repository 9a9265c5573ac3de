package io.trinitybeast.usagelog.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** {@code usagelog params ...} and {@code usagelog profiles ...} against a real, migrated database. */
class ParamsCliTest {

    private String url;

    record Run(int exitCode, String out, String err) {}

    private Run run(String... args) {
        String[] withDatabase = java.util.Arrays.copyOf(args, args.length + 2);
        withDatabase[args.length] = "--database-url";
        withDatabase[args.length + 1] = url;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = UsageLogCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(withDatabase), out.toString(), err.toString());
    }

    @BeforeEach
    void migratedDatabase() {
        url = LocalDatabase.forTests().freshDatabase().jdbcUrl();
        assertThat(run("migrate").exitCode()).isZero();
    }

    @Test
    void setGetAndListAParameter() {
        Run set = run("params", "set", "sqs_flush_ms", "250", "--actor", "alice");
        Run get = run("params", "get", "sqs_flush_ms");
        Run list = run("params", "list");

        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).contains("sqs_flush_ms: 100 -> 250");
        assertThat(get.out().strip()).isEqualTo("250");
        assertThat(list.out()).contains("sqs_flush_ms").contains("alice").contains("sqs_batch_size").contains("1–10");
    }

    @ParameterizedTest
    @EnumSource(ProducerParameter.class)
    void anOutOfRangeValueIsRefusedNamingTheParameterAndItsRange(ProducerParameter parameter) {
        Run run = run("params", "set", parameter.parameterName(), Long.toString(parameter.min() - 1));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(parameter.parameterName() + " must be an integer " + parameter.range());
        assertThat(run("params", "get", parameter.parameterName()).out().strip()).isEqualTo(Long.toString(parameter.defaultValue()));
    }

    @Test
    void unknownNamesAreClearErrors() {
        assertThat(run("params", "get", "sqs_nope").err()).contains("unknown parameter 'sqs_nope'");
        assertThat(run("params", "set", "sqs_nope", "1").err()).contains("unknown parameter 'sqs_nope'");
        assertThat(run("profiles", "show", "nope").err()).contains("no profile named 'nope'");
        assertThat(run("profiles", "apply", "nope").exitCode()).isEqualTo(2);
        Run demo = run("demo", "--profile", "nope", "--requests", "1");
        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.err()).contains("no profile named 'nope' (see 'usagelog profiles list')");
    }

    @Test
    void profilesCanBeListedShownComparedAndApplied() {
        Run list = run("profiles", "list");
        Run show = run("profiles", "show", "stress");
        Run diff = run("profiles", "diff", "stress");
        Run apply = run("profiles", "apply", "stress", "--actor", "ops");
        Run after = run("profiles", "diff", "stress");

        assertThat(list.out().lines()).hasSize(16);
        assertThat(show.out()).contains("stress (stress)").contains("sqs_flush_ms           50").contains("sqs_buffer_size        100000");
        assertThat(diff.out()).contains("sqs_flush_ms           100 -> 50").contains("sqs_buffer_size        50000 -> 100000");
        assertThat(apply.out()).contains("applied stress: 3 parameter(s) changed");
        assertThat(after.out()).contains("stress: in force already, nothing would change");
        assertThat(run("params", "get", "sqs_buffer_size").out().strip()).isEqualTo("100000");
    }
}
