package dev.stigmer.supervision;

import dev.stigmer.probe.ProbeSchedule;
import dev.stigmer.probe.HealthProbe;
import dev.stigmer.os.Linux;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.PortOwner;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.state.Json;
import dev.stigmer.supervision.ComponentSpec.Endpoint;
import dev.stigmer.stack.RestartMode;
import dev.stigmer.probe.HealthProbe.ProbeResult;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static dev.stigmer.testing.TestProcesses.isLive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The supervisor against real processes: a bash that reports its pid in a ready file and execs
 * sleep, or a python HTTP server probed over HTTP. Restart delays are small so crash loops
 * play out in well under a second.
 */
class SupervisorTest {
    private static final String NAME = "svc";
    /** Serves once it has written its pid; the probe checks that pid is alive. */
    private static final List<String> SERVE = List.of("bash", "-c", "echo $$ > \"$READY_FILE\"; exec sleep 600");
    /** Like SERVE, but the sleep inherits an ignored SIGTERM: only SIGKILL after the grace ends it. */
    private static final List<String> IGNORES_SIGTERM = List.of("bash", "-c",
            "trap '' TERM; echo $$ > \"$READY_FILE\"; exec sleep 600");
    /** Serves HTTP on argv[1] until the file argv[2] appears, then closes its listener and lives on. */
    private static final String SERVES_THEN_CLOSES = """
            import http.server, os, sys, threading, time
            server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            while not os.path.exists(sys.argv[2]):
                time.sleep(0.02)
            server.shutdown()
            server.server_close()
            time.sleep(600)
            """;
    private static final RestartPolicy RESTARTS = new RestartPolicy(Duration.ofMillis(50), 2.0,
            Duration.ofMillis(200), Duration.ofSeconds(1), 3);
    private static final StopPolicy STOP = new StopPolicy(Duration.ofSeconds(1), Duration.ofSeconds(5));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path home;

    private Ownership ownership;
    private Path record;
    private Path readyFile;
    private final List<Supervisor> supervisors = new ArrayList<>();

    @BeforeEach
    void layout() throws IOException {
        ownership = new Ownership(home, NAME);
        record = Files.createDirectories(home.resolve("run")).resolve(NAME + ".json");
        readyFile = home.resolve("ready.pid");
    }

    /** Runs before TestProcesses sweeps: a live supervisor could otherwise restart what it kills. */
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

    // ---- start, crash, stop ------------------------------------------------------------------

    @Test
    void startRunsTheCommandAndRecordsItsIdentity() {
        Supervisor supervisor = supervise(spec(SERVE));

        supervisor.start();
        ComponentSnapshot running = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING);

        long pid = running.pid();
        assertThat(readyPid()).isEqualTo(pid);
        assertThat(running.adopted()).isFalse();
        assertThat(running.restarts()).isZero();
        assertThat(TestProcesses.sessionId(pid)).as("leads its own session").isEqualTo(pid);
        assertThat(TestProcesses.environ(pid).orElseThrow()).containsEntry(Ownership.HOME_VARIABLE, home.toString())
                .containsEntry(Ownership.COMPONENT_VARIABLE, NAME);
        ComponentRecord written = Json.readFile(record, ComponentRecord.class).orElseThrow();
        assertThat(written.pid()).isEqualTo(pid);
        assertThat(written.startTicks()).isEqualTo(TestProcesses.startTicks(pid));
        assertThat(written.bootId()).isEqualTo(TestProcesses.bootId());
        assertThat(written.command()).isEqualTo(SERVE);
        assertThat(written.commandLine()).as("refreshed after exec").isEqualTo("sleep 600");
    }

    @Test
    void killedProcessIsReplacedByANewOne() {
        Supervisor supervisor = supervise(spec(SERVE));
        supervisor.start();
        long first = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING).pid();

        TestProcesses.kill9(first);

        ComponentSnapshot second = awaitSnapshot(supervisor,
                s -> s.state() == ComponentState.RUNNING && s.pid() != null && s.pid() != first);
        assertThat(second.restarts()).isEqualTo(1);
        assertThat(second.lastExit()).contains("killed by signal 9");
        assertThat(isLive(second.pid())).isTrue();
        assertThat(Json.readFile(record, ComponentRecord.class)).map(ComponentRecord::pid).contains(second.pid());
    }

    @Test
    void commandThatExitsAtOnceFailsAfterMaxFailedStarts() {
        Supervisor supervisor = supervise(spec(List.of("bash", "-c", "echo 'boom: no config'; exit 3")));

        supervisor.start();
        ComponentSnapshot failed = awaitSnapshot(supervisor, s -> s.state() == ComponentState.FAILED);

        assertThat(failed.lastError()).contains("failed to start 3 times", "exited with code 3");
        assertThat(failed.logTail()).containsExactly("boom: no config", "boom: no config", "boom: no config");
        assertThat(failed.restarts()).isEqualTo(2);
        assertThat(failed.pid()).isNull();
        assertThat(record).doesNotExist();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> supervisor.snapshot().state() == ComponentState.FAILED);
    }

    @Test
    void failedComponentGetsAFreshSetOfTriesOnStart() throws Exception {
        Supervisor supervisor = supervise(spec(List.of("bash", "-c", "echo attempt; exit 3")));
        supervisor.start();
        awaitSnapshot(supervisor, s -> s.state() == ComponentState.FAILED);

        supervisor.start().get(10, TimeUnit.SECONDS);
        ComponentSnapshot failedAgain = awaitSnapshot(supervisor, s -> s.state() == ComponentState.FAILED);

        assertThat(Files.readAllLines(home.resolve("logs/svc.log"))).hasSize(6);
        assertThat(failedAgain.lastError()).contains("failed to start 3 times");
    }

    @Test
    void processThatNeverBecomesReadyIsReplacedUntilItFails() {
        Supervisor supervisor = supervise(spec(List.of("sleep", "600"), readyFileProbe(), Optional.empty(),
                Duration.ofSeconds(1)));

        supervisor.start();
        ComponentSnapshot failed = awaitSnapshot(supervisor, s -> s.state() == ComponentState.FAILED);

        assertThat(failed.restarts()).isEqualTo(2);
        assertThat(failed.lastError()).as("names the real cause, not the SIGTERM we sent")
                .contains("failed to start 3 times", "not ready within 1 s").doesNotContain("signal 15");
        assertThat(processes.liveMarked()).isEmpty();
    }

    /** A process frozen while starting would otherwise hold the component for the whole start window. */
    @Test
    void processStoppedWhileStartingIsReplacedLongBeforeTheStartWindowEnds() throws Exception {
        Supervisor supervisor = supervise(spec(List.of("sleep", "600"), readyFileProbe(), Optional.empty(),
                Duration.ofSeconds(60)));
        supervisor.start();
        long frozen = awaitSnapshot(supervisor, s -> s.pid() != null).pid();
        dev.stigmer.os.Linux.kill(frozen, dev.stigmer.os.Linux.SIGSTOP);

        ComponentSnapshot replaced = await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                .until(supervisor::snapshot, s -> s.pid() != null && s.pid() != frozen);

        assertThat(replaced.restarts()).isEqualTo(1);
        assertThat(replaced.state()).isEqualTo(ComponentState.STARTING);
        await().atMost(Duration.ofSeconds(10)).until(() -> !TestProcesses.isLive(frozen));
    }

    /** A crash loop backs off; a crash after a run that stayed up past stableAfter restarts at once. */
    @Test
    void crashAfterAStableRunRestartsAtOnceWhileACrashLoopBacksOff() throws Exception {
        Duration delay = Duration.ofSeconds(3);
        RestartPolicy slow = new RestartPolicy(delay, 1.0, delay, Duration.ofSeconds(1), 5);
        Supervisor supervisor = supervise(spec(SERVE, readyFileProbe(), Optional.empty(), START_TIMEOUT, slow));
        supervisor.start();
        long first = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING).pid();

        TestProcesses.kill9(first); // first restart of a streak: immediate
        long second = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING && !s.pid().equals(first)).pid();
        TestProcesses.kill9(second); // crashed again right away: wait
        awaitSnapshot(supervisor, s -> s.state() == ComponentState.BACKOFF);
        long third = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING && !s.pid().equals(second)).pid();

        Thread.sleep(1500); // nothing to wait for: the run must simply stay up past stableAfter
        TestProcesses.kill9(third);
        long begin = System.nanoTime();
        ComponentSnapshot fourth = awaitSnapshot(supervisor,
                s -> s.state() == ComponentState.RUNNING && !s.pid().equals(third));

        assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("no backoff after a stable run").isLessThan(delay);
        assertThat(fourth.restarts()).isEqualTo(3);
    }

    @Test
    void stopEndsTheWholeTreeAndDeletesTheRecord() throws Exception {
        // Everything ignores SIGTERM, and one child leaves the session: only SIGKILL after the grace ends it.
        Supervisor supervisor = supervise(spec(List.of("bash", "-c",
                "echo $$ > \"$READY_FILE\"; trap '' TERM; sleep 600 & setsid sleep 600 & wait")));
        supervisor.start();
        awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING);
        await().atMost(PATIENCE).until(() -> processes.liveMarked().size() == 3);

        supervisor.stop().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        ComponentSnapshot stopped = supervisor.snapshot();
        assertThat(stopped.state()).isEqualTo(ComponentState.STOPPED);
        assertThat(stopped.pid()).isNull();
        assertThat(record).doesNotExist();
        assertThat(processes.liveMarked()).isEmpty();
        assertThat(Ownership.scan(home)).isEmpty();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> supervisor.snapshot().state() == ComponentState.STOPPED && processes.liveMarked().isEmpty());
    }

    /** A SIGSTOPped server still completes TCP handshakes; only a request with a timeout sees the hang. */
    @Test
    void hungProcessFailingItsHealthChecksIsReplaced() throws Exception {
        int port = TestProcesses.freePort();
        Supervisor supervisor = supervise(spec(httpServer(port), httpProbe(port),
                Optional.of(new InetSocketAddress(LOOPBACK, port)), START_TIMEOUT));
        supervisor.start();
        long hung = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING).pid();

        Linux.kill(hung, Linux.SIGSTOP);

        ComponentSnapshot replaced = awaitSnapshot(supervisor,
                s -> s.state() == ComponentState.RUNNING && s.pid() != null && s.pid() != hung);
        assertThat(replaced.restarts()).isEqualTo(1);
        assertThat(replaced.lastExit()).as("stopped, then continued to obey SIGTERM").contains("killed by signal 15");
        assertThat(isLive(hung)).isFalse();
        assertThat(httpProbe(port).check(Duration.ofSeconds(5)).healthy()).isTrue();
    }

    /** Issue 13: status said `running` with an empty lastError while health checks 1 and 2 of 3 failed. */
    @Test
    void healthChecksFailingBelowTheThresholdAreNamedInLastErrorUntilOnePasses() throws Exception {
        int port = TestProcesses.freePort();
        ComponentSpec base = spec(httpServer(port), httpProbe(port), Optional.of(new InetSocketAddress(LOOPBACK, port)),
                START_TIMEOUT);
        ProbeSchedule patient = new ProbeSchedule(httpProbe(port), Duration.ofMillis(100), Duration.ofMillis(300), 1000);
        Supervisor supervisor = supervise(new ComponentSpec(base.name(), base.kind(), base.command(), base.environment(),
                base.workingDir(), base.log(), base.endpoints(), base.mode(), false, Map.of(), base.ready(),
                Optional.of(patient), base.startTimeout(), base.restart(), base.restartPolicy(), base.stopPolicy(),
                null, false));
        supervisor.start();
        long pid = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING).pid();
        assertThat(supervisor.snapshot().lastError()).isNull();

        Linux.kill(pid, Linux.SIGSTOP); // answers no request, though its kernel still accepts connections
        ComponentSnapshot failing = awaitSnapshot(supervisor, s -> s.lastError() != null
                && s.lastError().matches("health check failing \\([1-9][0-9]* of 1000\\): .+"));
        assertThat(failing.state()).isEqualTo(ComponentState.RUNNING);
        assertThat(failing.pid()).isEqualTo(pid);

        Linux.kill(pid, Linux.SIGCONT);
        ComponentSnapshot recovered = awaitSnapshot(supervisor, s -> s.lastError() == null);
        assertThat(recovered.state()).isEqualTo(ComponentState.RUNNING);
        assertThat(recovered.pid()).isEqualTo(pid);
    }

    // ---- desired state and the event loop ----------------------------------------------------

    /** The start arrives while the stop still waits out the grace of a process that ignores SIGTERM. */
    @Test
    void startWhileAStopIsInProgressEndsRunning() throws Exception {
        Supervisor supervisor = supervise(spec(IGNORES_SIGTERM));
        supervisor.start();
        long first = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING).pid();
        CompletableFuture<Void> stopped = supervisor.stop();
        awaitSnapshot(supervisor, s -> s.state() == ComponentState.STOPPING);

        supervisor.start().get(5, TimeUnit.SECONDS);
        stopped.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        ComponentSnapshot running = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(supervisor::snapshot, s -> s.state() == ComponentState.RUNNING && !s.pid().equals(first));
        assertThat(isLive(first)).isFalse();
        assertThat(isLive(running.pid())).isTrue();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> supervisor.snapshot().state() == ComponentState.RUNNING);
    }

    /**
     * The daemon exits: its stop is for good. A start racing it must be refused, or the component
     * would be started again by a supervisor about to close, and outlive its daemon.
     */
    @Test
    void aStartAfterRetireIsRefusedAndNothingIsStartedAgain() throws Exception {
        Supervisor supervisor = supervise(spec(IGNORES_SIGTERM));
        supervisor.start();
        awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING);
        CompletableFuture<Void> retired = supervisor.retire();

        assertThatThrownBy(() -> supervisor.start().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(EventLoop.Refused.class);
        retired.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> supervisor.snapshot().state() == ComponentState.STOPPED && processes.liveMarked().isEmpty());
    }

    /** A caller of a supervisor whose loop is gone (the daemon is exiting) must hear so, not wait forever. */
    @Test
    void callsToAClosedSupervisorFailInsteadOfHanging() {
        Supervisor supervisor = new Supervisor(spec(SERVE), ownership, record);
        supervisor.close();

        assertThatThrownBy(() -> supervisor.start().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThatThrownBy(() -> supervisor.stop().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThatThrownBy(() -> supervisor.recover().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }

    /**
     * Recovery stops a leftover that ignores SIGTERM: that takes the whole grace period, on a
     * worker. Meanwhile the supervisor answers (the daemon's status must), and a start waits for
     * the recovery to finish by itself.
     */
    @Test
    void callsAreAnsweredWhileRecoveryStopsALeftoverThatIgnoresSigterm() throws Exception {
        Process leftover = processes.start(ownership.environment(), "bash", "-c", "trap '' TERM; exec sleep 600");
        await().atMost(PATIENCE).until(() -> TestProcesses.commandLine(leftover.pid()).equals("sleep 600"));
        StopPolicy slowStop = new StopPolicy(Duration.ofSeconds(6), Duration.ofSeconds(5));
        Supervisor supervisor = supervise(spec(SERVE, readyFileProbe(), Optional.empty(), START_TIMEOUT, RESTARTS,
                slowStop));

        CompletableFuture<Void> recovered = supervisor.recover();
        supervisor.start().get(2, TimeUnit.SECONDS);

        assertThat(isLive(leftover.pid())).as("still waiting out its grace").isTrue();
        assertThat(supervisor.snapshot().state()).isNotEqualTo(ComponentState.RUNNING);
        recovered.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        ComponentSnapshot running = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING);
        assertThat(isLive(leftover.pid())).isFalse();
        assertThat(running.pid()).isNotEqualTo(leftover.pid());
    }

    /**
     * A port bound by a socket that does not listen (a client that bound it) is busy for a bind
     * test but shows no listener: claiming it waits seconds for it to go. Off the loop.
     */
    @Test
    void aPortHeldWithoutAListenerDoesNotStallOtherCalls() throws Exception {
        int port = TestProcesses.freePort();
        try (ServerSocket peer = new ServerSocket(0, 1, LOOPBACK); Socket holder = new Socket()) {
            holder.bind(new InetSocketAddress(LOOPBACK, port));
            holder.connect(peer.getLocalSocketAddress());
            assertThat(PortOwner.isFree(LOOPBACK, port)).as("the port is busy").isFalse();
            assertThat(PortOwner.listenerCount(port)).as("and nobody listens").isZero();
            Supervisor supervisor = supervise(spec(SERVE, readyFileProbe(),
                    Optional.of(new InetSocketAddress(LOOPBACK, port)), START_TIMEOUT));

            supervisor.start();
            supervisor.start().get(1, TimeUnit.SECONDS);

            ComponentSnapshot failed = awaitSnapshot(supervisor, s -> s.state() == ComponentState.FAILED);
            assertThat(failed.lastError()).contains("port " + port + " is in use");
            assertThat(readyFile).as("nothing was started").doesNotExist();
        }
    }

    // ---- starts that never become ready ------------------------------------------------------

    /**
     * Each start waits its whole start window (1 s). Counting failed starts within a time window
     * shorter than three such starts (1.5 s) never reached three: starts that fail in a row must
     * end in FAILED however long each took, and status must say why from the first failure on.
     */
    @Test
    void startsThatNeverBecomeReadyFailAfterMaxFailedStartsInARowHoweverLongEachTakes() {
        Supervisor supervisor = supervise(spec(List.of("sleep", "600"), readyFileProbe(), Optional.empty(),
                Duration.ofSeconds(1), RESTARTS));

        supervisor.start();
        ComponentSnapshot second = awaitSnapshot(supervisor, s -> s.restarts() == 1 && s.state() == ComponentState.STARTING);
        assertThat(second.lastError()).as("why, after the first failed start").contains("not ready within 1 s");

        ComponentSnapshot failed = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(supervisor::snapshot, s -> s.state() == ComponentState.FAILED);
        assertThat(failed.lastError()).contains("failed to start 3 times in a row", "not ready within 1 s");
        assertThat(failed.restarts()).isEqualTo(2);
        assertThat(processes.liveMarked()).isEmpty();
    }

    // ---- the listener must be ours -----------------------------------------------------------

    /**
     * Our process stays alive but never listens (its bind failed); a foreign server takes the port
     * after our start and answers the probe. That must never count as ours being ready.
     */
    @Test
    void aForeignListenerAnsweringTheProbeNeverMakesTheComponentRunning() {
        int port = TestProcesses.freePort();
        Supervisor supervisor = supervise(spec(List.of("sleep", "600"), httpProbe(port),
                Optional.of(new InetSocketAddress(LOOPBACK, port)), Duration.ofSeconds(20)));
        supervisor.start();
        long ours = awaitSnapshot(supervisor, s -> s.pid() != null).pid();

        Process foreign = startHttpServer(Map.of(), port);

        ComponentSnapshot settled = awaitSnapshot(supervisor,
                s -> s.state() == ComponentState.RUNNING || s.state() == ComponentState.FAILED);
        assertThat(settled.state()).isEqualTo(ComponentState.FAILED);
        assertThat(settled.lastError()).contains("port " + port + " is in use by pid " + foreign.pid());
        assertThat(isLive(ours)).isFalse();
        assertThat(isLive(foreign.pid())).as("the foreign server is left alone").isTrue();
    }

    /** Ours served, then closed its listener but stayed alive; a foreign server took over the port. */
    @Test
    void aForeignListenerAnsweringLivenessChecksIsNotTakenForOurs() throws Exception {
        int port = TestProcesses.freePort();
        Path closeNow = home.resolve("close-listener");
        Supervisor supervisor = supervise(spec(List.of(TestProcesses.python(), "-c", SERVES_THEN_CLOSES,
                        String.valueOf(port), closeNow.toString()), httpProbe(port),
                Optional.of(new InetSocketAddress(LOOPBACK, port)), START_TIMEOUT));
        supervisor.start();
        long ours = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING).pid();

        Files.writeString(closeNow, "");
        await().atMost(PATIENCE).until(() -> PortOwner.isFree(LOOPBACK, port));
        Process foreign = startHttpServer(Map.of(), port);

        await("no longer running on the foreign listener").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(20)).until(() -> supervisor.snapshot().state() != ComponentState.RUNNING);
        ComponentSnapshot failed = awaitSnapshot(supervisor, s -> s.state() == ComponentState.FAILED);
        assertThat(failed.lastError()).contains("port " + port + " is in use by pid " + foreign.pid());
        assertThat(isLive(ours)).isFalse();
        assertThat(isLive(foreign.pid())).isTrue();
    }

    // ---- ports -------------------------------------------------------------------------------

    /** The foreign listener leads its own session, as daemons do: a group kill would reach it. */
    @Test
    void foreignListenerOnTheAddressFailsTheStartNamingIt() {
        int port = TestProcesses.freePort();
        Process foreign = processes.start(Map.of(), Stream.concat(Stream.of("setsid"), httpServer(port).stream())
                .toArray(String[]::new));
        await().atMost(PATIENCE).until(() -> !PortOwner.isFree(LOOPBACK, port));
        Supervisor supervisor = supervise(spec(SERVE, readyFileProbe(),
                Optional.of(new InetSocketAddress(LOOPBACK, port)), START_TIMEOUT));

        supervisor.start();
        ComponentSnapshot settled = awaitSnapshot(supervisor,
                s -> s.state() == ComponentState.FAILED || s.state() == ComponentState.RUNNING);

        assertThat(settled.state()).isEqualTo(ComponentState.FAILED);
        assertThat(settled.lastError()).contains("port " + port + " is in use by pid " + foreign.pid());
        assertThat(readyFile).as("nothing was started").doesNotExist();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> isLive(foreign.pid()));
    }

    @Test
    void leftoverListenerOfOursIsKilledToFreeTheAddress() {
        int port = TestProcesses.freePort();
        Process leftover = startHttpServer(ownership.environment(), port);
        Supervisor supervisor = supervise(spec(httpServer(port), httpProbe(port),
                Optional.of(new InetSocketAddress(LOOPBACK, port)), START_TIMEOUT));

        supervisor.start();
        ComponentSnapshot running = awaitSnapshot(supervisor, s -> s.state() == ComponentState.RUNNING);

        assertThat(running.pid()).isNotEqualTo(leftover.pid());
        assertThat(isLive(leftover.pid())).isFalse();
        assertThat(PortOwner.listenerOf(port)).map(id -> id.pid()).contains(running.pid());
    }

    // ---- recovery after a daemon restart -----------------------------------------------------

    @Test
    void recoverAdoptsTheLiveProcessOfAPreviousSupervisor() throws Exception {
        long pid = runThenAbandon(spec(SERVE));

        Supervisor successor = supervise(spec(SERVE));
        successor.recover().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        assertThat(successor.snapshot().pid()).isEqualTo(pid);
        assertThat(successor.snapshot().adopted()).isTrue();
        ComponentSnapshot running = awaitSnapshot(successor, s -> s.state() == ComponentState.RUNNING);
        assertThat(running.pid()).isEqualTo(pid);
        assertThat(running.restarts()).isZero();
        assertThat(processes.liveMarked()).containsExactly(pid);
    }

    @Test
    void adoptedProcessThatDiesIsRestarted() throws Exception {
        long adopted = runThenAbandon(spec(SERVE));
        Supervisor successor = supervise(spec(SERVE));
        successor.recover().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        awaitSnapshot(successor, s -> s.state() == ComponentState.RUNNING && s.adopted());

        TestProcesses.kill9(adopted);

        ComponentSnapshot restarted = awaitSnapshot(successor,
                s -> s.state() == ComponentState.RUNNING && s.pid() != null && s.pid() != adopted);
        assertThat(restarted.adopted()).isFalse();
        assertThat(restarted.restarts()).isEqualTo(1);
        assertThat(restarted.lastExit()).contains("status unknown");
    }

    @Test
    void recoverIgnoresARecordWhoseStartTimeDoesNotMatch() throws Exception {
        Process unrelated = processes.start("sleep", "600");
        long startTicks = TestProcesses.startTicks(unrelated.pid());
        Json.writeFile(record, new ComponentRecord(NAME, unrelated.pid(), startTicks - 1, TestProcesses.bootId(),
                "sleep 600", SERVE, System.currentTimeMillis()));

        assertNothingAdoptedAndSurvives(unrelated);
    }

    @Test
    void recoverIgnoresARecordOfAProcessWithoutOurMark() throws Exception {
        Process unrelated = processes.start("sleep", "600");
        Json.writeFile(record, new ComponentRecord(NAME, unrelated.pid(), TestProcesses.startTicks(unrelated.pid()),
                TestProcesses.bootId(), "sleep 600", SERVE, System.currentTimeMillis()));

        assertNothingAdoptedAndSurvives(unrelated);
    }

    @Test
    void recoverKillsLeftoversOfOursThatItCannotAdopt() throws Exception {
        Process leftover = processes.start(ownership.environment(), "bash", "-c", "sleep 600 & wait");
        await().atMost(PATIENCE).until(() -> processes.liveMarked().size() == 2);
        Supervisor supervisor = supervise(spec(SERVE));

        supervisor.recover().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        assertThat(supervisor.snapshot().state()).isEqualTo(ComponentState.STOPPED);
        assertThat(isLive(leftover.pid())).isFalse();
        assertThat(processes.liveMarked()).isEmpty();
    }

    /** The shared walk of many recoveries: one that names the component leaves it the full search. */
    @Test
    void recoverWithASharedScanStillStopsLeftoversItNamesAndAdoptsARecordedProcess() throws Exception {
        Process leftover = processes.start(ownership.environment(), "bash", "-c", "sleep 600 & wait");
        await().atMost(PATIENCE).until(() -> processes.liveMarked().size() == 2);
        Supervisor first = supervise(spec(SERVE));

        first.recover(() -> Ownership.scan(home).keySet()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        assertThat(first.snapshot().state()).isEqualTo(ComponentState.STOPPED);
        assertThat(isLive(leftover.pid())).isFalse();

        long pid = runThenAbandon(spec(SERVE));
        Supervisor successor = supervise(spec(SERVE));
        // A walk that (stale) does not name it: the record still leads to the process.
        successor.recover(Set::of).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(successor.snapshot().pid()).isEqualTo(pid);
        assertThat(successor.snapshot().adopted()).isTrue();
    }

    // ---- helpers -----------------------------------------------------------------------------

    private void assertNothingAdoptedAndSurvives(Process unrelated) throws Exception {
        Supervisor supervisor = supervise(spec(SERVE));

        supervisor.recover().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        ComponentSnapshot snapshot = supervisor.snapshot();
        assertThat(snapshot.state()).isEqualTo(ComponentState.STOPPED);
        assertThat(snapshot.pid()).isNull();
        assertThat(snapshot.adopted()).isFalse();
        assertThat(record).as("a record naming someone else is dropped").doesNotExist();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> isLive(unrelated.pid()));
    }

    /** Starts {@code spec} until RUNNING, then closes its supervisor as a dying daemon would. */
    private long runThenAbandon(ComponentSpec spec) {
        Supervisor previous = new Supervisor(spec, ownership, record);
        try {
            previous.start();
            return awaitSnapshot(previous, s -> s.state() == ComponentState.RUNNING).pid();
        } finally {
            previous.close();
        }
    }

    private Supervisor supervise(ComponentSpec spec) {
        Supervisor supervisor = new Supervisor(spec, ownership, record);
        supervisors.add(supervisor);
        return supervisor;
    }

    private static ComponentSnapshot awaitSnapshot(Supervisor supervisor, Predicate<ComponentSnapshot> condition) {
        return await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                .until(supervisor::snapshot, condition);
    }

    private ComponentSpec spec(List<String> command) {
        return spec(command, readyFileProbe(), Optional.empty(), START_TIMEOUT);
    }

    private ComponentSpec spec(List<String> command, HealthProbe probe, Optional<InetSocketAddress> listen,
                               Duration startTimeout) {
        return spec(command, probe, listen, startTimeout, RESTARTS);
    }

    private ComponentSpec spec(List<String> command, HealthProbe probe, Optional<InetSocketAddress> listen,
                               Duration startTimeout, RestartPolicy restartPolicy) {
        return spec(command, probe, listen, startTimeout, restartPolicy, STOP);
    }

    private ComponentSpec spec(List<String> command, HealthProbe probe, Optional<InetSocketAddress> listen,
                               Duration startTimeout, RestartPolicy restartPolicy, StopPolicy stopPolicy) {
        Map<String, String> environment = new HashMap<>(processes.mark());
        environment.put("READY_FILE", readyFile.toString());
        List<Endpoint> endpoints = listen.map(address -> List.of(new Endpoint("http", address))).orElse(List.of());
        return new ComponentSpec(NAME, "service", command, environment, null, home.resolve("logs").resolve(NAME + ".log"),
                endpoints, "test", false, Map.of(),
                Optional.of(new ProbeSchedule(probe, Duration.ofMillis(20), Duration.ofMillis(300), 3)),
                Optional.of(new ProbeSchedule(probe, Duration.ofMillis(100), Duration.ofMillis(300), 3)),
                startTimeout, RestartMode.ALWAYS, restartPolicy, stopPolicy, null, false);
    }

    private long readyPid() {
        try {
            return Long.parseLong(Files.readString(readyFile).strip());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Serving while the pid the component wrote into the ready file is alive. */
    private HealthProbe readyFileProbe() {
        return timeout -> {
            try {
                long pid = Long.parseLong(Files.readString(readyFile).strip());
                return isLive(pid) ? ProbeResult.serving() : ProbeResult.failing("pid " + pid + " is gone");
            } catch (IOException | NumberFormatException e) {
                return ProbeResult.failing("not ready: " + e);
            }
        };
    }

    private List<String> httpServer(int port) {
        return List.of(TestProcesses.python(), "-m", "http.server", String.valueOf(port),
                "--bind", "127.0.0.1", "--directory", home.toString());
    }

    private Process startHttpServer(Map<String, String> environment, int port) {
        Process server = processes.start(environment, httpServer(port).toArray(String[]::new));
        await().atMost(PATIENCE).until(() -> !PortOwner.isFree(LOOPBACK, port));
        return server;
    }

    /** An HTTP request with a timeout: a connect alone would pass against a stopped server. */
    private static HealthProbe httpProbe(int port) {
        return new HealthProbe() {
            @Override
            public java.util.OptionalInt port() {
                return java.util.OptionalInt.of(port);
            }

            @Override
            public ProbeResult check(Duration timeout) {
                return httpCheck(port, timeout);
            }
        };
    }

    private static ProbeResult httpCheck(int port, Duration timeout) {
        {
            int millis = Math.toIntExact(timeout.toMillis());
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(LOOPBACK, port), millis);
                socket.setSoTimeout(millis);
                socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                return status != null && status.contains(" 200 ")
                        ? ProbeResult.serving() : ProbeResult.failing("answered " + status);
            } catch (IOException e) {
                return ProbeResult.failing(e.toString());
            }
        }
    }
}
