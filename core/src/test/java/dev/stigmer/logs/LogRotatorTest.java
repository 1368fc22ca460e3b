package dev.stigmer.logs;

import dev.stigmer.testing.LogCapture;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogRotatorTest {
    private static final String FLOOD_LINE = " line of the flood";

    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    /**
     * Sampled while the writer floods (it never stops on its own), over a fixed amount of it: the
     * live file overshoots the bound only by what is written during one rotation, with nobody
     * calling check.
     */
    @Test
    void rotatesOnWriteEventsAloneWithoutAnyoneCallingCheck() throws Exception {
        Path log = dir.resolve("temporal.log");
        Path other = dir.resolve("daemon.log");
        Files.writeString(other, "");
        long bound = 256 * 1024;
        try (LogRotator ignored = LogRotator.start(new LogRotation(bound, 2), List.of(log, other))) {
            Process writer = startFlood(log, -1);
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(LogRotation.rotated(log, 2)));

            long writtenBefore = bytesWritten(writer);
            long largest = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (bytesWritten(writer) - writtenBefore < 20 * bound && System.nanoTime() < deadline) {
                largest = Math.max(largest, Files.size(log));
                Thread.sleep(2);
            }

            assertThat(bytesWritten(writer) - writtenBefore).as("bytes the writer wrote while sampling")
                    .isGreaterThanOrEqualTo(20 * bound);
            assertThat(largest).isLessThan(4 * bound);
            assertThat(LogRotation.rotated(log, 3)).doesNotExist();
        }
        assertThat(LogRotation.rotated(other, 1)).as("a quiet log is left alone").doesNotExist();
    }

    /**
     * Not a sleep and a look: the watched log is written past its bound after the stranger, and
     * the rotator handles events in order, so once the log has rotated the stranger's event was
     * handled too, and left it alone.
     */
    @Test
    void aWriteToAnUnwatchedFileRotatesNothing() throws Exception {
        Path log = dir.resolve("temporal.log");
        Path stranger = dir.resolve("notes.txt");
        try (LogRotator ignored = LogRotator.start(new LogRotation(1024, 2), List.of(log))) {
            Files.writeString(stranger, "x".repeat(10_000));
            Files.writeString(log, "y".repeat(10_000));
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(LogRotation.rotated(log, 1)));
            assertThat(LogRotation.rotated(stranger, 1)).doesNotExist();
            assertThat(stranger).hasSize(10_000);
        }
    }

    /**
     * The daemon rotates from two threads (the inotify watcher and the 1 s housekeeping); here
     * two more force rotations in tight loops while a writer appends numbered lines. Every
     * generation holds at most the bound, and all of them oldest first, then the live file, are
     * exactly what the writer wrote: nothing lost or repeated at a seam (a line may straddle one).
     */
    @Test
    void rotationsFromSeveralThreadsUnderAFloodLoseNothing() throws Exception {
        Path log = dir.resolve("temporal.log");
        long bound = 128 * 1024;
        int keep = 500; // more than the rotations the flood causes: every generation stays to be checked
        int lines = 200_000;
        try (LogCapture logged = LogCapture.of("stigmer.logs");
             LogRotator rotator = LogRotator.start(new LogRotation(bound, keep), List.of(log))) {
            Process writer = startFlood(log, lines);
            List<Thread> forcing = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                forcing.add(Thread.ofPlatform().name("force-" + i).start(() -> {
                    while (writer.isAlive()) {
                        rotator.checkAll();
                    }
                }));
            }
            assertThat(writer.waitFor(60, TimeUnit.SECONDS)).as("writer finished").isTrue();
            assertThat(writer.exitValue()).isZero();
            for (Thread thread : forcing) {
                thread.join();
            }
            assertThat(logged.messages(Level.WARNING)).as("rotation errors logged").isEmpty();
        }
        assertThat(LogRotation.rotated(log, keep)).as("no generation was dropped").doesNotExist();

        StringBuilder stream = new StringBuilder();
        int generations = 0;
        int straddling = 0;
        for (int generation = keep - 1; generation >= 1; generation--) {
            Path file = LogRotation.rotated(log, generation);
            if (Files.exists(file)) {
                generations++;
                assertThat(Files.size(file)).as(file.getFileName() + " within the bound").isLessThanOrEqualTo(bound);
                String content = Files.readString(file, StandardCharsets.UTF_8);
                straddling += content.endsWith("\n") ? 0 : 1;
                stream.append(content);
            }
        }
        stream.append(Files.readString(log, StandardCharsets.UTF_8));
        assertThat(generations).as("rotations").isGreaterThanOrEqualTo(10);
        String[] written = stream.toString().split("\n");
        assertThat(written).as("lines across all generations and the live file").hasSize(lines);
        for (int i = 0; i < lines; i++) {
            assertThat(written[i]).as("line " + i).isEqualTo(i + FLOOD_LINE);
        }
        System.out.printf("flood: %d lines, %d generations, nothing lost; %d lines straddle a seam%n",
                lines, generations, straddling);
    }

    /**
     * `yes` through `head -c` (as fast as a pipe goes, ~1 GB/s) into a log at the real bound
     * (10 MB x 3 kept), sampled every millisecond or so: no generation ever holds more than 10 MB,
     * no fourth is kept, and once the writer stops the live file is back within 10 MB at once.
     * The peak on disk exceeds 40 MB by what the writer appends before the rotator runs and while
     * one piece is moved out: printed, not asserted (it is the writer's speed times our latency).
     */
    @Test
    void aYesFloodKeepsTheDocumentedBound() throws Exception {
        List<String> results = new ArrayList<>();
        for (long flood : new long[]{50_000_000L, 400_000_000L}) {
            Path log = dir.resolve("flood-" + flood + ".log");
            Files.writeString(log, "");
            LogRotation rotation = LogRotation.DEFAULT;
            long bound = rotation.maxBytes() * (rotation.keep() + 1);
            long largestTotal = 0;
            long largestGeneration = 0;
            try (LogRotator ignored = LogRotator.start(rotation, List.of(log))) {
                Process writer = processes.start("sh", "-c", "yes | head -c " + flood + " >> \"$1\"", "writer", log.toString());
                while (writer.isAlive()) {
                    long total = sizeOf(log);
                    for (int generation = 1; generation <= rotation.keep() + 1; generation++) {
                        long size = sizeOf(LogRotation.rotated(log, generation));
                        largestGeneration = Math.max(largestGeneration, size);
                        total += size;
                    }
                    largestTotal = Math.max(largestTotal, total);
                    Thread.sleep(1);
                }
                assertThat(writer.exitValue()).isZero();
            }
            results.add(String.format("yes flood of %d MB: largest generation %.1f MiB, most on disk %.1f MiB (bound %d MiB, slack %.1f MiB)",
                    flood / 1_000_000, largestGeneration / 1048576.0, largestTotal / 1048576.0, bound >> 20,
                    Math.max(0, largestTotal - bound) / 1048576.0));
            System.out.println(results.getLast());
            assertThat(largestGeneration).as("largest generation").isLessThanOrEqualTo(rotation.maxBytes());
            assertThat(LogRotation.rotated(log, rotation.keep() + 1)).doesNotExist();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(sizeOf(log)).as("live file once the writer stopped")
                    .isLessThanOrEqualTo(rotation.maxBytes()));
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** bash appends one numbered line per write(2) through O_APPEND ({@code >>}); forever when {@code lines < 0}. */
    private Process startFlood(Path log, int lines) {
        String loop = lines < 0 ? "for ((i = 0; ; i++))" : "for ((i = 0; i < " + lines + "; i++))";
        return processes.start("bash", "-c", loop + "; do echo \"$i" + FLOOD_LINE + "\"; done >> \"$1\"",
                "writer", log.toString());
    }

    /** What the process has written so far (wchar of /proc/PID/io), read while it runs. */
    private static long bytesWritten(Process process) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring("wchar:".length()).strip());
            }
        }
        throw new IllegalStateException("no wchar in /proc/" + process.pid() + "/io");
    }
}
