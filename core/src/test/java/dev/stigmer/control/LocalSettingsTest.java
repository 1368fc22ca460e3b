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

    @Test
    void anotherExternalTemporalConflictsAndALocalRequestWithoutAStackFileDoesNot() {
        ExternalTemporal cloud = new ExternalTemporal("ns.acct.tmprl.cloud:7233", "ns.acct",
                new ExternalTemporal.Tls(null, null, null, null), true, "stigmer.yaml");
        LocalSettings external = external(cloud);
        assertThat(external(cloud).conflictWith(external)).isNull();
        assertThat(external(new ExternalTemporal("other:7233", "ns.acct", null, false, "stigmer.yaml")).conflictWith(external))
                .isEqualTo("it uses the external Temporal at ns.acct.tmprl.cloud:7233, namespace ns.acct, TLS, API key, "
                        + "not the external Temporal at other:7233, namespace ns.acct, plaintext");
        assertThat(external.conflictWith(RUNNING)).startsWith("it runs a local Temporal, not the external Temporal at");
        assertThat(settings(7233, false, null, false).conflictWith(external)).as("no stack file: nothing said").isNull();
        assertThat(settings(7300, true, null, false).conflictWith(external)).as("a local port asked for")
                .endsWith("not a local one");
        assertThat(settings(7233, false, null, false).externalConflictWith(external))
                .as("a stack file without external: a local one").startsWith("it uses the external Temporal at")
                .endsWith("not a local one");
        assertThat(external.mode()).isEqualTo("external");
        assertThat(external.temporalAddress()).isEqualTo("ns.acct.tmprl.cloud:7233");
    }

    private static LocalSettings external(ExternalTemporal external) {
        return new LocalSettings(7233, false, null, false, 60_000, 2_000, 1_000, 10_000, null, external);
    }

    private static LocalSettings settings(int port, boolean portExplicit, String bin, boolean binExplicit) {
        return new LocalSettings(port, portExplicit, bin, binExplicit, 60_000, 2_000, 1_000, 10_000);
    }
}
