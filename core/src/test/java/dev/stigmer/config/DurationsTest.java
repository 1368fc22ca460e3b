package dev.stigmer.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @Test
    void everyUnitFromMillisecondsToHoursIsRead() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse(" 1.5s ")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aBareNumberIsRefusedWithTheUnitToAdd() {
        assertThatThrownBy(() -> Durations.parse("5")).hasMessage("needs a unit, got '5': write 5s for seconds (or 5ms, 5m, 5h)");
    }

    @Test
    void otherTextZeroAndMoreThanADayAreRefusedInOneLine() {
        assertThatThrownBy(() -> Durations.parse("20 seconds"))
                .hasMessage("must be a duration like 500ms, 5s, 2m or 1h, got '20 seconds'");
        assertThatThrownBy(() -> Durations.parse("0s")).hasMessage("must be more than zero, got '0s'");
        assertThatThrownBy(() -> Durations.parse("25h")).hasMessage("must be at most 24h, got '25h'");
        assertThatThrownBy(() -> Durations.parse(null)).hasMessageContaining("must be a duration");
    }

    @Test
    void textWritesTheLargestWholeUnitAndReadsBack() {
        for (String text : new String[]{"250ms", "1500ms", "5s", "2m", "90s", "1h"}) {
            assertThat(Durations.text(Durations.parse(text))).isEqualTo(text);
        }
    }

    @Test
    void readableKeepsTheFractionOfASecondAMessageWouldOtherwiseCut() {
        assertThat(Durations.readable(Duration.ofMillis(500))).isEqualTo("500 ms");
        assertThat(Durations.readable(Duration.ofMillis(1500))).isEqualTo("1.5 s");
        assertThat(Durations.readable(Duration.ofSeconds(1))).isEqualTo("1 s");
        assertThat(Durations.readable(Duration.ofSeconds(15))).isEqualTo("15 s");
        assertThat(Durations.readable(Duration.ofSeconds(125))).isEqualTo("2m 5s");
        assertThat(Durations.readable(Duration.ofMinutes(90))).isEqualTo("1h 30m");
    }
}
