package dev.stigmer.it;

import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The daemon's files taken from under it while it runs. A lost socket is bound again; a lost
 * lock (run/ deleted, the home renamed) makes the daemon stop everything and exit, so the next
 * start is the only daemon of the home instead of a second one.
 */
@ExtendWith(StackExtension.class)
class HomeLossTest {

    @Test
    void aDeletedSocketIsBoundAgainAndTheDaemonAnswers(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        Files.delete(stack.stigmerHome().socket());

        await().atMost(Duration.ofSeconds(5)).until(() -> stack.run("local", "status").exitCode() == 0);
        assertThat(stack.daemonPid()).isEqualTo(daemon);
        CliResult start = stack.run("local");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        assertThat(start.stdout()).contains("already running");
        assertThat(start.millis()).as(start.toString()).isLessThan(10_000);
        assertThat(stack.temporalPid()).isEqualTo(temporal);
        assertThat(stack.owned("daemon")).hasSize(1);
    }

    @Test
    void aDeletedRunDirectoryEndsTheDaemonAndTheNextStartIsTheOnlyOne(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        deleteTree(stack.stigmerHome().runDir());

        awaitGone(daemon, temporal);
        stack.start();
        assertThat(stack.owned("daemon")).hasSize(1);
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(stack.temporalState()).isEqualTo("running");
    }

    @Test
    void aRenamedHomeEndsItsDaemonAndTheNextStartIsTheOnlyOne(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        Files.move(stack.home, stack.home.resolveSibling("home-renamed"));

        awaitGone(daemon, temporal);
        stack.start();
        assertThat(stack.owned("daemon")).hasSize(1);
        assertThat(stack.owned("temporal")).hasSize(1);
        assertThat(stack.temporalState()).isEqualTo("running");
    }

    private static void awaitGone(long daemon, long temporal) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(ProcessIdentity.of(daemon)).as("the daemon of the lost home").isEmpty();
            assertThat(ProcessIdentity.of(temporal)).as("its Temporal").isEmpty();
        });
    }

    private static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
