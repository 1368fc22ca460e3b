package dev.stigmer.logs;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogRotationTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    @Test
    void keepsAtMostKeepGenerationsNewestFirst() throws Exception {
        Path log = dir.resolve("temporal.log");
        LogRotation rotation = new LogRotation(1024, 2);

        for (String generation : new String[]{"first", "second", "third"}) {
            Files.writeString(log, generation + "\n" + "x".repeat(2000) + "\n");
            assertThat(rotation.rotateIfNeeded(log).rotated()).isTrue();
            assertThat(log).isEmptyFile();
        }

        assertThat(Files.readString(LogRotation.rotated(log, 1))).startsWith("third\n");
        assertThat(Files.readString(LogRotation.rotated(log, 2))).startsWith("second\n");
        assertThat(LogRotation.rotated(log, 3)).doesNotExist();
    }

    @Test
    void logWithinTheBoundIsLeftAlone() throws Exception {
        Path log = dir.resolve("temporal.log");
        LogRotation rotation = new LogRotation(1024, 2);
        Files.writeString(log, "x".repeat(1024));

        assertThat(rotation.rotateIfNeeded(log).rotated()).isFalse();
        assertThat(rotation.rotateIfNeeded(dir.resolve("missing.log")).rotated()).isFalse();

        assertThat(log).hasSize(1024);
        assertThat(LogRotation.rotated(log, 1)).doesNotExist();
    }

    /**
     * Copy-and-truncate against a writer that keeps its O_APPEND descriptor (it never reopens):
     * its next writes land at the start of the truncated file, no hole, and nothing keeps
     * growing a rotated generation.
     */
    @Test
    void boundsALogWhileAnAppendingWriterKeepsWriting() throws Exception {
        Path log = dir.resolve("temporal.log");
        LogRotation rotation = new LogRotation(4096, 2);
        processes.start("bash", "-c", "while :; do echo line; done >> \"$1\"", "writer", log.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.size(log) > 0);

        int rotations = 0;
        long smallestAfterRotation = Long.MAX_VALUE;
        long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < deadline) {
            if (rotation.rotateIfNeeded(log).rotated()) {
                rotations++;
                smallestAfterRotation = Math.min(smallestAfterRotation, Files.size(log));
            }
            Thread.sleep(5);
        }
        long onDisk = Files.size(log) + Files.size(LogRotation.rotated(log, 1)) + Files.size(LogRotation.rotated(log, 2));

        assertThat(rotations).isGreaterThanOrEqualTo(5);
        assertThat(LogRotation.rotated(log, 3)).doesNotExist();
        assertThat(smallestAfterRotation).as("truncated in place").isLessThan(4096);
        // The writer adds ~1 MB in this time; the slack allows for a descheduled test thread.
        assertThat(onDisk).as("bytes on disk").isLessThan(3 * (4096 + 256 * 1024));

        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(log) > 4096);
        long rotatedSize = Files.size(LogRotation.rotated(log, 1));
        assertThat(rotation.rotateIfNeeded(log).rotated()).isTrue();
        long frozen = Files.size(LogRotation.rotated(log, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(log) > 16 * 1024);
        assertThat(LogRotation.rotated(log, 1)).as("writer does not follow the copy").hasSize(frozen);
        assertThat(LogRotation.rotated(log, 2)).hasSize(rotatedSize);
        assertThat(firstByte(log)).as("writes resumed at offset 0, leaving no hole").isEqualTo('l');
    }

    private static char firstByte(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (char) in.read();
        }
    }
}
