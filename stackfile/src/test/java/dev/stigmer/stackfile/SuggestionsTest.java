package dev.stigmer.stackfile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SuggestionsTest {
    private static final List<String> COMMANDS = List.of("start", "stop", "restart", "status", "logs", "config", "env");

    @Test
    void aSwapOfTwoNeighboursIsOneStep() {
        assertThat(Suggestions.distance("stauts", "status")).isEqualTo(1);
        assertThat(Suggestions.distance("prot", "port")).isEqualTo(1);
        assertThat(Suggestions.distance("status", "status")).isZero();
        assertThat(Suggestions.distance("", "env")).isEqualTo(3);
    }

    @Test
    void theClosestCandidateIsSuggestedOnlyWhenItLooksLikeATypo() {
        assertThat(Suggestions.closest("stauts", COMMANDS)).contains("status");
        assertThat(Suggestions.closest("strat", COMMANDS)).contains("start");
        assertThat(Suggestions.closest("log", COMMANDS)).contains("logs");
        assertThat(Suggestions.closest("api", COMMANDS)).isEmpty();
        assertThat(Suggestions.closest("worker", COMMANDS)).isEmpty();
        assertThat(Suggestions.closest("anything", List.of())).isEmpty();
    }
}
