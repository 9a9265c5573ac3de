package io.trinitybeast.usagelog.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

    @Test
    void parsingInvertsFormattingAndAgreesWithJavaTime() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long millis = random.nextLong(0, 253_402_300_799_999L);
            String text = Timestamps.format(millis);
            assertThat(Timestamps.parse(text)).isEqualTo(millis).isEqualTo(Instant.parse(text).toEpochMilli());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-05-02T15:30:00Z", "2026-05-02T15:30:00.000+00:00", "2026-05-02 15:30:00.000Z",
        "2026-02-30T15:30:00.000Z", "2026-13-02T15:30:00.000Z", "2026-05-02T24:00:00.000Z", "2026-05-02T15:60:00.000Z",
        "2026-05-02T15:30:60.000Z", "2026-05-02T15:30:00.00aZ", "+026-05-02T15:30:00.000Z", "2026-05-02T15:30:00.000z",
        "2026-05-02T15:30:00.0000Z", ""})
    void refusesEverythingButTheWireForm(String text) {
        assertThatThrownBy(() -> Timestamps.parse(text)).isInstanceOf(InvalidRecordException.class)
                .hasMessageStartingWith("timestamp must look like 2026-05-02T15:30:00.000Z");
    }
}
