package dev.stigmer.probe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ExecProbeTest {
    @TempDir
    Path dir;

    @Test
    void exitZeroInTheServicesDirectoryAndEnvironmentIsHealthy() throws Exception {
        Files.writeString(dir.resolve("ready.flag"), "");
        ExecProbe probe = new ExecProbe(List.of("/bin/sh", "-c", "test -f ready.flag && test \"$WHO\" = api"),
                Map.of("WHO", "api"), dir);
        assertThat(probe.check(Duration.ofSeconds(5)).healthy()).isTrue();
        Files.delete(dir.resolve("ready.flag"));
        var failing = probe.check(Duration.ofSeconds(5));
        assertThat(failing.healthy()).isFalse();
        assertThat(failing.detail()).contains("exited with code 1");
    }

    @Test
    void aProbeThatOverrunsIsKilledWithItsChildren() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        ExecProbe probe = new ExecProbe(List.of("/bin/sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait"), Map.of(), dir);
        long started = System.nanoTime();
        var result = probe.check(Duration.ofMillis(500));
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).contains("did not finish within 500 ms");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(5000);
        long child = Long.parseLong(Files.readString(pidFile).strip());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                ProcessHandle.of(child).map(h -> !h.isAlive() || isZombie(child)).orElse(true));
    }

    @Test
    void aCommandThatDoesNotExistIsUnhealthyNotAnError() {
        var result = new ExecProbe(List.of("no-such-probe-command"), Map.of(), dir).check(Duration.ofSeconds(5));
        assertThat(result.healthy()).isFalse();
    }

    private static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (Exception e) {
            return true;
        }
    }
}
