package dev.stigmer.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StigmerEnvironmentTest {

    @Test
    void unsetVariablesGiveTheDefaults() {
        StigmerEnvironment env = new StigmerEnvironment(Map.of());
        assertThat(env.temporalPort()).isNull();
        assertThat(env.temporalBin()).isNull();
        assertThat(env.healthInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(env.healthTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(env.stopGrace()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void setVariablesAreReadWithTheOneDurationGrammar() {
        StigmerEnvironment env = new StigmerEnvironment(Map.of("STIGMER_TEMPORAL_PORT", "7300",
                "STIGMER_HEALTH_INTERVAL", "500ms", "STIGMER_STOP_GRACE", "1m"));
        assertThat(env.temporalPort()).isEqualTo(7300);
        assertThat(env.healthInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(env.stopGrace()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aBadValueIsOneLineNamingTheVariable() {
        assertThatThrownBy(() -> new StigmerEnvironment(Map.of("STIGMER_HEALTH_TIMEOUT", "2")).healthTimeout())
                .hasMessage("STIGMER_HEALTH_TIMEOUT needs a unit, got '2': write 2s for seconds (or 2ms, 2m, 2h)");
        assertThatThrownBy(() -> new StigmerEnvironment(Map.of("STIGMER_TEMPORAL_PORT", "70000")).temporalPort())
                .hasMessage("STIGMER_TEMPORAL_PORT must be a port number from 1 to 65535, got '70000'");
    }

    @Test
    void aVariableThatIsNeverAskedForIsNeverAnError() {
        StigmerEnvironment env = new StigmerEnvironment(Map.of("STIGMER_TEMPORAL_PORT", "nope"));
        assertThat(env.stopGrace()).isEqualTo(Duration.ofSeconds(10));
    }
}
