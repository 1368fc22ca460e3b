package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `stigmer local env` names the Temporal that `stigmer local` runs here. From a directory without
 * a stack file, a start keeps the running stack's Temporal, so env names that one too, not the
 * default port (`eval "$(stigmer local env)"` pointed clients at nothing, or at a stranger).
 */
@ExtendWith(StackExtension.class)
class EnvCommandTest {

    @Test
    void withoutAStackFileHereItNamesTheTemporalOfTheRunningStack(Stack stack) throws Exception {
        stack.env.remove("STIGMER_TEMPORAL_PORT"); // the port comes from the stack file alone
        stack.project("temporal:\n  port: " + stack.port + "\nservices:\n  idle:\n    command: sleep 600\n");
        stack.start();
        String address = "127.0.0.1:" + stack.port;
        assertThat(stack.run("local", "env").stdout()).contains("export TEMPORAL_ADDRESS=" + address + "\n");

        stack.cwd = Files.createDirectories(stack.home.resolveSibling("elsewhere"));
        CliResult env = stack.run("local", "env");
        assertThat(env.exitCode()).as(env.toString()).isZero();
        assertThat(env.stdout()).contains("export TEMPORAL_ADDRESS=" + address + "\n");

        CliResult start = stack.run("local");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(start.stdout() + start.stderr()).contains("already running at " + address).doesNotContain(":7233");

        // A port asked for explicitly is what env names (and what a start would ask the daemon for).
        CliResult asked = stack.run(java.util.Map.of("STIGMER_TEMPORAL_PORT", "17999"), "local", "env");
        assertThat(asked.stdout()).contains("export TEMPORAL_ADDRESS=127.0.0.1:17999\n");
    }

    @Test
    void withoutAStackFileItNamesTheTemporalThatRunsAloneOrElseTheDefault(Stack stack) throws Exception {
        stack.env.remove("STIGMER_TEMPORAL_PORT");
        stack.cwd = Files.createDirectories(stack.home.resolveSibling("elsewhere"));
        assertThat(stack.run("local", "env").stdout()).contains("export TEMPORAL_ADDRESS=127.0.0.1:7233\n");
        CliResult alone = stack.run("local", "--temporal-port", Integer.toString(stack.port));
        assertThat(alone.exitCode()).as(alone.toString()).isZero();
        assertThat(stack.run("local", "env").stdout()).contains("export TEMPORAL_ADDRESS=127.0.0.1:" + stack.port + "\n");
        stack.run("local", "stop");
        assertThat(stack.run("local", "env").stdout()).contains("export TEMPORAL_ADDRESS=127.0.0.1:7233\n");
    }

    @Test
    void envAndConfigOfferOnlyTheOptionsThatChangeWhatTheyPrint(Stack stack) {
        for (String command : java.util.List.of("env", "config")) {
            CliResult help = stack.run("local", command, "--help");
            assertThat(help.stdout()).as(command).contains("--temporal-port", "--file").doesNotContain("--timeout", "--no-watch");
            assertThat(stack.run("local", command, "--timeout", "5s").exitCode()).as(command + " --timeout").isEqualTo(2);
        }
        assertThat(stack.run("local", "start", "--help").stdout()).contains("--timeout", "--no-watch");
    }
}
