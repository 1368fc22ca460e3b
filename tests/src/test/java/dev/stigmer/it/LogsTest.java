package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.stigmer.logs.LogRotation;
import dev.stigmer.logs.LogRotator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * `stigmer local logs` in a pipeline: when the reader goes (`| head -1`), it exits at once, as
 * a process killed by SIGPIPE would (141), instead of writing on into the closed pipe or
 * following the log for ever. No daemon is needed: the logs are files.
 */
@ExtendWith(StackExtension.class)
class LogsTest {
    private static final int CLOSED_OUTPUT = 141;

    @Test
    void followExitsSoonAfterItsReaderGoesEvenWhenNothingNewIsLogged(Stack stack) throws Exception {
        writeLog(stack, 10);

        ReaderGone result = readOneLineThenClose(stack, "local", "logs", "-f");

        assertThat(result.firstLine()).isEqualTo("line 0");
        assertThat(result.exited()).as("exited within 10 s of the reader going").isTrue();
        assertThat(result.millisToExit()).as("ms from the reader going to the exit").isLessThan(2_000);
        assertThat(result.exitCode()).isEqualTo(CLOSED_OUTPUT);
    }

    @Test
    void printingManyLinesStopsWhenItsReaderGoes(Stack stack) throws Exception {
        writeLog(stack, 200_000);

        ReaderGone result = readOneLineThenClose(stack, "local", "logs", "-n", "100000");

        assertThat(result.firstLine()).isEqualTo("line 100000");
        assertThat(result.exited()).isTrue();
        assertThat(result.exitCode()).as("stopped at the closed pipe rather than writing all of it").isEqualTo(CLOSED_OUTPUT);
    }

    /**
     * `logs -f flood` while `seq 1 6000000` (47 MB) floods the log and the real rotator (10 MB x 3,
     * on inotify, as the daemon runs it) rotates it four times: every number arrives once, in
     * order, whole. `tail -F` follows the same file beside it, for comparison (printed).
     */
    @Test
    void followPrintsEveryLineOfAFloodAcrossRotations(Stack stack) throws Exception {
        int lines = 6_000_000;
        Path log = stack.stigmerHome().ensureCreated().logFile("flood");
        Files.writeString(log, "0\n"); // printed first by both (-n 1): then each follows from the end
        Path out = stack.home.resolveSibling("follow-out.txt");
        Path err = stack.home.resolveSibling("follow-err.txt");
        Path tailOut = stack.home.resolveSibling("tail-out.txt");
        try (LogRotator ignored = LogRotator.start(LogRotation.DEFAULT, List.of(log))) {
            Process cli = stack.spawn(out, err, "local", "logs", "-f", "-n", "1", "flood");
            Process tail = new ProcessBuilder("tail", "-F", "-n", "1", log.toString())
                    .redirectOutput(tailOut.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(out) >= 2 && Files.size(tailOut) >= 2);

                long started = System.nanoTime();
                Process writer = new ProcessBuilder("sh", "-c", "seq 1 " + lines + " >> \"$1\"", "writer", log.toString()).start();
                assertThat(writer.waitFor(60, TimeUnit.SECONDS)).isTrue();
                long wrote = System.nanoTime() - started;
                long expected = 2 + IntStream.rangeClosed(1, lines).mapToLong(i -> Integer.toString(i).length() + 1).sum();
                long[] doneAt = new long[2];
                long deadline = started + TimeUnit.SECONDS.toNanos(60);
                while (doneAt[0] == 0 && System.nanoTime() < deadline && cli.isAlive()
                        || doneAt[1] == 0 && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15)) {
                    if (doneAt[0] == 0 && Files.size(out) >= expected) {
                        doneAt[0] = System.nanoTime();
                    }
                    if (doneAt[1] == 0 && Files.size(tailOut) >= expected) {
                        doneAt[1] = System.nanoTime();
                    }
                    Thread.sleep(10);
                }
                System.out.printf("flood of %.1f MB written in %d ms; logs -f: %d lines, %.0f MB/s; tail -F: %d lines%s%n",
                        expected / 1e6, wrote / 1_000_000, countLines(out), expected / 1e6 / ((doneAt[0] - started) / 1e9),
                        countLines(tailOut), doneAt[1] == 0 ? " (never all of them)"
                                : String.format(", %.0f MB/s", expected / 1e6 / ((doneAt[1] - started) / 1e9)));
            } finally {
                cli.destroy();
                tail.destroy();
                cli.waitFor();
                tail.waitFor();
            }
        }
        assertThat(Files.readString(err)).as("stderr of logs -f").isEmpty();
        try (BufferedReader printed = Files.newBufferedReader(out, StandardCharsets.US_ASCII)) {
            for (int i = 0; i <= lines; i++) {
                String line = printed.readLine();
                if (!Integer.toString(i).equals(line)) {
                    throw new AssertionError("line " + i + " of the flood came as '" + line + "'");
                }
            }
            assertThat(printed.readLine()).as("nothing after the last").isNull();
        }
    }

    private static long countLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            return lines.count();
        }
    }

    private record ReaderGone(String firstLine, boolean exited, long millisToExit, int exitCode) {
    }

    private static ReaderGone readOneLineThenClose(Stack stack, String... args) throws Exception {
        Path stderr = stack.home.resolveSibling("logs-stderr.txt");
        Process cli = stack.spawnWithPipedOutput(stderr, args);
        try {
            String first = new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8)).readLine();
            cli.getInputStream().close(); // the only reader of the pipe: it is closed now
            long closed = System.nanoTime();
            boolean exited = cli.waitFor(10, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
            assertThat(Files.readString(stderr)).as("stderr").isEmpty();
            return new ReaderGone(first, exited, millis, exited ? cli.exitValue() : -1);
        } finally {
            cli.destroyForcibly().waitFor();
        }
    }

    private static void writeLog(Stack stack, int lines) throws Exception {
        Path log = stack.stigmerHome().ensureCreated().logFile("temporal");
        Files.writeString(log, IntStream.range(0, lines).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining()));
    }
}
