package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

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
