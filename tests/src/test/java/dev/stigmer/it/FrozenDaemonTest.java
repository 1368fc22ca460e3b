package dev.stigmer.it;

import com.google.gson.JsonObject;
import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A daemon frozen with SIGSTOP keeps its socket: connections queue and nothing answers. The CLI
 * must say so within seconds, and stop must end it (SIGTERM with SIGCONT) without waiting out
 * long timeouts.
 */
@ExtendWith(StackExtension.class)
class FrozenDaemonTest {

    @Test
    void statusAndStartOfAFrozenDaemonSayWithinSecondsWhatToDo(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        Linux.kill(daemon, Linux.SIGSTOP);
        try {
            for (String[] command : new String[][]{{"local", "status"}, {"local", "status", "--json"}, {"local"}}) {
                CliResult result = stack.run(command);
                assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
                assertThat(result.millis()).as(result.toString()).isLessThan(5_000);
                assertThat(result.errorLines()).as(result.toString()).hasSize(1);
                assertThat(result.stderr()).as(result.toString()).contains("pid " + daemon)
                        .contains("kill -CONT " + daemon).contains("stigmer local stop");
                assertThat(result.showsJavaInternals()).as(result.toString()).isFalse();
            }
        } finally {
            Linux.kill(daemon, Linux.SIGCONT);
        }
        JsonObject temporal = stack.temporal();
        assertThat(temporal.get("state").getAsString()).isEqualTo("running");
        assertThat(ProcessIdentity.of(temporal.get("pid").getAsLong())).isPresent();
    }

    /**
     * A command that said the frozen daemon cannot answer had no effect: its request, queued on the
     * socket, is not carried out once the daemon is resumed (it was: Temporal stopped seconds later).
     */
    @Test
    void aRequestItsCallerGaveUpOnIsNotCarriedOutWhenTheDaemonIsResumed(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        Linux.kill(daemon, Linux.SIGSTOP);
        try {
            CliResult stop = stack.run("local", "stop", "temporal");
            assertThat(stop.exitCode()).as(stop.toString()).isEqualTo(1);
            assertThat(stop.stderr()).contains("kill -CONT " + daemon);
        } finally {
            Linux.kill(daemon, Linux.SIGCONT);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> stack.log("daemon").contains("whose caller had gone"));
        assertThat(stack.temporalPid()).isEqualTo(temporal);
        assertThat(stack.temporalState()).isEqualTo("running");
        assertThat(stack.run("local", "status").exitCode()).isZero();
    }

    @Test
    void stopEndsAFrozenDaemonAndEverythingItRuns(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        Linux.kill(daemon, Linux.SIGSTOP);
        try {
            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(stop.stdout()).contains("Stopped");
            // The stack's grace is 3 s: SIGTERM reaches the daemon at once with SIGCONT.
            assertThat(stop.millis()).as(stop.toString()).isLessThan(15_000);
        } finally {
            Linux.kill(daemon, Linux.SIGCONT);
        }
        assertThat(stack.ownedProcesses()).isEmpty();
        assertThat(ProcessIdentity.of(daemon)).isEmpty();
        CliResult status = stack.run("local", "status");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(3);
        assertThat(Stack.isFree(stack.port)).isTrue();
    }
}
