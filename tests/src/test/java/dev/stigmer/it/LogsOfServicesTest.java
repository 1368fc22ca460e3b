package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * `stigmer local logs` against a running stack whose services come and go: a service that has
 * not started yet (waiting for a dependency) has no log file, but it is a name `logs` knows;
 * `logs -f` without names follows a service added while it runs, from its first line.
 */
@ExtendWith(StackExtension.class)
class LogsOfServicesTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aServiceWaitingForItsDependencyIsKnownAndFollowedFromItsFirstLineOnceItStarts(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  gate:
                    command: exec sleep 600
                    ready: {exec: test -f open, interval: 100ms}
                  app:
                    command: echo app says hi; echo second line; exec sleep 600
                    depends_on: [gate]
                """);
        Process start = stack.spawn(dir.resolveSibling("start-out.txt"), "local", "start");
        Process follow = null;
        try {
            await().atMost(PATIENCE).ignoreExceptions().until(() -> stack.state("app").equals("waiting"));
            assertThat(stack.stigmerHome().logFile("app")).as("a waiting service has no log yet").doesNotExist();

            CliResult tail = stack.run("local", "logs", "app");
            assertThat(tail.exitCode()).as(tail.toString()).isZero();
            assertThat(tail.stdout()).isEmpty();
            assertThat(tail.stderr()).contains("app has no log yet");

            CliResult unknown = stack.run("local", "logs", "nosuch");
            assertThat(unknown.exitCode()).isEqualTo(2);
            assertThat(unknown.stderr()).contains("no log named 'nosuch'").contains("app").contains("gate");

            Path out = dir.resolveSibling("follow-out.txt");
            Path err = dir.resolveSibling("follow-err.txt");
            follow = stack.spawn(out, err, "local", "logs", "-f", "app");
            assertThat(follow.waitFor(3, TimeUnit.SECONDS)).as("logs -f app waits for the log: " + Files.readString(err)).isFalse();
            assertThat(stack.stigmerHome().logFile("app")).as("still not started while logs -f began").doesNotExist();

            Files.writeString(dir.resolve("open"), "");
            Path followed = out;
            await().atMost(PATIENCE).until(() -> Files.readString(followed).equals("app says hi\nsecond line\n"));
            assertThat(Files.readString(err)).isEmpty();
            assertThat(start.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(start.exitValue()).isZero();
        } finally {
            if (follow != null) {
                follow.destroyForcibly().waitFor();
            }
            start.destroyForcibly().waitFor();
        }
    }

    @Test
    void followingEveryLogPicksUpAServiceAddedWhileFollowingFromItsFirstLine(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  first:
                    command: echo first up; exec sleep 600
                """);
        stack.start();
        Path out = dir.resolveSibling("follow-out.txt");
        Path err = dir.resolveSibling("follow-err.txt");
        Process follow = stack.spawn(out, err, "local", "logs", "-f");
        try {
            await().atMost(PATIENCE).until(() -> Files.readString(out).contains("first    | first up\n"));

            Files.writeString(dir.resolve("stigmer.yaml"), """
                    services:
                      first:
                        command: echo first up; exec sleep 600
                      later:
                        command: for i in $(seq 1 500); do echo "later $i"; done; exec sleep 600
                    """);
            stack.start();

            List<String> expected = IntStream.rangeClosed(1, 500).mapToObj(i -> "later    | later " + i).toList();
            await().atMost(PATIENCE).until(() -> Files.readString(out).lines().filter(l -> l.startsWith("later ")).count() >= 500);
            assertThat(Files.readString(out).lines().filter(l -> l.startsWith("later ")).toList())
                    .as("every line of the new log, once, in order, with its own prefix").isEqualTo(expected);
            assertThat(Files.readString(err)).isEmpty();
        } finally {
            follow.destroyForcibly().waitFor();
        }
    }
}
