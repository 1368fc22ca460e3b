package dev.stigmer.supervision;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestartBackoffTest {
    private static final RestartPolicy POLICY = new RestartPolicy(Duration.ofMillis(100), 2.0,
            Duration.ofMillis(1000), Duration.ofSeconds(10), 5);

    @Test
    void firstRestartIsImmediateThenDelaysGrowUpToTheCap() {
        RestartBackoff backoff = new RestartBackoff(POLICY);

        assertThat(Stream.generate(backoff::nextDelay).limit(7).map(Duration::toMillis))
                .containsExactly(0L, 100L, 200L, 400L, 800L, 1000L, 1000L);
    }

    @Test
    void resetStartsTheStreakOver() {
        RestartBackoff backoff = new RestartBackoff(POLICY);
        backoff.nextDelay();
        backoff.nextDelay();
        backoff.nextDelay();

        backoff.reset();

        assertThat(backoff.nextDelay()).isZero();
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void longStreakStaysAtTheCap() {
        RestartBackoff backoff = new RestartBackoff(POLICY);
        for (int i = 0; i < 2000; i++) {
            backoff.nextDelay();
        }

        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void multiplierOfOneKeepsTheFirstDelay() {
        RestartBackoff backoff = new RestartBackoff(new RestartPolicy(Duration.ofMillis(250), 1.0,
                Duration.ofSeconds(10), Duration.ofSeconds(10), 5));

        assertThat(Stream.generate(backoff::nextDelay).limit(4).map(Duration::toMillis))
                .containsExactly(0L, 250L, 250L, 250L);
    }

    @Test
    void policyRejectsACapBelowTheFirstDelayOrAShrinkingMultiplier() {
        assertThatThrownBy(() -> new RestartPolicy(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(1),
                Duration.ofSeconds(10), 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RestartPolicy(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(10),
                Duration.ofSeconds(10), 5)).isInstanceOf(IllegalArgumentException.class);
    }
}
