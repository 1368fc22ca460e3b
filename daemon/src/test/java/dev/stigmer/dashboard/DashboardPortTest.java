package dev.stigmer.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DashboardPortTest {

    @Test
    void theDefaultIsStableAndCollidesWithNoneOfTemporalsPorts() {
        int port = DashboardPort.resolve(null, 7233, null).port();
        assertThat(port).isEqualTo(8333).isEqualTo(DashboardPort.resolve("", 7233, null).port());
        assertThat(port).isNotIn(7233, 7234, 7235, 7236, 7239, 7243, 8233);
    }

    @Test
    void homesWithDifferentTemporalPortsGetDifferentDashboards() {
        Set<Integer> seen = new HashSet<>();
        for (int temporal = 1024; temporal <= 65535; temporal++) {
            int port = DashboardPort.derived(temporal, null);
            assertThat(port).isBetween(1, 65535);
            assertThat(port - temporal).isNotIn(0, 1, 2, 3, 6, 10, 1000);
            if (temporal + DashboardPort.OFFSET <= 65535 - 16) {
                assertThat(seen.add(port)).as("temporal port " + temporal).isTrue();
            }
        }
    }

    @Test
    void aMovedUiPortIsSteppedOver() {
        assertThat(DashboardPort.derived(7233, 8333)).isEqualTo(8334);
    }

    @Test
    void zeroIsAnyPortOffIsNoneAndAnythingElseIsAOneLineError() {
        assertThat(DashboardPort.resolve("0", 7233, null).port()).isZero();
        assertThat(DashboardPort.resolve(" 9000 ", 7233, null).port()).isEqualTo(9000);
        assertThat(DashboardPort.resolve("OFF", 7233, null).off()).isTrue();
        for (String bad : List.of("abc", "-1", "65536", "80a")) {
            assertThatThrownBy(() -> DashboardPort.resolve(bad, 7233, null))
                    .hasMessageContaining("STIGMER_DASHBOARD_PORT=" + bad).hasMessageContaining("0 (any free port) or off");
        }
    }

    @Test
    void theTokenIsKeptPrivateAndReusedByTheNextDaemon(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("dashboard.token");
        DashboardToken first = DashboardToken.loadOrCreate(file);
        String written = Files.readString(file).strip();
        assertThat(written).matches("[A-Za-z0-9_-]{43}"); // 256 bits
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(first.matches(written)).isTrue();
        assertThat(first.matches(written.substring(1))).isFalse();
        assertThat(first.matches(null)).isFalse();
        assertThat(first.toString()).doesNotContain(written);
        assertThat(DashboardToken.loadOrCreate(file).matches(written)).isTrue();
        Files.writeString(file, "short");
        assertThat(DashboardToken.loadOrCreate(file).matches("short")).isFalse();
    }
}
