package dev.stigmer.control;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalSettingsTest {
    private static final LocalSettings RUNNING = settings(7233, false, "/usr/bin/temporal", false);

    @Test
    void valuesTheUserDidNotChooseNeverConflict() {
        assertThat(settings(9999, false, null, false).conflictWith(RUNNING)).isNull();
    }

    @Test
    void explicitPortThatDiffersConflicts() {
        assertThat(settings(9999, true, null, false).conflictWith(RUNNING))
                .isEqualTo("it serves Temporal on port 7233, not 9999");
        assertThat(settings(7233, true, null, false).conflictWith(RUNNING)).isNull();
    }

    @Test
    void explicitBinaryThatDiffersConflicts() {
        assertThat(settings(7233, false, null, true).conflictWith(RUNNING))
                .isEqualTo("it runs /usr/bin/temporal, not the embedded Temporal");
        assertThat(settings(7233, false, "/usr/bin/temporal", true).conflictWith(RUNNING)).isNull();
    }

    private static LocalSettings settings(int port, boolean portExplicit, String bin, boolean binExplicit) {
        return new LocalSettings(port, portExplicit, bin, binExplicit, 60_000, 2_000, 1_000, 10_000);
    }
}
