package dev.stigmer.supervision;

import dev.stigmer.probe.ProbeSchedule;
import dev.stigmer.probe.HealthProbe;
import dev.stigmer.os.Linux;
import dev.stigmer.process.CgroupRoot;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.stack.RestartMode;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.stigmer.testing.TestProcesses.isLive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a stack's services need beyond Temporal's supervision, against real processes: restart
 * modes and the completed and exited states, no probes, a working directory, a stop signal,
 * a command that cannot run, and adoption only of what the same spec would start.
 */
class ServiceSupervisionTest {
    private static final String NAME = "svc";
    private static final RestartPolicy RESTARTS = new RestartPolicy(Duration.ofMillis(50), 2.0,
            Duration.ofMillis(200), Duration.ofSeconds(1), 3);
    private static final StopPolicy STOP = new StopPolicy(Duration.ofSeconds(2), Duration.ofSeconds(5));
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path home;

    private Ownership ownership;
    private Path record;
    private final List<Supervisor> supervisors = new ArrayList<>();

    @BeforeEach
    void layout() throws IOException {
        ownership = new Ownership(home, NAME);
        record = Files.createDirectories(home.resolve("run")).resolve(NAME + ".json");
    }

    @AfterEach
    void stopSupervisors() throws Exception {
        try {
            for (Supervisor supervisor : supervisors) {
                supervisor.stop().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            supervisors.forEach(Supervisor::close);
        }
    }

    @Test
    void aOneShotThatExitsZeroIsCompletedAndAStartLeavesItSo() throws Exception {
        Supervisor supervisor = supervise(spec(RestartMode.NO, "echo migrated"));
        supervisor.start();
        ComponentSnapshot completed = awaitState(supervisor, ComponentState.COMPLETED);
        assertThat(completed.exitCode()).isZero();
        assertThat(completed.lastError()).isNull();
        assertThat(Files.readString(log())).contains("migrated");

        supervisor.start().get(5, TimeUnit.SECONDS);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> supervisor.snapshot().state() == ComponentState.COMPLETED);
        assertThat(Files.readString(log()).lines().filter(l -> l.equals("migrated"))).as("not run again").hasSize(1);
    }

    @Test
    void restartNoAfterAFailureIsExitedWithItsCodeAndAStartRunsItAgain() throws Exception {
        Supervisor supervisor = supervise(spec(RestartMode.NO, "echo attempt; exit 3"));
        supervisor.start();
        ComponentSnapshot exited = awaitState(supervisor, ComponentState.EXITED);
        assertThat(exited.exitCode()).isEqualTo(3);
        assertThat(exited.lastError()).contains("exited with code 3").contains("not restarted");
        assertThat(exited.logTail()).contains("attempt");
        assertThat(exited.restarts()).isZero();

        supervisor.start().get(5, TimeUnit.SECONDS);
        await().atMost(PATIENCE).until(() -> Files.readString(log()).lines().filter(l -> l.equals("attempt")).count() == 2);
        awaitState(supervisor, ComponentState.EXITED);
    }

    @Test
    void aOneShotEndedBecauseItWasNeverReadySaysSoNotTheSignalWeSent() {
        ComponentSpec spec = spec(RestartMode.NO, "exec sleep 600");
        HealthProbe never = timeout -> HealthProbe.ProbeResult.failing("not yet");
        Supervisor supervisor = supervise(new ComponentSpec(spec.name(), spec.kind(), spec.command(), spec.environment(),
                null, spec.log(), List.of(), spec.mode(), false, Map.of(),
                Optional.of(new ProbeSchedule(never, Duration.ofMillis(50), Duration.ofMillis(100), 3)), Optional.empty(),
                Duration.ofMillis(500), RestartMode.NO, RESTARTS, STOP, null, false));
        supervisor.start();
        ComponentSnapshot exited = awaitState(supervisor, ComponentState.EXITED);
        assertThat(exited.lastError()).contains("not ready within").contains("not restarted").doesNotContain("signal");
    }

    @Test
    void aStartTimeoutThatIsNotWholeSecondsIsNamedAsWritten() {
        assertThat(neverReadyWithin(Duration.ofMillis(1500)).lastError()).contains("not ready within 1.5 s:");
        assertThat(neverReadyWithin(Duration.ofMillis(500)).lastError()).contains("not ready within 500 ms:");
    }

    /** A one-shot (restart "no") whose readiness probe never passes, ended after {@code startTimeout}. */
    private ComponentSnapshot neverReadyWithin(Duration startTimeout) {
        ComponentSpec spec = spec(RestartMode.NO, "exec sleep 600");
        HealthProbe never = timeout -> HealthProbe.ProbeResult.failing("not yet");
        Supervisor supervisor = supervise(new ComponentSpec(spec.name(), spec.kind(), spec.command(), spec.environment(),
                null, spec.log(), List.of(), spec.mode(), false, Map.of(),
                Optional.of(new ProbeSchedule(never, Duration.ofMillis(50), Duration.ofMillis(100), 3)), Optional.empty(),
                startTimeout, RestartMode.NO, RESTARTS, STOP, null, false), "timeout-" + startTimeout.toMillis());
        supervisor.start();
        return awaitState(supervisor, ComponentState.EXITED);
    }

    @Test
    void aOneShotDeclaredWithRestartAlwaysEndsFailedSayingWhatItNeeds() {
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, "echo quick done"));
        supervisor.start();
        ComponentSnapshot failed = awaitState(supervisor, ComponentState.FAILED);
        assertThat(failed.lastError()).isEqualTo(NAME + " failed to start 3 times in a row; last: exited with code 0 "
                + "before it was ready; a one-shot needs restart: \"no\" (or on-failure)");
    }

    @Test
    void aCrashLoopWithAFailureAmongItsExitsIsNotTakenForAOneShot() {
        Path attempts = home.resolve("attempts");
        // The first start fails, the later ones exit 0: not every exit was clean, so no one-shot hint.
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, "echo x >> " + attempts + "; [ $(wc -l < " + attempts + ") -ge 2 ]"));
        supervisor.start();
        ComponentSnapshot failed = awaitState(supervisor, ComponentState.FAILED);
        assertThat(failed.lastError()).contains("failed to start 3 times in a row; last: exited with code 0")
                .doesNotContain("one-shot");
    }

    /** A script that starts its server in the background and exits 0, as `daemon` or `--detach` flags do. */
    private static final String DAEMONIZES = "sleep 600 & sleep 600 & exit 0";
    private static final String FORKED = NAME + " exited 0 and left 2 processes running: it forked into the background; "
            + "run it in the foreground (e.g. `--no-daemon`)";

    @Test
    void aServiceThatForksIntoTheBackgroundIsToldSoWithRestartAlways() {
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, DAEMONIZES));
        supervisor.start();
        ComponentSnapshot failed = awaitState(supervisor, ComponentState.FAILED);
        assertThat(failed.lastError()).contains(FORKED);
    }

    @Test
    void aOneShotThatForksIntoTheBackgroundIsToldSoWithRestartNo() {
        Supervisor supervisor = supervise(spec(RestartMode.NO, DAEMONIZES));
        supervisor.start();
        ComponentSnapshot completed = awaitState(supervisor, ComponentState.COMPLETED);
        assertThat(completed.lastError()).isEqualTo(FORKED);
        await().atMost(PATIENCE).until(() -> processes.liveMarked().isEmpty()); // and what it left is gone
    }

    // ---- escapees: processes that leave the session and drop the environment mark ----------

    /** Each escapee appends its pid to FILE ($1), then sleeps: one by `env -i setsid`, one by a double fork through `env -i`. */
    private static final String ESCAPES = "env -i setsid /bin/sh -c 'echo $$ >> \"$0\"; exec sleep 60' \"$1\" & "
            + "env -i /bin/sh -c '/bin/sh -c \"echo \\$\\$ >> $0; exec sleep 61\" &' \"$1\"; ";

    /** A started service (restart: always) that spawns both escapees into {@code pids}, then runs {@code then}. */
    private Supervisor superviseEscaping(String then, Path pids) {
        Assumptions.assumeTrue(CgroupRoot.of(home).available(), "needs a cgroup v2 we may create");
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, List.of("/bin/sh", "-c", ESCAPES + then, "svc", pids.toString())));
        supervisor.start();
        return supervisor;
    }

    @Test
    void escapeesThatDropTheirSessionAndEnvironmentAreGoneAfterStop() throws Exception {
        Path pids = home.resolve("escapees");
        Supervisor supervisor = superviseEscaping("exec sleep 600", pids);
        awaitState(supervisor, ComponentState.RUNNING);
        List<Long> escapees = awaitLines(pids, 2);

        supervisor.stop().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        escapees.forEach(TestProcesses::awaitGone);
        assertThat(CgroupRoot.of(home).runs(NAME)).as("the run's cgroup is removed").isEmpty();
    }

    @Test
    void aServiceThatCrashesAfterSpawningEscapeesDoesNotPileThemUp() throws Exception {
        Path pids = home.resolve("escapees");
        Supervisor supervisor = superviseEscaping("sleep 0.3; exit 1", pids);
        awaitState(supervisor, ComponentState.FAILED); // three starts that never became ready
        List<Long> escapees = awaitLines(pids, 6);

        escapees.forEach(TestProcesses::awaitGone);
        await().atMost(PATIENCE).until(() -> CgroupRoot.of(home).runs(NAME).isEmpty());
    }

    @Test
    void withoutCgroupsTheNoteSaysWhyAndWhatCanOutliveAStop() {
        CgroupRoot off = CgroupRoot.find(home, Map.of(CgroupRoot.OFF_VARIABLE, "1"));

        assertThat(off.available()).isFalse();
        assertThat(off.newRun(NAME)).isEmpty();
        assertThat(off.degradedNote()).hasValueSatisfying(note -> assertThat(note)
                .contains("no cgroups", CgroupRoot.OFF_VARIABLE, "env -i setsid").doesNotContain("\n"));
    }

    private static List<Long> awaitLines(Path file, int count) {
        return await().atMost(PATIENCE).until(() -> Files.exists(file)
                        ? Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.strip())).toList()
                        : List.<Long>of(), lines -> lines.size() >= count);
    }

    @Test
    void aServiceWithoutAProbeIsReadyOnlyOnceItHasStayedUpAMoment() {
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, "exec sleep 600"));
        supervisor.start();
        long spawned = System.nanoTime();
        awaitState(supervisor, ComponentState.RUNNING);
        assertThat((System.nanoTime() - spawned) / 1_000_000).as("a start is not ready at its spawn").isGreaterThanOrEqualTo(900);
    }

    @Test
    void onFailureRestartsFailuresUntilItSucceedsThenCompletes() throws Exception {
        Path attempts = home.resolve("attempts");
        Supervisor supervisor = supervise(spec(RestartMode.ON_FAILURE,
                "echo x >> " + attempts + "; sleep 1.2; [ $(wc -l < " + attempts + ") -ge 3 ]"));
        supervisor.start();
        ComponentSnapshot completed = awaitState(supervisor, ComponentState.COMPLETED);
        assertThat(Files.readAllLines(attempts)).hasSize(3);
        assertThat(completed.restarts()).isEqualTo(2);
        assertThat(completed.exitCode()).isZero();
    }

    @Test
    void alwaysRestartsEvenAnExitZero() {
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, "sleep 1.2"));
        supervisor.start();
        awaitSnapshot(supervisor, s -> s.restarts() >= 1 && s.state() == ComponentState.RUNNING);
        assertThat(supervisor.snapshot().state()).isNotEqualTo(ComponentState.COMPLETED);
    }

    @Test
    void withoutAReadyProbeItRunsAtOnceAndWithoutAHealthProbeOnlyItsExitIsWatched() throws Exception {
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, "exec sleep 600"));
        supervisor.start();
        ComponentSnapshot running = awaitState(supervisor, ComponentState.RUNNING);
        assertThat(isLive(running.pid())).isTrue();
        Linux.kill(running.pid(), Linux.SIGKILL);
        ComponentSnapshot again = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING
                && s.pid() != null && s.pid() != running.pid());
        assertThat(again.restarts()).isEqualTo(1);
    }

    @Test
    void aProcessThatDiesAtOnceWithoutAProbeIsACrashLoopThatEndsFailed() {
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, "echo dying; exit 1"));
        supervisor.start();
        ComponentSnapshot failed = awaitState(supervisor, ComponentState.FAILED);
        assertThat(failed.lastError()).contains("failed to start 3 times in a row");
        assertThat(failed.logTail()).contains("dying");
    }

    /** A one-shot runs under the exit keeper's sh: what cannot run is said in its own words, not the sh's. */
    @Test
    void aOneShotThatCannotRunIsNamedInItsOwnWordsNotTheKeepers() throws IOException {
        Supervisor missing = supervise(spec(RestartMode.NO, List.of("no-such-command-anywhere", "--flag")));
        missing.start();
        ComponentSnapshot failed = awaitState(missing, ComponentState.FAILED);
        assertThat(failed.lastError()).contains("command not found");
        assertThat(Files.readString(log())).contains("no-such-command-anywhere: command not found")
                .doesNotContain("stigmer-exit-keeper");

        Path plain = Files.writeString(home.resolve("plain.sh"), "echo hi\n");
        Supervisor notExecutable = supervise(spec(RestartMode.NO, List.of(plain.toString())), "plain");
        notExecutable.start();
        assertThat(awaitState(notExecutable, ComponentState.FAILED).lastError()).contains("not executable");
        assertThat(Files.readString(log())).contains(plain + ": not executable")
                .doesNotContain("stigmer-exit-keeper");
    }

    @Test
    void aCommandThatDoesNotExistFailsAtOnceSayingSo() {
        Supervisor supervisor = supervise(spec(RestartMode.ALWAYS, List.of("no-such-command-anywhere", "--flag")));
        supervisor.start();
        ComponentSnapshot failed = awaitState(supervisor, ComponentState.FAILED);
        assertThat(failed.lastError()).contains("cannot run no-such-command-anywhere --flag: command not found");
        assertThat(failed.restarts()).isZero();
        // setsid's words, or the sh's that starts it in its cgroup
        assertThat(failed.logTail()).anyMatch(line -> line.contains("No such file or directory")
                || line.contains("no-such-command-anywhere: not found"));

        Supervisor viaShell = supervise(spec(RestartMode.ALWAYS, "./not-there.sh"), "other");
        viaShell.start();
        assertThat(awaitState(viaShell, ComponentState.FAILED).lastError()).contains("command not found");
    }

    @Test
    void itRunsInItsWorkingDirectory() throws Exception {
        Path dir = Files.createDirectories(home.resolve("api"));
        ComponentSpec spec = spec(RestartMode.NO, "pwd > where.txt");
        Supervisor supervisor = supervise(withWorkingDir(spec, dir));
        supervisor.start();
        awaitState(supervisor, ComponentState.COMPLETED);
        assertThat(Files.readString(dir.resolve("where.txt")).strip()).isEqualTo(dir.toString());
    }

    @Test
    void stopSendsTheConfiguredSignal() throws Exception {
        Path got = home.resolve("got");
        ComponentSpec spec = spec(RestartMode.ALWAYS, "trap 'echo INT > " + got + "; exit 0' INT; "
                + "trap 'echo TERM > " + got + "; exit 0' TERM; while true; do sleep 0.1; done");
        Supervisor supervisor = supervise(withStopPolicy(spec, new StopPolicy(Duration.ofSeconds(5), Duration.ofSeconds(5), 2)));
        supervisor.start();
        awaitState(supervisor, ComponentState.RUNNING);
        supervisor.stop().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(Files.readString(got).strip()).isEqualTo("INT");
    }

    @Test
    void aProcessLeftByAnEarlierDaemonIsAdoptedOnlyWhenItsSpecIsTheSame() throws Exception {
        ComponentSpec first = withHash(spec(RestartMode.ALWAYS, "exec sleep 600"), "hash-a");
        long pid = runThenAbandon(first);

        Supervisor same = supervise(withHash(spec(RestartMode.ALWAYS, "exec sleep 600"), "hash-a"));
        same.recover().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(same.snapshot().pid()).isEqualTo(pid);
        assertThat(same.snapshot().adopted()).isTrue();
        same.close();
        supervisors.remove(same);

        Supervisor changed = supervise(withHash(spec(RestartMode.ALWAYS, "exec sleep 600"), "hash-b"));
        changed.recover().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(isLive(pid)).as("a process of another spec is stopped, not adopted").isFalse();
        changed.start();
        ComponentSnapshot running = awaitState(changed, ComponentState.RUNNING);
        assertThat(running.pid()).isNotEqualTo(pid);
        assertThat(TestProcesses.environ(running.pid()).orElseThrow()).containsEntry(Supervisor.SPEC_VARIABLE, "hash-b");
    }

    // ---- helpers -----------------------------------------------------------------------------

    private Path log() {
        return home.resolve("logs").resolve(NAME + ".log");
    }

    private ComponentSpec spec(RestartMode restart, String shell) {
        return spec(restart, List.of("/bin/sh", "-c", shell));
    }

    private ComponentSpec spec(RestartMode restart, List<String> command) {
        return new ComponentSpec(NAME, "service", command, processes.mark(), null, log(), List.of(), "service", false,
                Map.of(), Optional.empty(), Optional.empty(), Duration.ofSeconds(10), restart, RESTARTS, STOP, null, false);
    }

    private static ComponentSpec withWorkingDir(ComponentSpec s, Path dir) {
        return new ComponentSpec(s.name(), s.kind(), s.command(), s.environment(), dir, s.log(), s.endpoints(), s.mode(),
                s.persistent(), s.links(), s.ready(), s.health(), s.startTimeout(), s.restart(), s.restartPolicy(),
                s.stopPolicy(), s.specHash(), s.exactEnvironment());
    }

    private static ComponentSpec withStopPolicy(ComponentSpec s, StopPolicy stop) {
        return new ComponentSpec(s.name(), s.kind(), s.command(), s.environment(), s.workingDir(), s.log(), s.endpoints(),
                s.mode(), s.persistent(), s.links(), s.ready(), s.health(), s.startTimeout(), s.restart(),
                s.restartPolicy(), stop, s.specHash(), s.exactEnvironment());
    }

    private static ComponentSpec withHash(ComponentSpec s, String hash) {
        return new ComponentSpec(s.name(), s.kind(), s.command(), s.environment(), s.workingDir(), s.log(), s.endpoints(),
                s.mode(), s.persistent(), s.links(), s.ready(), s.health(), s.startTimeout(), s.restart(),
                s.restartPolicy(), s.stopPolicy(), hash, s.exactEnvironment());
    }

    private Supervisor supervise(ComponentSpec spec) {
        return supervise(spec, NAME);
    }

    private Supervisor supervise(ComponentSpec spec, String recordName) {
        Supervisor supervisor = new Supervisor(spec, ownership, record.resolveSibling(recordName + ".json"));
        supervisors.add(supervisor);
        return supervisor;
    }

    private long runThenAbandon(ComponentSpec spec) {
        Supervisor previous = new Supervisor(spec, ownership, record);
        try {
            previous.start();
            return awaitState(previous, ComponentState.RUNNING).pid();
        } finally {
            previous.close();
        }
    }

    private static ComponentSnapshot awaitState(Supervisor supervisor, ComponentState state) {
        return awaitSnapshot(supervisor, s -> s.state() == state);
    }

    private static ComponentSnapshot awaitSnapshot(Supervisor supervisor, Predicate<ComponentSnapshot> condition) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(supervisor::snapshot, condition);
    }
}
