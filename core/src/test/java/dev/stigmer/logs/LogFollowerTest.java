package dev.stigmer.logs;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A follower against a writer that floods as fast as it can while the real rotator (inotify,
 * the default 10 MB x 3 bound) rotates under it: every line that reached the file arrives once,
 * whole and in order, however the reads and the rotations cut the stream.
 */
class LogFollowerTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    @Test
    void aFloodOfSixMillionLinesArrivesWholeAndInOrderAcrossRealRotations() throws Exception {
        Path log = dir.resolve("flood.log");
        Files.writeString(log, "");
        int lines = 6_000_000;
        try (LogRotator ignored = LogRotator.start(LogRotation.DEFAULT, List.of(log))) {
            LogFollower follower = LogFollower.fromEnd(log);
            byte[] expected = seq(lines);
            byte[] received = new byte[expected.length + 1024 * 1024];
            int[] length = {0};
            // Following before the writer starts, as `logs -f` would be.
            Thread reader = Thread.ofPlatform().name("follower").start(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                try {
                    while (length[0] < expected.length && follower.skippedBytes() == 0 && System.nanoTime() < deadline) {
                        int read = follower.poll((bytes, offset, size) -> {
                            int room = Math.min(size, received.length - length[0]);
                            System.arraycopy(bytes, offset, received, length[0], room);
                            length[0] += room;
                        });
                        if (read == 0) {
                            Thread.sleep(1);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Process writer = processes.start("sh", "-c", "seq 1 " + lines + " >> \"$1\"", "writer", log.toString());
            assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join();
            assertThat(follower.skippedBytes()).as("bytes rotated away unread").isZero();
            int mismatch = Arrays.mismatch(expected, 0, expected.length, received, 0, length[0]);
            assertThat(mismatch).as("where what arrived first differs from what seq wrote, near: "
                    + (mismatch < 0 ? "" : new String(received, Math.max(0, mismatch - 20),
                    Math.min(40, length[0] - Math.max(0, mismatch - 20)), StandardCharsets.US_ASCII))).isEqualTo(-1);
            // The rotator answers the writer's last events after the follower may have read it all
            // (an idle machine writes 47 MB in half a second): it brings the live file within the
            // bound once the writer stops, so wait for that before closing it.
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.size(log) <= LogRotation.DEFAULT.maxBytes());
        }
        assertThat(LogRotation.rotated(log, 3)).as("the flood rotated through every generation").exists();
        for (int generation = 1; generation <= 3; generation++) {
            assertThat(Files.size(LogRotation.rotated(log, generation))).isLessThanOrEqualTo(LogRotation.DEFAULT.maxBytes());
        }
    }

    /**
     * Lines of two-, three- and four-byte characters through reads of an odd size (so reads
     * end inside characters) and a small bound (so seams do too): each arrives as written.
     */
    @Test
    void multibyteLinesArriveIntactAcrossReadsAndSeams() throws Exception {
        Path log = dir.resolve("utf8.log");
        Files.writeString(log, "");
        int lines = 20_000;
        try (LogRotator ignored = LogRotator.start(new LogRotation(128 * 1024, 3), List.of(log))) {
            LogFollower follower = LogFollower.fromEnd(log, 4099);
            int[] next = {0};
            String[] wrong = {null};
            Thread reader = Thread.ofPlatform().name("follower").start(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                try {
                    while (next[0] < lines && wrong[0] == null && System.nanoTime() < deadline) {
                        int read = follower.poll((block, from, size) -> LogFollower.eachLine(block, from, size, (bytes, offset, length) -> {
                            String line = new String(bytes, offset, length, StandardCharsets.UTF_8);
                            if (wrong[0] == null && !line.equals(next[0] + " ä€😀 ünïcödé ✓")) {
                                wrong[0] = "line " + next[0] + " came as '" + line + "'";
                            }
                            next[0]++;
                        }));
                        if (read == 0) {
                            Thread.sleep(1);
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Process writer = processes.start("bash", "-c",
                    "for ((i = 0; i < " + lines + "; i++)); do echo \"$i ä€😀 ünïcödé ✓\"; done >> \"$1\"",
                    "writer", log.toString());
            assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
            reader.join();
            assertThat(follower.skippedBytes()).isZero();
            assertThat(wrong[0]).isNull();
            assertThat(next[0]).isEqualTo(lines);
        }
        assertThat(LogRotation.rotated(log, 3)).exists();
    }

    /** What `seq 1 N` writes. */
    private static byte[] seq(int lines) {
        StringBuilder text = new StringBuilder(lines * 8);
        for (int i = 1; i <= lines; i++) {
            text.append(i).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
