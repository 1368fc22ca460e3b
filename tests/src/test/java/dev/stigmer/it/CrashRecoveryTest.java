package dev.stigmer.it;

import com.google.gson.JsonObject;
import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ExtendWith(StackExtension.class)
class CrashRecoveryTest {

    @Test
    void killNineOfTemporalIsSeenAtOnceAndItServesAgain(Stack stack) throws Exception {
        stack.start();
        long pid = stack.temporalPid();
        Linux.kill(pid, Linux.SIGKILL);
        long killed = System.nanoTime();
        // The replacement exists long before anyone could poll for it: exit is an event, not a poll.
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(5))
                .until(() -> stack.owned("temporal").stream().anyMatch(p -> p.pid() != pid));
        long respawnMillis = (System.nanoTime() - killed) / 1_000_000;
        stack.awaitServing();
        JsonObject temporal = stack.temporal();
        assertThat(temporal.get("pid").getAsLong()).isNotEqualTo(pid);
        assertThat(temporal.get("restarts").getAsInt()).isEqualTo(1);
        assertThat(temporal.get("lastExit").getAsString()).contains("signal 9");
        assertThat(respawnMillis).as("kill -9 to a new Temporal process").isLessThan(3000);
        assertThat(Workflows.runGreeting(stack.address(), "after crash")).isEqualTo("HELLO AFTER CRASH");
    }

    @Test
    void killNineOfTheDaemonLeavesTemporalServingAndTheNextStartAdoptsIt(Stack stack) throws Exception {
        stack.start();
        long temporal = stack.temporalPid();
        long daemon = stack.daemonPid();
        Stack.killAndAwaitGone(daemon);

        assertThat(ProcessIdentity.of(temporal)).as("Temporal outlives its daemon").isPresent();
        assertThat(Workflows.runGreeting(stack.address(), "orphan")).isEqualTo("HELLO ORPHAN");
        CliResult status = stack.run("local", "status", "--json");
        assertThat(status.exitCode()).isEqualTo(3);
        assertThat(stack.temporalPid()).as("status names the unsupervised Temporal").isEqualTo(temporal);

        CliResult start = stack.run("local");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        JsonObject adopted = stack.temporal();
        assertThat(adopted.get("pid").getAsLong()).as("adopted, not restarted").isEqualTo(temporal);
        assertThat(adopted.get("adopted").getAsBoolean()).isTrue();
        assertThat(stack.daemonPid()).isNotEqualTo(daemon).isPositive();
        assertThat(stack.owned("temporal")).extracting(ProcStat::pid).containsExactly(temporal);

        // ...and supervises it: its death is seen through the pidfd and it is replaced.
        Linux.kill(temporal, Linux.SIGKILL);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> stack.owned("temporal").stream().anyMatch(p -> p.pid() != temporal));
        stack.awaitServing();
        assertThat(stack.temporalPid()).isNotEqualTo(temporal);
        assertThat(Workflows.runGreeting(stack.address(), "supervised")).isEqualTo("HELLO SUPERVISED");
    }

    @Test
    void hungTemporalWhosePortStillAcceptsIsDetectedAndReplaced(Stack stack) throws Exception {
        stack.start();
        long pid = stack.temporalPid();
        Linux.kill(pid, Linux.SIGSTOP); // the kernel still completes TCP handshakes for it
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.owned("temporal").stream().noneMatch(p -> p.pid() == pid));
        stack.awaitServing();
        JsonObject temporal = stack.temporal();
        assertThat(temporal.get("pid").getAsLong()).isNotEqualTo(pid);
        assertThat(temporal.get("restarts").getAsInt()).isEqualTo(1);
        assertThat(stack.log("daemon")).contains("unhealthy");
        assertThat(Workflows.runGreeting(stack.address(), "unstuck")).isEqualTo("HELLO UNSTUCK");
    }

    @Test
    void aHungTemporalLeftByADeadDaemonIsKilledAndReplacedNotAdopted(Stack stack) throws Exception {
        stack.start();
        long temporal = stack.temporalPid();
        Linux.kill(stack.daemonPid(), Linux.SIGKILL);
        Linux.kill(temporal, Linux.SIGSTOP);
        CliResult start = stack.run("local");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        long replacement = stack.temporalPid();
        assertThat(replacement).isPositive().isNotEqualTo(temporal);
        assertThat(ProcessIdentity.of(temporal)).as("the hung process was killed").isEmpty();
        assertThat(stack.owned("temporal")).extracting(ProcStat::pid).containsExactly(replacement);
    }
}
