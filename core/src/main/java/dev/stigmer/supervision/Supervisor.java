package dev.stigmer.supervision;

import dev.stigmer.logs.LogTail;
import dev.stigmer.process.AdoptedProcess;
import dev.stigmer.process.ExitStatus;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.PortOwner;
import dev.stigmer.process.ProcFs;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.process.ProcessTree;
import dev.stigmer.process.SpawnedProcess;
import dev.stigmer.process.SupervisedProcess;
import dev.stigmer.state.Json;
import dev.stigmer.supervision.HealthProbe.ProbeResult;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Runs one component and keeps it running: the state machine of {@link ComponentState}.
 * <p>
 * All state is confined to one event-loop thread; exits, probe results and timers arrive as
 * events tagged with the run they belong to, so a late event about an old process can never
 * act on the new one. Blocking work (probes, stopping a process tree) runs on worker threads
 * and reports back as events.
 */
public final class Supervisor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("stigmer.supervisor");
    private static final Duration READY_POLL = Duration.ofMillis(20);
    private static final Duration MIN_ADOPTION_WINDOW = Duration.ofSeconds(5);
    private static final int LOG_TAIL_LINES = 15;

    private final ComponentSpec spec;
    private final Ownership ownership;
    private final Path recordFile;
    private final ScheduledExecutorService loop;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final RestartBackoff backoff;

    // Confined to the loop thread.
    private ComponentState state = ComponentState.STOPPED;
    private SupervisedProcess current;
    private long run;
    private long startedAtMillis;
    private long launchedAtNanos;
    private Long readyAtNanos;
    private Duration readyWindow;
    private int probeFailures;
    private final Deque<Long> failedStarts = new ArrayDeque<>();
    private int restarts;
    private boolean wanted;
    private String lastExit;
    private String lastError;
    private String replacedBecause; // why we stopped the current run's process, if we did
    private String exitNotice; // the last exit, not yet logged
    private ScheduledFuture<?> timer;
    private final List<CompletableFuture<Void>> stopWaiters = new ArrayList<>();

    private volatile ComponentSnapshot snapshot;

    public Supervisor(ComponentSpec spec, Ownership ownership, Path recordFile) {
        this.spec = spec;
        this.ownership = ownership;
        this.recordFile = recordFile;
        this.backoff = new RestartBackoff(spec.restartPolicy());
        this.loop = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("supervisor-" + spec.name()).factory());
        publish();
    }

    public ComponentSpec spec() {
        return spec;
    }

    public ComponentSnapshot snapshot() {
        return snapshot;
    }

    /**
     * At daemon start: adopt the component's process left by a previous daemon when it verifiably
     * is ours (recorded identity, ownership mark, same command), and let the readiness probe decide
     * whether it stays; kill whatever else of ours is left. Never touches a process not ours.
     */
    public CompletableFuture<Void> recover() {
        return call(() -> {
            Optional<ProcessIdentity> candidate = findAdoptable();
            if (candidate.isPresent()) {
                Optional<AdoptedProcess> adopted = AdoptedProcess.watch(candidate.get());
                if (adopted.isPresent()) {
                    LOG.log(INFO, "{0}: adopting {1}", spec.name(), candidate.get().describe());
                    wanted = true;
                    Duration window = spec.probeTimeout().multipliedBy(spec.failureThreshold());
                    attach(adopted.get(), window.compareTo(MIN_ADOPTION_WINDOW) < 0 ? MIN_ADOPTION_WINDOW : window);
                    startedAtMillis = Json.readFile(recordFile, ComponentRecord.class)
                            .map(ComponentRecord::startedAtMillis).orElse(System.currentTimeMillis());
                    scheduleReadinessProbe(run);
                    return;
                }
            }
            deleteRecord();
            List<ProcStat> leftovers = new ProcessTree(ownership, Optional.empty()).stop(spec.stopPolicy());
            if (!leftovers.isEmpty()) {
                LOG.log(WARNING, "{0}: processes survived cleanup: {1}", spec.name(), leftovers);
            }
        });
    }

    /** Start if stopped or failed (a failed component gets a fresh set of tries); else nothing. */
    public CompletableFuture<Void> start() {
        return call(() -> {
            wanted = true;
            if (state == ComponentState.STOPPED || state == ComponentState.FAILED) {
                failedStarts.clear();
                backoff.reset();
                lastError = null;
                launch();
            }
        });
    }

    /** Stop restarting, then stop the whole process tree; completes when nothing of it is alive. */
    public CompletableFuture<Void> stop() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        post(() -> {
            wanted = false;
            cancelTimer();
            stopWaiters.add(done);
            if (state == ComponentState.STOPPING) {
                return;
            }
            Optional<ProcessIdentity> leader = Optional.ofNullable(current).map(SupervisedProcess::identity);
            long stoppedRun = ++run; // events of the old run are stale from here on
            transition(ComponentState.STOPPING);
            workers.submit(() -> {
                List<ProcStat> survivors = new ProcessTree(ownership, leader).stop(spec.stopPolicy());
                post(() -> finishStop(stoppedRun, survivors));
            });
        });
        return done;
    }

    private void finishStop(long stoppedRun, List<ProcStat> survivors) {
        if (!survivors.isEmpty()) {
            LOG.log(WARNING, "{0}: processes survived SIGKILL: {1}", spec.name(), survivors);
        }
        if (run == stoppedRun) {
            current = null;
            deleteRecord();
            transition(ComponentState.STOPPED);
        }
        stopWaiters.forEach(w -> w.complete(null));
        stopWaiters.clear();
    }

    // ---- transitions -------------------------------------------------------------------------

    private void launch() {
        cancelTimer();
        Optional<String> portProblem = claimPort();
        if (portProblem.isPresent()) {
            fail(portProblem.get());
            return;
        }
        SpawnedProcess process;
        try {
            Files.createDirectories(spec.log().getParent());
            Map<String, String> env = new HashMap<>(spec.environment());
            env.putAll(ownership.environment());
            process = SpawnedProcess.start(spec.command(), env, spec.log());
        } catch (IOException e) {
            fail("cannot start " + spec.command().getFirst() + ": " + e.getMessage());
            return;
        }
        logExitNotice();
        LOG.log(INFO, "{0}: started {1}", spec.name(), process.identity().describe());
        startedAtMillis = System.currentTimeMillis();
        attach(process, spec.startTimeout());
        writeRecord(process.identity());
        scheduleReadinessProbe(run);
    }

    private void attach(SupervisedProcess process, Duration window) {
        current = process;
        long myRun = ++run;
        launchedAtNanos = System.nanoTime();
        readyAtNanos = null;
        readyWindow = window;
        probeFailures = 0;
        replacedBecause = null;
        process.onExit().thenAccept(status -> post(() -> onExit(myRun, status)));
        transition(ComponentState.STARTING);
    }

    private void onExit(long exitedRun, ExitStatus status) {
        if (exitedRun != run) {
            return;
        }
        SupervisedProcess dead = current;
        current = null;
        cancelTimer();
        lastExit = status.describe() + " at " + Instant.now();
        // Written once the successor is spawned (or at once when there is none): logging and
        // file work cost milliseconds that a crash should not wait for.
        exitNotice = spec.name() + ": " + dead.identity().describe() + " " + lastExit;
        try {
            restartAfterExit();
        } finally {
            logExitNotice();
            if (current == null) {
                deleteRecord(); // with a successor, its record has replaced this one
            }
            // Whatever the dead leader left in its session must not outlive it. Done off the loop and
            // only once the successor is spawned, so the restart neither waits for nor competes with a
            // scan of /proc (an orphan holding the port is killed by claimPort before the spawn).
            long deadLeader = dead.identity().pid();
            workers.submit(() -> ProcessTree.killOrphansOf(ownership, deadLeader));
        }
    }

    private void restartAfterExit() {
        if (!wanted) {
            logExitNotice();
            transition(ComponentState.STOPPED);
            return;
        }
        long now = System.nanoTime();
        if (readyAtNanos == null) {
            failedStarts.addLast(now);
        } else if (now - readyAtNanos >= spec.restartPolicy().stableAfter().toNanos()) {
            backoff.reset();
        }
        long windowStart = now - spec.restartPolicy().window().toNanos();
        while (!failedStarts.isEmpty() && failedStarts.peekFirst() < windowStart) {
            failedStarts.removeFirst();
        }
        if (failedStarts.size() >= spec.restartPolicy().maxFailedStarts()) {
            // A start we cut short died of our own SIGTERM: name why we cut it, not the signal.
            fail(spec.name() + " failed to start " + failedStarts.size() + " times in a row; last: "
                    + (replacedBecause != null ? replacedBecause : lastExit));
            return;
        }
        restarts++;
        Duration delay = backoff.nextDelay();
        if (delay.isZero()) {
            launch();
            return;
        }
        logExitNotice();
        transition(ComponentState.BACKOFF);
        long backoffRun = run;
        timer = loop.schedule(() -> {
            if (run == backoffRun && state == ComponentState.BACKOFF) {
                launch();
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void logExitNotice() {
        if (exitNotice != null) {
            LOG.log(WARNING, exitNotice);
            exitNotice = null;
        }
    }

    private void fail(String reason) {
        logExitNotice();
        lastError = reason;
        LOG.log(WARNING, "{0}: failed: {1}", spec.name(), reason);
        wanted = false;
        transition(ComponentState.FAILED);
    }

    private void scheduleReadinessProbe(long probedRun) {
        timer = loop.schedule(() -> {
            if (run != probedRun || state != ComponentState.STARTING) {
                return;
            }
            Duration timeout = spec.probeTimeout().compareTo(Duration.ofSeconds(1)) > 0
                    ? Duration.ofSeconds(1) : spec.probeTimeout();
            workers.submit(() -> {
                ProbeResult result = spec.probe().check(timeout);
                post(() -> onReadinessResult(probedRun, result));
            });
        }, READY_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onReadinessResult(long probedRun, ProbeResult result) {
        if (run != probedRun || state != ComponentState.STARTING) {
            return;
        }
        if (result.healthy()) {
            readyAtNanos = System.nanoTime();
            lastError = null;
            probeFailures = 0;
            if (!current.adopted()) {
                writeRecord(current.identity().refreshed());
            }
            LOG.log(INFO, "{0}: ready after {1} ms", spec.name(), (readyAtNanos - launchedAtNanos) / 1_000_000);
            transition(ComponentState.RUNNING);
            scheduleLivenessProbe(probedRun);
        } else if (System.nanoTime() - launchedAtNanos > readyWindow.toNanos()) {
            lastError = "not ready within " + readyWindow.toSeconds() + " s: " + result.detail();
            replace(lastError);
        } else if (stoppedWhileStarting()) {
            // A slow start and a frozen one look alike to a probe; only the kernel can tell.
            lastError = "stopped (SIGSTOP) while starting: " + result.detail();
            replace(lastError);
        } else {
            scheduleReadinessProbe(probedRun);
        }
    }

    /** True once the process was seen stopped (state T) on failureThreshold readiness probes in a row. */
    private boolean stoppedWhileStarting() {
        boolean stopped = ProcFs.stat(current.identity().pid())
                .map(stat -> stat.state() == 'T' || stat.state() == 't').orElse(false);
        probeFailures = stopped ? probeFailures + 1 : 0;
        return probeFailures >= spec.failureThreshold();
    }

    private void scheduleLivenessProbe(long probedRun) {
        timer = loop.schedule(() -> {
            if (run != probedRun || state != ComponentState.RUNNING) {
                return;
            }
            workers.submit(() -> {
                ProbeResult result = spec.probe().check(spec.probeTimeout());
                post(() -> onLivenessResult(probedRun, result));
            });
        }, spec.probeInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void onLivenessResult(long probedRun, ProbeResult result) {
        if (run != probedRun || state != ComponentState.RUNNING) {
            return;
        }
        if (result.healthy()) {
            probeFailures = 0;
        } else {
            probeFailures++;
            LOG.log(WARNING, "{0}: health check failed ({1}/{2}): {3}", spec.name(), probeFailures,
                    spec.failureThreshold(), result.detail());
            if (probeFailures >= spec.failureThreshold()) {
                lastError = "unhealthy: " + probeFailures + " health checks failed in a row: " + result.detail();
                transition(ComponentState.UNHEALTHY);
                replace(lastError);
                return;
            }
        }
        scheduleLivenessProbe(probedRun);
    }

    /** Stops the current tree; its exit event then drives the restart. */
    private void replace(String reason) {
        cancelTimer();
        ProcessIdentity victim = current.identity();
        replacedBecause = reason;
        LOG.log(WARNING, "{0}: replacing {1}: {2}", spec.name(), victim.describe(), reason);
        // Scoped to the victim's tree: the successor, spawned when the victim's exit arrives,
        // carries the same mark and must not be stopped with it.
        ProcessTree tree = ProcessTree.rootedAt(ownership, victim);
        workers.submit(() -> tree.stop(spec.stopPolicy()));
    }

    private void transition(ComponentState next) {
        if (state != next) {
            LOG.log(INFO, "{0}: {1} -> {2}", spec.name(), state.label(), next.label());
        }
        state = next;
        publish();
    }

    // ---- helpers -----------------------------------------------------------------------------

    /**
     * Makes sure the port is ours to take: a leftover of this component is killed; anything else
     * listening there is named in the error and left alone.
     */
    private Optional<String> claimPort() {
        if (spec.listen().isEmpty()) {
            return Optional.empty();
        }
        InetSocketAddress address = spec.listen().get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!PortOwner.isFree(address.getAddress(), address.getPort())) {
            Optional<ProcessIdentity> holder = PortOwner.listenerOf(address.getPort());
            if (holder.isPresent() && ownership.marks(holder.get().pid())) {
                new ProcessTree(ownership, holder).killNow();
            } else if (holder.isPresent() || System.nanoTime() > deadline) {
                return Optional.of("port " + address.getPort() + " is in use by "
                        + holder.map(ProcessIdentity::describe).orElse("another process")
                        + "; stop it or choose another port");
            }
            if (System.nanoTime() > deadline) {
                return Optional.of("port " + address.getPort() + " is still held by our previous "
                        + spec.name() + " process " + holder.map(ProcessIdentity::describe).orElse(""));
            }
            sleep(20);
        }
        return Optional.empty();
    }

    private Optional<ProcessIdentity> findAdoptable() {
        Optional<ComponentRecord> record = Json.readFile(recordFile, ComponentRecord.class)
                .filter(ComponentRecord::isComplete)
                .filter(r -> r.name().equals(spec.name()) && r.command().equals(spec.command()));
        if (record.isPresent()) {
            ProcessIdentity recorded = record.get().identity();
            if (recorded.isAlive() && ownership.marks(recorded.pid())) {
                return Optional.of(recorded);
            }
            LOG.log(INFO, "{0}: record names {1}, which is not our live process: ignored",
                    spec.name(), recorded.describe());
        }
        // Records lost or corrupt: the ownership mark still finds a session leader of ours.
        String commandLine = String.join(" ", spec.command());
        return ProcFs.all().stream()
                .filter(s -> s.isAlive() && s.pid() == s.sid() && ownership.marks(s.pid()))
                .map(s -> ProcessIdentity.of(s.pid()))
                .flatMap(Optional::stream)
                .filter(id -> id.commandLine().equals(commandLine))
                .findFirst();
    }

    private void writeRecord(ProcessIdentity identity) {
        try {
            Json.writeFile(recordFile, ComponentRecord.of(spec.name(), identity, spec.command(), startedAtMillis));
        } catch (IOException e) {
            LOG.log(WARNING, "cannot write " + recordFile, e);
        }
    }

    private void deleteRecord() {
        try {
            Files.deleteIfExists(recordFile);
        } catch (IOException e) {
            LOG.log(WARNING, "cannot delete " + recordFile, e);
        }
    }

    private void publish() {
        boolean live = current != null;
        snapshot = new ComponentSnapshot(spec.name(), state,
                live ? current.identity().pid() : null,
                spec.address(), spec.mode(), spec.persistent(), spec.links(), restarts,
                live && current.adopted(),
                live ? startedAtMillis : null,
                lastExit, lastError,
                state == ComponentState.FAILED ? LogTail.lastLines(spec.log(), LOG_TAIL_LINES) : List.of());
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void post(Runnable event) {
        try {
            loop.execute(() -> {
                try {
                    event.run();
                } catch (RuntimeException e) {
                    LOG.log(WARNING, spec.name() + ": event failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: the daemon is going away
        }
    }

    private CompletableFuture<Void> call(Runnable event) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        post(() -> {
            try {
                event.run();
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        workers.shutdownNow();
    }
}
