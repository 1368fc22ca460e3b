package dev.stigmer.stack;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RestartModeTest {

    @Test
    void eachModeSaysWhatFollowsAnExit() {
        assertThat(RestartMode.ALWAYS.restartsAfter(true)).isTrue();
        assertThat(RestartMode.ALWAYS.restartsAfter(false)).isTrue();
        assertThat(RestartMode.ON_FAILURE.restartsAfter(true)).isFalse();
        assertThat(RestartMode.ON_FAILURE.restartsAfter(false)).isTrue();
        assertThat(RestartMode.NO.restartsAfter(false)).isFalse();
        assertThat(RestartMode.ALWAYS.canComplete()).isFalse();
        assertThat(RestartMode.ON_FAILURE.canComplete()).isTrue();
    }

    @Test
    void modesAreReadAndListedAsTheFileWritesThem() {
        assertThat(RestartMode.of("on-failure")).contains(RestartMode.ON_FAILURE);
        assertThat(RestartMode.of("false")).isEmpty();
        assertThat(RestartMode.choices()).isEqualTo("always, on-failure or \"no\"");
    }
}
