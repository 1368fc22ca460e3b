package dev.stigmer.logs;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
     * Against a writer that keeps its O_APPEND descriptor (it never reopens): each generation
     * holds at most the bound and never grows again, and NAME.2 + NAME.1 + the live file are one
     * unbroken stretch of what the writer wrote (the head moved out with COLLAPSE_RANGE: nothing
     * lost at a seam, nothing repeated), the live file starting where NAME.1 ends.
     */
    @Test
    void movesTheHeadOutWhileAnAppendingWriterKeepsWritingLosingNothing() throws Exception {
        Path log = dir.resolve("temporal.log");
        long bound = 64 * 1024;
        LogRotation rotation = new LogRotation(bound, 2);
        Process writer = processes.start("bash", "-c", "for ((i = 0; ; i++)); do echo \"$i\"; done >> \"$1\"",
                "writer", log.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.size(log) > 0);

        int rotations = 0;
        long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
        while (System.nanoTime() < deadline || rotations < 3) {
            if (rotation.rotateIfNeeded(log).rotated()) {
                rotations++;
                assertThat(Files.size(LogRotation.rotated(log, 1))).as("a generation").isLessThanOrEqualTo(bound);
            }
            Thread.sleep(5);
        }
        long frozen = Files.size(LogRotation.rotated(log, 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(log) > 2 * bound);
        assertThat(LogRotation.rotated(log, 1)).as("writer does not follow the copy").hasSize(frozen);
        writer.destroy();
        writer.waitFor();

        String stream = Files.readString(LogRotation.rotated(log, 2)) + Files.readString(LogRotation.rotated(log, 1))
                + Files.readString(log);
        String[] lines = stream.split("\n"); // the first may be the end of a line cut at the block boundary
        long first = Long.parseLong(lines[1]) - 1;
        for (int i = 2; i < lines.length; i++) {
            assertThat(Long.parseLong(lines[i])).as("line " + i + " of NAME.2 + NAME.1 + live").isEqualTo(first + i);
        }
        assertThat(LogRotation.rotated(log, 3)).doesNotExist();
    }
}
