package io.trinitybeast.usagelog.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ProducerParameterTest {

    @Test
    void defaultsAreTheSeeds() {
        ProducerSettings defaults = ProducerSettings.defaults();
        assertThat(defaults.batchSize()).isEqualTo(10);
        assertThat(defaults.flushMs()).isEqualTo(100);
        assertThat(defaults.bufferSize()).isEqualTo(50_000);
        assertThat(defaults.timeoutMs()).isEqualTo(3_000);
    }

    @ParameterizedTest
    @CsvSource({
        "sqs_batch_size, 0, 'sqs_batch_size must be an integer 1–10 (Messages per SQS SendMessageBatch call), got 0'",
        "sqs_batch_size, 11, 'sqs_batch_size must be an integer 1–10'",
        "sqs_flush_ms, 0, 'sqs_flush_ms must be an integer > 0'",
        "sqs_flush_ms, -100, 'sqs_flush_ms must be an integer > 0'",
        "sqs_buffer_size, 0, 'sqs_buffer_size must be an integer > 0'",
        "sqs_buffer_size, 2147483648, 'sqs_buffer_size must be an integer > 0'",
        "sqs_timeout_ms, 0, 'sqs_timeout_ms must be an integer > 0'",
        "sqs_timeout_ms, ten, 'sqs_timeout_ms must be an integer > 0 (Per-batch SQS API call timeout in milliseconds), got ''ten'''",
        "sqs_max_in_flight, 0, 'sqs_max_in_flight must be an integer 1–256'",
        "sqs_pack_bytes, -1, 'sqs_pack_bytes must be an integer 0–1048576'",
        "sqs_size_limit_bytes, 1048577, 'sqs_size_limit_bytes must be an integer 1024–1048576'",
        "sqs_retry_base_ms, 0, 'sqs_retry_base_ms must be an integer 1–60000'",
        "sqs_retry_max_ms, 600001, 'sqs_retry_max_ms must be an integer 1–600000'",
        "sqs_batch_size, 1.5, 'sqs_batch_size must be an integer 1–10'",
        "sqs_batch_size, '', 'sqs_batch_size must be an integer 1–10'",
    })
    void invalidValuesAreRejectedNamingTheParameterAndItsRange(String name, String value, String message) {
        InMemoryParameterSource source = new InMemoryParameterSource();

        assertThatThrownBy(() -> source.set(name, value))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessageStartingWith(message);
        assertThat(source.values()).doesNotContainKey(name);
    }

    @ParameterizedTest
    @EnumSource(ProducerParameter.class)
    void theRangeEdgesAreAccepted(ProducerParameter parameter) {
        assertThat(parameter.parse(Long.toString(parameter.min()))).isEqualTo(parameter.min());
        assertThat(parameter.parse(" " + parameter.max() + " ")).isEqualTo(parameter.max());
        assertThat(parameter.parse(Long.toString(parameter.defaultValue()))).isEqualTo(parameter.defaultValue());
    }

    @Test
    void unknownParameterNamesAreRefusedBySetAndIgnoredByTheProducer() {
        assertThatThrownBy(() -> new InMemoryParameterSource().set("sqs_bogus", "1"))
                .hasMessage("unknown parameter 'sqs_bogus'");

        ParameterResolver resolver = new ParameterResolver(() -> Map.of("sqs_bogus", "1", "sqs_batch_size", "4"),
                ProducerSettings.defaults(), p -> { });
        assertThat(resolver.refresh().batchSize()).isEqualTo(4);
    }

    @Test
    void anInvalidValueKeepsTheLastValidOneAndIsReportedOnce() {
        InMemoryParameterSource source = new InMemoryParameterSource().set(ProducerParameter.FLUSH_MS, 250);
        java.util.List<ProducerParameter> rejected = new java.util.ArrayList<>();
        ParameterResolver resolver = new ParameterResolver(source, ProducerSettings.defaults(), rejected::add);
        assertThat(resolver.refresh().flushMs()).isEqualTo(250);

        source.setUnchecked("sqs_flush_ms", "0");
        assertThat(resolver.refresh().flushMs()).isEqualTo(250);
        source.setUnchecked("sqs_batch_size", "7"); // a new snapshot with the same bad flush value
        ProducerSettings settings = resolver.refresh();

        assertThat(settings.flushMs()).isEqualTo(250);
        assertThat(settings.batchSize()).isEqualTo(7);
        assertThat(rejected).containsExactly(ProducerParameter.FLUSH_MS);
    }

    @Test
    void thePackingBudgetNeverExceedsTheSizeLimit() {
        ProducerSettings settings = ProducerSettings.defaults().with(ProducerParameter.SIZE_LIMIT_BYTES, 4096);
        assertThat(settings.packBytes()).isEqualTo(4096);
    }
}
