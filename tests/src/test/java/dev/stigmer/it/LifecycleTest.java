package dev.stigmer.it;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(StackExtension.class)
class LifecycleTest {

    @Test
    void startServesThenStopLeavesNothingThenStartWorksAgain(Stack stack) {
        CliResult first = stack.start();
        assertThat(first.stdout()).contains("Temporal is running at " + stack.address()).contains("embedded");
        assertThat(first.stdout()).contains("keeps nothing across restarts").contains("`stigmer temporal install`");
        long pid = stack.temporalPid();
        assertThat(stack.owned("temporal")).extracting(p -> p.pid()).contains(pid);
        assertThat(Workflows.runGreeting(stack.address(), "stack")).isEqualTo("HELLO STACK");

        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stack.ownedProcesses()).isEmpty();
        assertThat(Stack.isFree(stack.port)).isTrue();

        stack.start();
        assertThat(stack.temporalPid()).isNotEqualTo(pid).isPositive();
        assertThat(stack.temporalState()).isEqualTo("running");
    }

    @Test
    void secondStartIsHarmlessAndKeepsTheSameProcesses(Stack stack) {
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        CliResult again = stack.start();
        assertThat(again.stdout()).contains("already running");
        assertThat(stack.daemonPid()).isEqualTo(daemon);
        assertThat(stack.temporalPid()).isEqualTo(temporal);
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(stack.owned("daemon")).hasSize(1);
    }

    @Test
    void localWithoutSubcommandIsStart(Stack stack) {
        CliResult result = stack.run("local");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(stack.temporalState()).isEqualTo("running");
    }

    @Test
    void restartReplacesTemporalInTheSameDaemonAndItServesAgain(Stack stack) {
        stack.start();
        long temporal = stack.temporalPid();
        long daemon = stack.daemonPid();
        CliResult restart = stack.run("local", "restart");
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(stack.temporalPid()).isPositive().isNotEqualTo(temporal);
        assertThat(stack.daemonPid()).as("a RESTART to the daemon, not a new daemon").isEqualTo(daemon);
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(Workflows.runGreeting(stack.address(), "again")).isEqualTo("HELLO AGAIN");
    }

    @Test
    void statusJsonFollowsTheContract(Stack stack) {
        JsonObject down = stack.status();
        assertThat(down.get("daemon").isJsonNull()).isTrue();
        assertThat(stack.run("local", "status", "--json").exitCode()).isEqualTo(3);
        JsonObject stopped = down.getAsJsonArray("components").get(0).getAsJsonObject();
        assertThat(stopped.get("state").getAsString()).isEqualTo("stopped");
        assertThat(stopped.get("pid").isJsonNull()).isTrue();

        stack.start();
        CliResult status = stack.run("local", "status", "--json");
        assertThat(status.exitCode()).isZero();
        JsonObject up = stack.status();
        assertThat(up.getAsJsonObject("daemon").get("pid").getAsLong()).isPositive();
        JsonObject temporal = up.getAsJsonArray("components").get(0).getAsJsonObject();
        assertThat(temporal.get("name").getAsString()).isEqualTo("temporal");
        assertThat(temporal.get("state").getAsString()).isEqualTo("running");
        assertThat(temporal.get("pid").getAsLong()).isPositive();
        assertThat(temporal.get("address").getAsString()).isEqualTo(stack.address());
        assertThat(temporal.get("mode").getAsString()).isEqualTo("embedded");
        assertThat(temporal.get("restarts").getAsInt()).isZero();
    }

    @Test
    void statusIsAReadableTableAndExitCodesSayWhatRuns(Stack stack) {
        CliResult down = stack.run("local", "status");
        assertThat(down.exitCode()).isEqualTo(3);
        assertThat(down.stdout()).contains("not running");
        stack.start();
        CliResult up = stack.run("local", "status");
        assertThat(up.exitCode()).isZero();
        assertThat(up.stdout()).contains("COMPONENT").contains("temporal").contains("running")
                .contains(stack.address()).contains("embedded").doesNotContain("\033[");
    }

    @Test
    void startWhileTheDaemonIsShuttingDownWaitsAndStartsAFreshOne(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        dev.stigmer.os.Linux.kill(daemon, dev.stigmer.os.Linux.SIGTERM); // it now stops Temporal, then exits
        CliResult start = stack.run("local");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(stack.daemonPid()).isPositive().isNotEqualTo(daemon);
        assertThat(stack.temporalState()).isEqualTo("running");
        assertThat(stack.owned("temporal")).hasSize(1);
    }

    @Test
    void stopWithNothingRunningSucceeds(Stack stack) {
        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).isZero();
        assertThat(stop.stdout()).contains("Nothing was running");
    }

    @Test
    void logsShowTemporalAndDaemonOutput(Stack stack) {
        stack.start();
        CliResult temporal = stack.run("local", "logs", "-n", "20");
        assertThat(temporal.exitCode()).isZero();
        assertThat(temporal.stdout()).contains("Embedded Temporal (in memory, real time) serving on " + stack.address());
        CliResult daemon = stack.run("local", "logs", "daemon");
        assertThat(daemon.stdout()).contains("temporal: starting -> running");
        CliResult unknown = stack.run("local", "logs", "nonsense");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("temporal, daemon").doesNotContain("Exception");
    }

    @Test
    void homeAndRunDirectoryArePrivateAndTheSocketIsNotReachableByOthers(Stack stack) throws Exception {
        stack.start();
        assertThat(java.nio.file.Files.getPosixFilePermissions(stack.home))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThat(java.nio.file.Files.getPosixFilePermissions(stack.stigmerHome().runDir()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        assertThat(java.nio.file.Files.getPosixFilePermissions(stack.stigmerHome().socket()))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void helpAndVersionExplainThemselves(Stack stack) {
        CliResult help = stack.run("--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("local");
        CliResult localHelp = stack.run("local", "--help");
        assertThat(localHelp.stdout()).contains("start", "stop", "restart", "status", "logs", "--temporal-port");
        CliResult version = stack.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.stdout()).startsWith("stigmer ");
    }
}
