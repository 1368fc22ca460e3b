package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A full `stop` forgets every member, whichever way it went: after it, a one-shot runs again, as
 * after a normal stop (the new embedded Temporal starts empty: a one-shot that seeds it must run).
 */
@ExtendWith(StackExtension.class)
class FullStopRecordsTest {
    private static final String SEEDED = """
            services:
              migrate:
                command: echo run >> runs.txt
                restart: "no"
              web:
                command: exec sleep 600
                depends_on:
                  migrate: {condition: completed}
            """;

    @Test
    void aCompletedOneShotRunsAgainAfterAStopThatFollowedAKillNineOfTheDaemon(Stack stack) throws Exception {
        Path dir = stack.project(SEEDED);
        stack.start();
        assertThat(stack.state("migrate")).isEqualTo("completed");
        Stack.killAndAwaitGone(stack.daemonPid());

        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stack.stigmerHome().componentRecord("migrate")).doesNotExist();
        assertThat(stack.stigmerHome().componentRecord("web")).doesNotExist();

        stack.start();
        assertThat(Files.readAllLines(dir.resolve("runs.txt"))).as("run again after the stop").containsExactly("run", "run");
        assertThat(stack.state("web")).isEqualTo("running");
    }

    @Test
    void aCompletedOneShotRunsAgainAfterTheCliStoppedWhatAKilledDaemonLeft(Stack stack) throws Exception {
        Path dir = stack.project(SEEDED);
        stack.start();
        Stack.killAndAwaitGone(stack.daemonPid());
        // A broken installation: no daemon can start, so the CLI stops the leftovers itself.
        Path log = stack.stigmerHome().logFile("daemon");
        Files.delete(log);
        Files.createDirectory(log);

        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.stdout() + stop.stderr()).contains("stopping what the last daemon left from here instead");
        assertThat(stack.stigmerHome().componentRecord("migrate")).doesNotExist();

        Files.delete(log);
        stack.start();
        assertThat(Files.readAllLines(dir.resolve("runs.txt"))).containsExactly("run", "run");
    }
}
