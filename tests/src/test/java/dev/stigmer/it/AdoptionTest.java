package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ExitKeeper;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a daemon that adopts the processes of one killed with kill -9 knows about them: a
 * one-shot's exit status, and whether a service had become ready.
 */
@ExtendWith(StackExtension.class)
class AdoptionTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** A migration that runs until the test creates the file {@code go}: it is surely running when the daemon dies. */
    private static final String MIGRATION = """
            services:
              migrate:
                command: echo run >> runs.txt; while [ ! -f go ]; do sleep 0.1; done; echo migrated >> runs.txt
                restart: "no"
              api:
                command: exec sleep 600
                depends_on:
                  migrate: {condition: completed}
            """;

    @Test
    void aOneShotRunningWhenTheDaemonDiesCompletesUnderTheNextAndIsNotRunAgain(Stack stack) throws Exception {
        Path dir = stack.project(MIGRATION);
        long migratePid = killDaemonWhileMigrateRuns(stack, dir);
        assertThat(ProcessIdentity.of(migratePid).orElseThrow().commandLine())
                .as("status shows the command's own pid").contains("runs.txt").doesNotContain(ExitKeeper.ARGV0);

        Process second = stack.spawn(dir.resolve("second.out"), "local");
        await().atMost(PATIENCE).until(() -> stack.daemonPid() > 0 && stack.component("migrate").get("adopted").getAsBoolean());
        assertThat(stack.pid("migrate")).isEqualTo(migratePid);
        Files.writeString(dir.resolve("go"), "");
        assertThat(second.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).as(Files.readString(dir.resolve("second.out"))).isZero();
        assertThat(stack.state("migrate")).isEqualTo("completed");
        assertThat(stack.component("migrate").get("exitCode").getAsInt()).isZero();
        assertThat(stack.state("api")).isEqualTo("running");
        assertThat(Files.readAllLines(dir.resolve("runs.txt"))).containsExactly("run", "migrated");

        stack.start();
        assertThat(Files.readAllLines(dir.resolve("runs.txt"))).as("a completed one-shot is not run again")
                .containsExactly("run", "migrated");
    }

    @Test
    void aOneShotThatEndedWhileNoDaemonWatchedIsCompletedAndNotRunAgain(Stack stack) throws Exception {
        Path dir = stack.project(MIGRATION);
        killDaemonWhileMigrateRuns(stack, dir);
        Files.writeString(dir.resolve("go"), "");
        await().atMost(PATIENCE).until(() -> Files.readAllLines(dir.resolve("runs.txt")).size() == 2);
        await().atMost(PATIENCE).until(() -> stack.owned("migrate").isEmpty());

        stack.start();
        assertThat(stack.state("migrate")).isEqualTo("completed");
        assertThat(stack.state("api")).isEqualTo("running");
        assertThat(Files.readAllLines(dir.resolve("runs.txt"))).containsExactly("run", "migrated");
    }

    @Test
    void aOneShotThatFailedWhileNoDaemonWatchedIsExitedWithItsCode(Stack stack) throws Exception {
        Path dir = stack.project(MIGRATION.replace("echo migrated >> runs.txt", "exit 4"));
        killDaemonWhileMigrateRuns(stack, dir);
        Files.writeString(dir.resolve("go"), "");
        await().atMost(PATIENCE).until(() -> stack.owned("migrate").isEmpty());

        CliResult again = stack.run("local");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(stack.state("migrate")).isEqualTo("exited");
        assertThat(stack.component("migrate").get("exitCode").getAsInt()).isEqualTo(4);
        assertThat(Files.readAllLines(dir.resolve("runs.txt"))).as("restart \"no\": not run again").containsExactly("run");
    }

    /** Starts the stack, kills the daemon with kill -9 while migrate waits for its go; returns migrate's pid. */
    private static long killDaemonWhileMigrateRuns(Stack stack, Path dir) throws Exception {
        Process first = stack.spawn(dir.resolve("first.out"), "local");
        await().atMost(PATIENCE).until(() -> Files.exists(dir.resolve("runs.txt")));
        long pid = await().atMost(PATIENCE).until(() -> stack.pid("migrate"), p -> p > 0);
        killDaemon(stack);
        first.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        return pid;
    }

    @Test
    void anAdoptedServiceThatWasNotReadyWaitsForItsProbeAndSoDoesItsDependent(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  slow:
                    command: touch started; while [ ! -f go ]; do sleep 0.1; done; echo READY-NOW; exec sleep 600
                    ready: {log: READY-NOW}
                  dependent:
                    command: exec sleep 600
                    depends_on: [slow]
                """);
        Process first = stack.spawn(dir.resolve("first.out"), "local");
        await().atMost(PATIENCE).until(() -> Files.exists(dir.resolve("started")));
        long slow = await().atMost(PATIENCE).until(() -> stack.pid("slow"), pid -> pid > 0);
        killDaemon(stack);
        first.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        Process second = stack.spawn(dir.resolve("second.out"), "local");
        await().atMost(PATIENCE).until(() -> stack.daemonPid() > 0 && stack.component("slow").get("adopted").getAsBoolean());
        // Held for two seconds: adopted without its line, it must not pass for ready.
        await().during(Duration.ofSeconds(2)).atMost(PATIENCE).until(() -> states(stack, "slow", "dependent"),
                states -> states.equals("starting waiting"));
        assertThat(stack.owned("dependent")).isEmpty();

        Files.writeString(dir.resolve("go"), "");
        assertThat(second.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isZero();
        assertThat(stack.pid("slow")).as("adopted, not replaced").isEqualTo(slow);
        assertThat(stack.state("slow")).isEqualTo("running");
        assertThat(stack.state("dependent")).isEqualTo("running");
    }

    /** The states of {@code names}, from one status call, joined by spaces. */
    private static String states(Stack stack, String... names) {
        com.google.gson.JsonObject status = stack.status();
        java.util.List<String> states = new java.util.ArrayList<>();
        for (String name : names) {
            for (com.google.gson.JsonElement c : status.getAsJsonArray("components")) {
                if (c.getAsJsonObject().get("name").getAsString().equals(name)) {
                    states.add(c.getAsJsonObject().get("state").getAsString());
                }
            }
        }
        return String.join(" ", states);
    }

    private static void killDaemon(Stack stack) throws Exception {
        long daemon = stack.daemonPid();
        Stack.killAndAwaitGone(daemon);
    }
}
