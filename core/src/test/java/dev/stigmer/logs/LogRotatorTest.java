package dev.stigmer.logs;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogRotatorTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    @Test
    void rotatesOnWriteEventsAloneWithoutAnyoneCallingCheck() throws Exception {
        Path log = dir.resolve("temporal.log");
        Path other = dir.resolve("daemon.log");
        Files.writeString(other, "");
        try (LogRotator ignored = LogRotator.start(new LogRotation(64 * 1024, 2), List.of(log, other))) {
            processes.start("bash", "-c", "for i in $(seq 40000); do echo \"line $i of a flood\"; done >> \"$1\"",
                    "writer", log.toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(LogRotation.rotated(log, 2)));
            long largest = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < deadline) {
                largest = Math.max(largest, Files.exists(log) ? Files.size(log) : 0);
                Thread.sleep(2);
            }
            // Event-driven: the live file overshoots the bound only by what was written during one rotation.
            assertThat(largest).isLessThan(4 * 64 * 1024);
            assertThat(LogRotation.rotated(log, 3)).doesNotExist();
        }
        assertThat(LogRotation.rotated(other, 1)).as("a quiet log is left alone").doesNotExist();
    }

    @Test
    void aWriteToAnUnwatchedFileRotatesNothing() throws Exception {
        Path log = dir.resolve("temporal.log");
        Path stranger = dir.resolve("notes.txt");
        try (LogRotator ignored = LogRotator.start(new LogRotation(1024, 2), List.of(log))) {
            Files.writeString(stranger, "x".repeat(10_000));
            Thread.sleep(300);
            assertThat(LogRotation.rotated(stranger, 1)).doesNotExist();
            assertThat(stranger).hasSize(10_000);
        }
    }
}
