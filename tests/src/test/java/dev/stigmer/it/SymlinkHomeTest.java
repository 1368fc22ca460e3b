package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.process.ProcessSignals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One home reached through a symlink and through its real path is one home: same daemon, same marks. */
@ExtendWith(StackExtension.class)
class SymlinkHomeTest {

    @Test
    void startedThroughASymlinkThenAdoptedAndStoppedThroughTheRealPath(Stack stack) throws Exception {
        Path link = linkTo(stack);
        try {
            CliResult first = stack.run(Map.of("STIGMER_HOME", link.toString()), "local", "start");
            assertThat(first.exitCode()).as(first.toString()).isZero();
            long temporal = stack.temporalPid();
            killDaemon(stack);

            CliResult again = stack.run("local", "start"); // STIGMER_HOME: the real path
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(stack.temporalPid()).as("its own Temporal adopted, not blamed for the port").isEqualTo(temporal);

            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(Stack.isFree(stack.port)).as("nothing listens after stop").isTrue();
            assertThat(marked(stack, link)).isEmpty();
        } finally {
            marked(stack, link).forEach(p -> ProcessSignals.send(p, Linux.SIGKILL));
        }
    }

    @Test
    void startedThroughTheRealPathThenStoppedThroughASymlink(Stack stack) throws Exception {
        Path link = linkTo(stack);
        try {
            stack.start();
            killDaemon(stack);
            CliResult stop = stack.run(Map.of("STIGMER_HOME", link.toString()), "local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(Stack.isFree(stack.port)).as("nothing listens after stop").isTrue();
            assertThat(marked(stack, link)).isEmpty();
        } finally {
            marked(stack, link).forEach(p -> ProcessSignals.send(p, Linux.SIGKILL));
        }
    }

    private static Path linkTo(Stack stack) throws Exception {
        Files.createDirectories(stack.home);
        return Files.createSymbolicLink(stack.home.resolveSibling("home-link"), stack.home);
    }

    private static void killDaemon(Stack stack) throws Exception {
        long daemon = stack.daemonPid();
        Stack.killAndAwaitGone(daemon);
    }

    private static List<ProcStat> marked(Stack stack, Path link) {
        return java.util.stream.Stream.of(stack.home, link)
                .flatMap(home -> Ownership.scan(home).values().stream().flatMap(List::stream)).toList();
    }
}
