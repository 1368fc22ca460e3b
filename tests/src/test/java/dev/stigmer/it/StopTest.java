package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.process.ProcessSignals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stop kills every process it started, whole trees, also those that ignore SIGTERM or escaped
 * into a session of their own, and returns only when they are gone (zombies count as gone).
 */
@ExtendWith(StackExtension.class)
class StopTest {

    @Test
    void stopKillsAChildThatIgnoresSigtermAndAGrandchildThatEscapedWithSetsid(Stack stack) throws Exception {
        List<ProcessIdentity> tree = startStubbornTree(stack);

        CliResult stop = stack.run("local", "stop");

        // No waiting: stop must return only once they are gone.
        List<ProcessIdentity> alive = tree.stream().filter(ProcessIdentity::isAlive).toList();
        boolean portFree = Stack.isFree(stack.port);
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(alive).as("alive right after stop returned").isEmpty();
        assertThat(portFree).as("port " + stack.port + " free right after stop returned").isTrue();
        assertThat(stack.ownedProcesses()).isEmpty();
        assertThat(stack.status().get("daemon").isJsonNull()).isTrue();
    }

    @Test
    void stopAfterTheDaemonWasKilledStillKillsTheWholeTree(Stack stack) throws Exception {
        List<ProcessIdentity> tree = startStubbornTree(stack);
        ProcessIdentity daemon = ProcessIdentity.of(stack.daemonPid()).orElseThrow();
        assertThat(ProcessSignals.send(daemon, Linux.SIGKILL)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> !daemon.isAlive());
        assertThat(tree).as("the tree outlives its daemon").allMatch(ProcessIdentity::isAlive);

        CliResult stop = stack.run("local", "stop");

        List<ProcessIdentity> alive = tree.stream().filter(ProcessIdentity::isAlive).toList();
        boolean portFree = Stack.isFree(stack.port);
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(alive).as("alive right after stop returned").isEmpty();
        assertThat(portFree).as("port " + stack.port + " free right after stop returned").isTrue();
        assertThat(stack.ownedProcesses()).isEmpty();
    }

    /**
     * A daemon ended by SIGTERM (or Ctrl-C in the foreground) stops as a requested stop does: the
     * whole stack, its last log lines written, its record and socket removed (a record left behind
     * means "killed"), nothing left running.
     */
    @Test
    void sigtermToTheDaemonStopsEverythingWritesItsLastLinesAndRemovesItsRecordAndSocket(Stack stack) throws Exception {
        List<ProcessIdentity> tree = startStubbornTree(stack);
        ProcessIdentity daemon = ProcessIdentity.of(stack.daemonPid()).orElseThrow();

        assertThat(ProcessSignals.send(daemon, Linux.SIGTERM)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> !daemon.isAlive());

        List<String> log = stack.log("daemon").lines().toList();
        assertThat(log).as(stack.log("daemon")).anyMatch(line -> line.endsWith("temporal: stopping -> stopped"));
        assertThat(log.getLast()).as(stack.log("daemon")).endsWith(" stopped").doesNotContain("temporal");
        assertThat(stack.stigmerHome().daemonRecord()).as("a record left behind means killed").doesNotExist();
        assertThat(stack.stigmerHome().socket()).doesNotExist();
        assertThat(tree.stream().filter(ProcessIdentity::isAlive).toList()).as("alive after the daemon ended").isEmpty();
        assertThat(stack.ownedProcesses()).isEmpty();
        assertThat(Stack.isFree(stack.port)).isTrue();
    }

    /** Starts the stubborn stand-in; returns Temporal's leader, the SIGTERM-ignoring child and the escapee. */
    private static List<ProcessIdentity> startStubbornTree(Stack stack) throws Exception {
        Path pids = stack.home.resolveSibling("stubborn-pids.txt");
        Path temporal = StandIns.withStubbornTree(stack.home.resolveSibling("bin"), pids);
        stack.start("--temporal-bin", temporal.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 2);

        List<ProcessIdentity> tree = new ArrayList<>();
        tree.add(ProcessIdentity.of(stack.temporalPid()).orElseThrow());
        for (String line : Files.readAllLines(pids)) {
            long pid = Long.parseLong(line.substring(line.indexOf(' ') + 1).strip());
            tree.add(ProcessIdentity.of(pid).orElseThrow(() -> new AssertionError(line + " is not alive")));
        }
        assertThat(tree).hasSize(3);
        ProcessIdentity escapee = tree.get(2);
        assertThat(dev.stigmer.process.ProcFs.stat(escapee.pid()).orElseThrow().sid())
                .as("the escapee leads a session of its own").isEqualTo(escapee.pid());
        return tree;
    }
}
