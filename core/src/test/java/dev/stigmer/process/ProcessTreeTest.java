package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.stigmer.testing.TestProcesses.firstLine;
import static dev.stigmer.testing.TestProcesses.isLive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProcessTreeTest {
    private static final StopPolicy QUICK = new StopPolicy(Duration.ofSeconds(1), Duration.ofSeconds(5));

    /**
     * Leader waits on a child that ignores SIGTERM; the child forks a grandchild that leaves the
     * session with setsid (and inherits the ignored SIGTERM). Each writes its pid into $1.
     */
    private static final String TREE = """
            dir=$1
            (
              trap '' TERM
              setsid bash -c 'echo $$ > "$1/grandchild.pid.tmp"; mv "$1/grandchild.pid.tmp" "$1/grandchild.pid"; exec sleep 600' grandchild "$dir" &
              echo $BASHPID > "$dir/child.pid"
              while :; do sleep 0.2; done
            ) &
            wait
            """;

    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path home;

    private Ownership ownership;

    @BeforeEach
    void mark() {
        ownership = new Ownership(home, "comp");
    }

    @Test
    void stopKillsChildrenThatIgnoreSigtermAndGrandchildrenThatLeftTheSession() throws Exception {
        SpawnedProcess leader = spawn("bash", "-c", TREE, "tree", home.toString());
        long child = awaitPid("child.pid");
        long grandchild = awaitPid("grandchild.pid");
        assertThat(TestProcesses.sessionId(child)).isEqualTo(leader.identity().pid());
        assertThat(TestProcesses.sessionId(grandchild)).as("grandchild left the session").isNotEqualTo(leader.identity().pid());

        long begin = System.nanoTime();
        List<ProcStat> survivors = new ProcessTree(ownership, Optional.of(leader.identity())).stop(QUICK);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

        assertThat(survivors).isEmpty();
        assertThat(isLive(leader.identity().pid())).isFalse();
        assertThat(isLive(child)).isFalse();
        assertThat(isLive(grandchild)).isFalse();
        assertThat(processes.liveMarked()).isEmpty();
        assertThat(leader.onExit().get(5, TimeUnit.SECONDS).code()).as("leader obeyed SIGTERM").isEqualTo(128 + Linux.SIGTERM);
        assertThat(elapsedMillis).as("SIGKILL came after the grace period").isGreaterThanOrEqualTo(900L);
    }

    /**
     * A parent and its forked child, both in the leader's group, each counting SIGINTs into a file
     * and, like Python's own handler, raising KeyboardInterrupt on each: a second SIGINT inside the
     * 0.5 s flush cuts it short.
     */
    private static final String FLUSHING_PAIR = """
            import os, sys, time, signal
            d = sys.argv[1]
            def on_int(sig, frame):
                with open(os.path.join(d, "count.%d" % os.getpid()), "a") as f:
                    f.write("INT\\n")
                raise KeyboardInterrupt
            signal.signal(signal.SIGINT, on_int)
            role = "child" if os.fork() == 0 else "parent"
            with open(os.path.join(d, role + ".tmp"), "w") as f:
                f.write(str(os.getpid()))
            os.rename(os.path.join(d, role + ".tmp"), os.path.join(d, role + ".pid"))
            try:
                while True:
                    time.sleep(1)
            except KeyboardInterrupt:
                time.sleep(0.5)
                with open(os.path.join(d, "flushed." + role), "w") as f:
                    f.write("ok")
            """;

    @Test
    void stopSignalReachesEveryProcessOfTheTreeExactlyOnce() throws Exception {
        SpawnedProcess leader = spawn(TestProcesses.python(), "-c", FLUSHING_PAIR, home.toString());
        long parent = awaitPid("parent.pid");
        long child = awaitPid("child.pid");
        StopPolicy interrupt = new StopPolicy(Duration.ofSeconds(10), Duration.ofSeconds(5), 2 /* SIGINT */);

        List<ProcStat> survivors = new ProcessTree(ownership, Optional.of(leader.identity())).stop(interrupt);

        assertThat(survivors).isEmpty();
        assertThat(Files.readAllLines(home.resolve("count." + parent))).as("SIGINTs the parent saw").hasSize(1);
        assertThat(Files.readAllLines(home.resolve("count." + child))).as("SIGINTs the child saw").hasSize(1);
        assertThat(home.resolve("flushed.parent")).as("the parent's handler finished").exists();
        assertThat(home.resolve("flushed.child")).as("the child's handler finished").exists();
    }

    /**
     * Replacing an unhealthy process: the supervisor starts the successor as soon as the old one
     * exits, while the old tree's stop is still waiting out its grace. The successor carries the
     * same mark, but it is not part of the tree being stopped.
     */
    @Test
    void aTreeRootedAtOneRunNeverStopsASuccessorStartedLater() throws Exception {
        SpawnedProcess old = spawn("bash", "-c", TREE, "tree", home.toString());
        long escapee = awaitPid("grandchild.pid");
        Thread.sleep(20); // start times tick at 100 Hz: the escapee started before the bound
        ProcessTree tree = ProcessTree.rootedAt(ownership, old.identity(), ProcFs.ticksSinceBoot());
        SpawnedProcess successor = spawn("sleep", "600");

        List<ProcStat> survivors = tree.stop(QUICK);

        assertThat(survivors).isEmpty();
        assertThat(isLive(old.identity().pid())).isFalse();
        assertThat(isLive(escapee)).as("the old run's escapee belongs to its tree").isFalse();
        assertThat(isLive(successor.identity().pid())).as("the successor is left alone").isTrue();
    }

    /** A stopped process acts on SIGTERM only once continued: without SIGCONT this takes the whole grace. */
    @Test
    void stopContinuesAStoppedLeaderSoItObeysSigterm() throws Exception {
        SpawnedProcess leader = spawn("sleep", "600");
        long pid = leader.identity().pid();
        Linux.kill(pid, Linux.SIGSTOP);
        await().atMost(Duration.ofSeconds(10)).until(() -> TestProcesses.state(pid).orElse('?') == 'T');

        long begin = System.nanoTime();
        List<ProcStat> survivors = new ProcessTree(ownership, Optional.of(leader.identity()))
                .stop(new StopPolicy(Duration.ofSeconds(20), Duration.ofSeconds(5)));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

        assertThat(survivors).isEmpty();
        assertThat(leader.onExit().get(5, TimeUnit.SECONDS).code()).isEqualTo(128 + Linux.SIGTERM);
        assertThat(elapsedMillis).isLessThan(10_000L);
    }

    @Test
    void stopNeverTouchesProcessesWithoutTheExactMark() throws Exception {
        SpawnedProcess leader = spawn("sleep", "600");
        List<Process> decoys = List.of(
                processes.start("sleep", "600"),
                processes.start(new Ownership(home, "other").environment(), "sleep", "600"),
                processes.start(new Ownership(home.resolve("elsewhere"), "comp").environment(), "sleep", "600"),
                processes.start(Map.of(Ownership.HOME_VARIABLE, home.toString()), "sleep", "600"));

        assertThat(new ProcessTree(ownership, Optional.of(leader.identity())).stop(QUICK)).isEmpty();

        assertThat(leader.onExit().get(5, TimeUnit.SECONDS).code()).isEqualTo(128 + Linux.SIGTERM);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> decoys.stream().allMatch(d -> isLive(d.pid())));
    }

    @Test
    void stopReachesGroupMembersThatDroppedTheMark() throws Exception {
        SpawnedProcess leader = spawn("bash", "-c",
                "env -u STIGMER_HOME -u STIGMER_COMPONENT sleep 600 & echo $! > \"$1/unmarked.pid\"; wait",
                "leader", home.toString());
        long unmarked = awaitPid("unmarked.pid");
        await().atMost(Duration.ofSeconds(10)).until(() -> !ownership.marks(unmarked)); // env has exec'd sleep

        assertThat(new ProcessTree(ownership, Optional.of(leader.identity())).stop(QUICK)).isEmpty();

        assertThat(isLive(unmarked)).isFalse();
    }

    /** A recorded leader whose start time does not match is someone else: its group is not ours. */
    @Test
    void staleLeaderIdentityDoesNotMakeItsGroupOurs() {
        Process foreignLeader = processes.start("setsid", "bash", "-c", "sleep 600 & echo $!; wait");
        long foreignMember = Long.parseLong(firstLine(foreignLeader));
        ProcessIdentity real = ProcessIdentity.of(foreignLeader.pid()).orElseThrow();
        ProcessIdentity stale = new ProcessIdentity(real.pid(), real.startTicks() - 1, real.bootId(), real.commandLine());

        ProcessTree tree = new ProcessTree(ownership, Optional.of(stale));
        assertThat(tree.isEmpty()).isTrue();
        assertThat(tree.stop(QUICK)).isEmpty();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> isLive(foreignLeader.pid()) && isLive(foreignMember));
    }

    // ---- the sweep after a crash --------------------------------------------------------------

    @Test
    void orphanSweepKillsWhatTheDeadLeaderLeftInItsSession() throws Exception {
        SpawnedProcess leader = spawn("bash", "-c", "sleep 600 & echo $! > \"$1/orphan.pid\"; wait", "leader",
                home.toString());
        long orphan = awaitPid("orphan.pid");
        TestProcesses.kill9(leader.identity().pid());
        leader.onExit().get(5, TimeUnit.SECONDS);
        assertThat(isLive(orphan)).as("outlived its leader").isTrue();

        ProcessTree.killOrphansOf(ownership, leader.identity(), Optional.empty());

        TestProcesses.awaitGone(orphan);
    }

    /**
     * The sweep is told of the successor: what the dead leader left (started before the successor)
     * is killed, while a process that joined the dead leader's session after the successor started
     * (here: forked by the orphan once told to) is spared with the successor itself: the sweep
     * cannot tell it from the successor's own, so it leaves it to the next stop.
     */
    @Test
    void orphanSweepToldOfTheSuccessorSparesWhatStartedAfterIt() throws Exception {
        SpawnedProcess leader = spawn("bash", "-c", """
                (echo $BASHPID > "$1/orphan.pid"; while [ ! -f "$1/fork" ]; do sleep 0.05; done
                 sleep 600 & echo $! > "$1/late.pid"; wait) &
                wait""", "leader", home.toString());
        long orphan = awaitPid("orphan.pid");
        TestProcesses.kill9(leader.identity().pid());
        leader.onExit().get(5, TimeUnit.SECONDS);
        Thread.sleep(20); // start times tick at 100 Hz
        SpawnedProcess successor = spawn("sleep", "600");
        Thread.sleep(20);
        Files.writeString(home.resolve("fork"), "");
        long late = awaitPid("late.pid");
        assertThat(TestProcesses.sessionId(late)).as("in the dead leader's session").isEqualTo(leader.identity().pid());

        ProcessTree.killOrphansOf(ownership, leader.identity(), Optional.of(successor.identity()));

        TestProcesses.awaitGone(orphan);
        assertThat(isLive(successor.identity().pid())).as("the successor").isTrue();
        assertThat(isLive(late)).as("started after the successor").isTrue();
    }

    /**
     * The successor got the dead leader's pid (forced with ns_last_pid): it leads a session with
     * the dead leader's number and carries the same mark, yet it is no orphan of the dead one.
     * The sweep is not even told about it (as after a backoff, when the successor comes later).
     */
    @Test
    void orphanSweepSparesASuccessorThatReusedTheDeadLeadersPid() throws Exception {
        TestProcesses.requirePidReuse();
        SpawnedProcess dead = spawn("sleep", "600");
        ProcessIdentity deadLeader = dead.identity();
        TestProcesses.kill9(deadLeader.pid());
        dead.onExit().get(5, TimeUnit.SECONDS); // reaped by the JDK: the pid is free again
        Thread.sleep(20); // start times tick at 100 Hz

        SpawnedProcess successor = TestProcesses.startWithPid(deadLeader.pid(), () -> spawn("sleep", "600"),
                s -> s.identity().pid(), s -> TestProcesses.kill9(s.identity().pid()));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestProcesses.sessionId(successor.identity().pid()) == deadLeader.pid()); // setsid ran

        ProcessTree.killOrphansOf(ownership, deadLeader, Optional.empty());

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                .until(() -> isLive(successor.identity().pid()));
    }

    private SpawnedProcess spawn(String... command) throws Exception {
        Map<String, String> environment = new HashMap<>(ownership.environment());
        environment.putAll(processes.mark());
        return SpawnedProcess.start(List.of(command), environment, home.resolve("comp.log"));
    }

    private long awaitPid(String file) {
        Path path = home.resolve(file);
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> Files.exists(path) ? Files.readString(path).strip() : "", s -> !s.isEmpty())
                .transform(Long::parseLong);
    }
}
