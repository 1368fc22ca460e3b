package dev.stigmer.it;

import dev.stigmer.os.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(StackExtension.class)
class ForegroundTest {

    /** Bare `local` is `local start`: it takes the same options. */
    @ParameterizedTest(name = "stigmer {0}")
    @ValueSource(strings = {"local start --foreground", "local --foreground"})
    void foregroundSupervisesInTheTerminalAndCtrlCStopsEverything(String command, Stack stack) throws Exception {
        Path log = Files.createTempFile("foreground", ".log");
        Process foreground = stack.spawnInOwnSession(log, command.split(" "));
        try {
            stack.awaitServing();
            assertThat(Workflows.runGreeting(stack.address(), "fg")).isEqualTo("HELLO FG");
            Linux.kill(-foreground.pid(), 2); // Ctrl-C: SIGINT to the terminal's foreground group
            assertThat(foreground.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            assertThat(stack.ownedProcesses()).as("nothing outlives the foreground supervisor").isEmpty();
            String output = Files.readString(log);
            assertThat(output).contains("temporal: starting -> running");
            // Its last lines are written, and it leaves what a requested stop leaves: no record, no socket.
            assertThat(output.lines()).as(output).anyMatch(line -> line.endsWith("temporal: stopping -> stopped"))
                    .anyMatch(line -> line.endsWith(" INFO    stopped"));
            assertThat(stack.stigmerHome().daemonRecord()).as("a record left behind means killed").doesNotExist();
            assertThat(stack.stigmerHome().socket()).doesNotExist();
        } finally {
            foreground.destroyForcibly();
        }
    }

    @Test
    void foregroundRefusesWhenADaemonAlreadyRuns(Stack stack) {
        stack.start();
        CliResult foreground = stack.run("local", "start", "--foreground");
        assertThat(foreground.exitCode()).isEqualTo(1);
        assertThat(foreground.stderr()).contains("already running").contains("stigmer local stop");
    }
}
