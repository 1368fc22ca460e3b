package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Temporal is a member of the stack like any service: its definition comes with every start, a
 * change replaces it inside the same daemon, and it is restarted, stopped, started, shown and
 * logged by name, with the same dependency rules.
 */
@ExtendWith(StackExtension.class)
class TemporalMemberTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static String yaml(int port) {
        return """
                temporal: {port: %d}
                services:
                  plain:
                    command: exec sleep 600
                  client:
                    command: env > client.env; exec sleep 600
                  follower:
                    command: exec sleep 600
                    depends_on:
                      temporal: {condition: healthy, restart: true}
                """.formatted(port);
    }

    @Test
    void editingTheTemporalSectionReplacesTemporalInTheSameDaemonAndOnlyWhatDependsOnIt(Stack stack) throws Exception {
        int first = Stack.freePort();
        int second = Stack.freePort();
        stack.env.remove("STIGMER_TEMPORAL_PORT"); // the file says where Temporal listens
        Path dir = stack.project(yaml(first));
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        long client = stack.pid("client");
        long follower = stack.pid("follower");
        assertThat(Files.readString(dir.resolve("client.env"))).contains("TEMPORAL_ADDRESS=127.0.0.1:" + first + "\n");

        // A new port: Temporal and the services that get its address are replaced; the daemon stays.
        Files.writeString(dir.resolve("stigmer.yaml"), yaml(second));
        CliResult moved = stack.start();
        assertThat(moved.stdout()).contains("temporal: changed in " + dir.resolve("stigmer.yaml") + ", replaced")
                .contains("Temporal is running at 127.0.0.1:" + second);
        assertThat(stack.daemonPid()).as("the daemon is not replaced").isEqualTo(daemon);
        assertThat(stack.temporalPid()).isNotEqualTo(temporal).isPositive();
        assertThat(stack.pid("client")).as("its TEMPORAL_ADDRESS changed: replaced").isNotEqualTo(client);
        assertThat(Files.readString(dir.resolve("client.env"))).contains("TEMPORAL_ADDRESS=127.0.0.1:" + second + "\n");
        assertThat(Stack.isFree(first)).isTrue();
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(stack.owned("daemon")).hasSize(1);
        assertThat(follower).isPositive();
    }

    @Test
    void aChangedHealthIntervalReplacesTemporalOnlyAndRestartTrueDependentsFollowIt(Stack stack) throws Exception {
        Pids started = startTheStack(stack);
        long daemon = started.daemon();
        long temporal = started.temporal();
        long plain = started.plain();
        long follower = started.follower();
        long client = started.client();
        assertThat(stack.status().getAsJsonObject("daemon").getAsJsonObject("settings")
                .get("healthIntervalMillis").getAsLong()).isEqualTo(500);

        // Part of Temporal's definition: applied by the next start, never silently dropped.
        CliResult changed = stack.run(Map.of("STIGMER_HEALTH_INTERVAL", "700ms"), "local");
        assertThat(changed.exitCode()).as(changed.toString()).isZero();
        assertThat(changed.stdout()).contains("temporal: changed in").contains("replaced");
        assertThat(stack.status().getAsJsonObject("daemon").getAsJsonObject("settings")
                .get("healthIntervalMillis").getAsLong()).as("the new interval is the one Temporal runs with").isEqualTo(700);
        assertThat(stack.daemonPid()).isEqualTo(daemon);
        assertThat(stack.temporalPid()).isNotEqualTo(temporal);
        assertThat(stack.pid("plain")).as("its definition did not change").isEqualTo(plain);
        assertThat(stack.pid("client")).as("same address, same variables: kept").isEqualTo(client);
        // restart: true on temporal: restarted once the new Temporal is ready, and counted.
        await().atMost(PATIENCE).until(() -> stack.pid("follower") != follower && "running".equals(stack.state("follower")));
        assertThat(stack.component("follower").get("restarts").getAsInt()).isEqualTo(1);
        assertThat(stack.log("daemon")).contains("follower: temporal is ready again as a new process");
    }

    @Test
    void temporalIsRestartedStoppedStartedShownAndLoggedByName(Stack stack) throws Exception {
        Pids started = startTheStack(stack);
        long daemon = started.daemon();
        long temporal = started.temporal();
        long plain = started.plain();
        long follower = started.follower();

        CliResult restart = stack.run("local", "restart", "temporal");
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(stack.temporalPid()).isNotEqualTo(temporal).isPositive();
        assertThat(stack.state("temporal")).isEqualTo("running");
        await().atMost(PATIENCE).until(() -> "running".equals(stack.state("follower")));
        assertThat(stack.pid("follower")).as("restart: true follows Temporal").isNotEqualTo(follower);
        assertThat(stack.pid("plain")).isEqualTo(plain);
        assertThat(stack.daemonPid()).isEqualTo(daemon);

        CliResult stop = stack.run("local", "stop", "temporal");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stack.state("temporal")).isEqualTo("stopped");
        assertThat(stack.owned("temporal")).isEmpty();
        assertThat(Stack.isFree(stack.port)).isTrue();
        assertThat(stack.pid("plain")).as("a stop of one member leaves the others").isEqualTo(plain);
        CliResult status = stack.run("local", "status", "temporal");
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.stdout()).contains("temporal").contains("stopped").doesNotContain("plain");

        CliResult start = stack.run("local", "start", "temporal");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(stack.state("temporal")).isEqualTo("running");
        assertThat(Workflows.runGreeting(stack.address(), "member")).isEqualTo("HELLO MEMBER");
        CliResult logs = stack.run("local", "logs", "temporal");
        assertThat(logs.exitCode()).isZero();
        assertThat(stack.daemonPid()).isEqualTo(daemon);
    }

    /** Each member's pid once the stack of {@link #yaml} first ran, with Temporal on the port the file gives. */
    private record Pids(long daemon, long temporal, long plain, long client, long follower) {
    }

    private static Pids startTheStack(Stack stack) throws Exception {
        stack.project(yaml(stack.port));
        stack.env.remove("STIGMER_TEMPORAL_PORT");
        stack.start();
        return new Pids(stack.daemonPid(), stack.temporalPid(), stack.pid("plain"), stack.pid("client"), stack.pid("follower"));
    }
}
