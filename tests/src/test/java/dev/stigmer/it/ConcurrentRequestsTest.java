package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bursts of concurrent CLI calls (real processes): the daemon alone decides, so restarts and
 * starts that cross each other all succeed, and a stop between them ends the waits of the calls
 * before it at once, saying a stop was asked for, while the calls after it start again.
 */
@ExtendWith(StackExtension.class)
class ConcurrentRequestsTest {
    private static final String STOP_ASKED = "a `stigmer local stop` was asked for";

    /** A call running in the background, its output in a file. */
    private record Call(String what, Process process, Path output) {
        CliResult await(Duration limit) throws Exception {
            long started = System.nanoTime();
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(what + " did not end within " + limit + ": " + Files.readString(output));
            }
            return new CliResult(process.exitValue(), Files.readString(output), "", (System.nanoTime() - started) / 1_000_000);
        }
    }

    private static Call spawn(Stack stack, String name, String... args) throws Exception {
        Path output = stack.home.resolveSibling(name + ".out");
        return new Call(String.join(" ", args), stack.spawn(output, args), output);
    }

    @Test
    void concurrentRestartsAndStartsAllSucceedAndLeaveOneTemporalServing(Stack stack) throws Exception {
        stack.project("""
                services:
                  api:
                    command: exec sleep 600
                    depends_on: [temporal]
                """);
        stack.start();
        long daemon = stack.daemonPid();
        for (int round = 0; round < 2; round++) {
            List<Call> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(spawn(stack, "restart-" + round + "-" + i, "local", "restart"));
                calls.add(spawn(stack, "start-" + round + "-" + i, "local"));
            }
            for (Call call : calls) {
                CliResult result = call.await(Duration.ofSeconds(150));
                assertThat(result.exitCode()).as(call.what() + ": " + result.stdout() + "\n--- daemon log\n" + stack.log("daemon"))
                        .isZero();
                assertThat(result.stdout()).doesNotContain("went away").doesNotContain("no component named");
            }
        }
        assertThat(stack.daemonPid()).as("restarts go to the daemon; it stays").isEqualTo(daemon);
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(stack.owned("api")).hasSize(1);
        assertThat(stack.state("temporal")).isEqualTo("running");
        assertThat(Workflows.runGreeting(stack.address(), "burst")).isEqualTo("HELLO BURST");
    }

    @Test
    void aStopBetweenStartsEndsTheWaitsBeforeItAndTheStartsAfterItStartAgain(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  gated:
                    command: exec sleep 600
                    ready: {exec: test -f go, interval: 100ms}
                """);
        List<Call> before = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            before.add(spawn(stack, "before-" + i, "local"));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.daemonPid() > 0 && stack.pid("gated") > 0);
        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        for (Call call : before) {
            CliResult result = call.await(Duration.ofSeconds(20)); // at once, not after the 60 s timeout
            assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
            assertThat(result.stdout()).as(call.what()).contains(STOP_ASKED).doesNotContain("went away")
                    .doesNotContain("keeps trying");
        }
        Files.writeString(dir.resolve("go"), "");
        List<Call> after = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            after.add(spawn(stack, "after-" + i, "local"));
        }
        for (Call call : after) {
            CliResult result = call.await(Duration.ofSeconds(120));
            assertThat(result.exitCode()).as(result.stdout()).isZero();
        }
        assertThat(stack.state("gated")).isEqualTo("running");
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(stack.owned("daemon")).hasSize(1);
    }

    @Test
    void aStartWhoseTargetIsStoppedByAnotherCallEndsAtOnceSayingSo(Stack stack) throws Exception {
        stack.project("""
                services:
                  gated:
                    command: exec sleep 600
                    ready: {exec: test -f go, interval: 100ms}
                  other:
                    command: exec sleep 600
                """);
        Call start = spawn(stack, "start", "local");
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.daemonPid() > 0 && stack.pid("gated") > 0);
        long stopAsked = System.nanoTime();
        CliResult stop = stack.run("local", "stop", "gated");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        CliResult result = start.await(Duration.ofSeconds(20));
        assertThat((System.nanoTime() - stopAsked) / 1_000_000_000).as("ends at once, not after its 60 s").isLessThan(20);
        assertThat(result.exitCode()).as(result.stdout()).isEqualTo(1);
        assertThat(result.stdout()).contains("gated was stopped while this start waited for it").contains(STOP_ASKED)
                .doesNotContain("keeps trying");
        assertThat(stack.state("gated")).isEqualTo("stopped");
        assertThat(stack.state("other")).isEqualTo("running");
    }
}
