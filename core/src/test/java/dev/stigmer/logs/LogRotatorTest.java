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

    /**
     * The daemon rotates from two threads (the inotify watcher and the 1 s housekeeping); here
     * two more force rotations in tight loops while a writer appends numbered lines. Every
     * generation must be a distinct, whole slice of the stream, in order; lines may go missing
     * only in the copy-truncate window (see {@link LogRotation}): at a seam between generations,
     * one seam per rotation.
     */
    @Test
    void rotationsFromSeveralThreadsUnderAFloodKeepGenerationsDistinctAndLoseOnlyTheWindow() throws Exception {
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

        List<Path> oldestFirst = new ArrayList<>();
        for (int generation = keep - 1; generation >= 1; generation--) {
            if (Files.exists(LogRotation.rotated(log, generation))) {
                oldestFirst.add(LogRotation.rotated(log, generation));
            }
        }
        assertThat(oldestFirst.size()).as("rotations").isGreaterThanOrEqualTo(10);
        oldestFirst.add(log);

        long linesPerGeneration = bound / ("100000" + FLOOD_LINE + "\n").length();
        long previousLast = -1;
        long lost = 0;
        long largestSeam = 0;
        for (Path file : oldestFirst) {
            List<Long> sequence = sequence(file);
            if (!file.equals(log)) {
                assertThat(Files.size(file)).as(file.getFileName() + ": a generation holds a whole log past the bound")
                        .isGreaterThan(bound);
            }
            if (sequence.isEmpty()) {
                assertThat(file).as("only the live file may be empty").isEqualTo(log);
                continue;
            }
            for (int i = 1; i < sequence.size(); i++) {
                assertThat(sequence.get(i)).as(file.getFileName() + ": nothing lost or repeated inside a file, line " + i)
                        .isEqualTo(sequence.get(i - 1) + 1);
            }
            long seam = sequence.getFirst() - previousLast - 1;
            assertThat(seam).as(file.getFileName() + " starts after the previous generation ends (distinct, in order)")
                    .isGreaterThanOrEqualTo(0);
            assertThat(seam).as(file.getFileName() + ": lines lost at its seam, at most the window of one rotation")
                    .isLessThan(linesPerGeneration);
            lost += seam;
            largestSeam = Math.max(largestSeam, seam);
            previousLast = sequence.getLast();
        }
        assertThat(previousLast).as("the writer's last line is there").isEqualTo(lines - 1);
        System.out.printf("flood: %d lines, %d generations, %d lost in copy-truncate windows (largest seam %d)%n",
                lines, oldestFirst.size() - 1, lost, largestSeam);
    }

    /** bash appends one numbered line per write(2) through O_APPEND ({@code >>}); forever when {@code lines < 0}. */
    private Process startFlood(Path log, int lines) {
        String loop = lines < 0 ? "for ((i = 0; ; i++))" : "for ((i = 0; i < " + lines + "; i++))";
        return processes.start("bash", "-c", loop + "; do echo \"$i" + FLOOD_LINE + "\"; done >> \"$1\"",
                "writer", log.toString());
    }

    /** The numbers of a file's whole lines; a line cut short at its end (the window) is left out. */
    private static List<Long> sequence(Path file) throws IOException {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        List<Long> numbers = new ArrayList<>();
        int start = 0;
        int end;
        while ((end = content.indexOf('\n', start)) >= 0) {
            String line = content.substring(start, end);
            assertThat(line).as(file.getFileName() + " holds only whole flood lines").endsWith(FLOOD_LINE);
            numbers.add(Long.parseLong(line.substring(0, line.length() - FLOOD_LINE.length())));
            start = end + 1;
        }
        return numbers;
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
