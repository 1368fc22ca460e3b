package dev.stigmer.probe;

import dev.stigmer.logs.LogRotation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LogProbeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private void append(Path log, String text) throws IOException {
        Files.writeString(log, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void onlyALinePrintedSinceThisStartCounts() throws IOException {
        Path log = dir.resolve("worker.log");
        append(log, "Worker started\n"); // an earlier run's line
        LogProbe probe = new LogProbe(log, "Worker started");
        probe.starting();
        assertThat(probe.check(TIMEOUT).healthy()).isFalse();
        append(log, "connecting...\nWorker sta");
        assertThat(probe.check(TIMEOUT).healthy()).as("half a line is not a line").isFalse();
        append(log, "rted on queue q\n");
        assertThat(probe.check(TIMEOUT).healthy()).isTrue();
        append(log, "later noise\n");
        assertThat(probe.check(TIMEOUT).healthy()).as("a match holds for the run").isTrue();

        probe.starting();
        assertThat(probe.check(TIMEOUT).healthy()).as("a new start looks anew").isFalse();
        assertThat(probe.check(TIMEOUT).detail()).contains("no line matching /Worker started/");
    }

    @Test
    void aLineWrittenBeforeACopyAndTruncateRotationIsFoundInTheCopy() throws IOException {
        Path log = dir.resolve("api.log");
        append(log, "x".repeat(2000) + "\n");
        LogProbe probe = new LogProbe(log, "^listening on \\d+$");
        probe.starting();
        append(log, "listening on 8080\n");
        new LogRotation(1024, 2).rotateIfNeeded(log);
        assertThat(Files.size(log)).isZero();
        assertThat(probe.check(TIMEOUT).healthy()).isTrue();
    }

    @Test
    void aLineWrittenAndRotatedAwayBeforeTheFirstCheckIsFound() throws IOException {
        Path log = dir.resolve("fast.log");
        LogProbe probe = new LogProbe(log, "Worker started");
        probe.starting(); // no log yet
        append(log, "Worker started\n" + "x".repeat(3000) + "\n");
        new LogRotation(1024, 2).rotateIfNeeded(log);
        append(log, "more\n".repeat(10)); // the live log grows again, past nothing we read
        assertThat(probe.check(TIMEOUT).healthy()).isTrue();
    }

    @Test
    void aMissingLogIsNotReadyYet() {
        LogProbe probe = new LogProbe(dir.resolve("none.log"), "ready");
        probe.starting();
        assertThat(probe.check(TIMEOUT).healthy()).isFalse();
    }
}
