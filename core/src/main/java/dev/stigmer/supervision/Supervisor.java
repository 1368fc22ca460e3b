package dev.stigmer.supervision;

import dev.stigmer.config.Durations;
import dev.stigmer.probe.ProbeSchedule;
import dev.stigmer.logs.LogTail;
import dev.stigmer.os.FileErrors;
import dev.stigmer.process.AdoptedProcess;
import dev.stigmer.process.CgroupRoot;
import dev.stigmer.process.ExitKeeper;
import dev.stigmer.process.ExitStatus;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.PortOwner;
import dev.stigmer.process.ProcFs;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.process.ProcessTree;
import dev.stigmer.process.RunCgroup;
import dev.stigmer.process.SpawnedProcess;
import dev.stigmer.process.SupervisedProcess;
import dev.stigmer.state.Json;
import dev.stigmer.supervision.ComponentSpec.Endpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Runs one component and keeps it running: the state machine of {@link ComponentState}.
 * <p>
 * All state is confined to one event-loop thread, which never blocks: exits, probe results,
 * timers and the results of blocking work (probes, port claims, stopping a process tree,
 * recovery) arrive as events tagged with the run they belong to, so a late event about an old
 * process can never act on the new one. The one exception is the crash path: a bind test per
 * port and the spawn itself run on the loop, so a crash is healed without a thread hop.
 * <p>
 * Whether the component is wanted is a level, not an edge: a start that arrives while a stop or
 * a recovery is under way is acted on when that ends.
 */
public final class Supervisor implements Component {
    private static final System.Logger LOG = System.getLogger("stigmer.supervisor");
    /** A start whose readiness probe keeps failing says why in status after this long. */
    static final Duration READY_NOTE_AFTER = Duration.ofSeconds(2);
    private static final Duration MIN_ADOPTION_WINDOW = Duration.ofSeconds(5);
    /** Without a readiness probe a start is ready at once; one that dies sooner than this still counts as failed. */
    private static final Duration MIN_UPTIME_WITHOUT_PROBE = Duration.ofSeconds(1);
    /** Each spawned process carries its spec's hash, so a later daemon adopts only what it would start itself. */
    public static final String SPEC_VARIABLE = "STIGMER_SPEC";
    private static final int LOG_TAIL_LINES = 15;

    private final ComponentSpec spec;
    private final Ownership ownership;
    private final Path recordFile;
    private final EventLoop loop;
    private final Prober readiness; // null: none
    private final Prober liveness; // null: none
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
    private int failedStartsInARow;
    private boolean onlyCleanExitsInARow = true; // every failed start of the streak so far exited 0 by itself
    private int restarts;
    private boolean wanted;
    private boolean retired; // stopping for good: the daemon is exiting, no start is taken any more
    private String lastExit;
    private String lastError;
    private String probeNote; // why the probe is failing, while it is not (yet) a cause for action
    private String replacedBecause; // why we stopped the current run's process, if we did
    private String failAfterExit; // set when no restart can help the run being stopped
    private String exitNotice; // the last exit, not yet logged
    private Integer exitCode; // the last exit's code, when known
    private ScheduledFuture<?> timer;
    private ExitKeeper keeper; // the current run's, when its exit status is kept for a later daemon
    private long logOffset; // where the current run's lines begin in its log's byte stream (LogFollower)
    private boolean readyBefore; // an adopted run had become ready under the daemon that started it
    private RunCgroup cgroup; // the current run's cgroup, when cgroups can be made here
    private final List<CompletableFuture<Void>> stopWaiters = new ArrayList<>();

    private volatile ComponentSnapshot snapshot;
    private volatile Consumer<ComponentSnapshot> onChange = snapshot -> { };

    public Supervisor(ComponentSpec spec, Ownership ownership, Path recordFile) {
        this.spec = spec;
        this.ownership = ownership;
        this.recordFile = recordFile;
        this.backoff = new RestartBackoff(spec.restartPolicy());
        this.loop = new EventLoop("supervisor-" + spec.name());
        this.readiness = spec.ready().map(schedule -> new Prober(loop, schedule)).orElse(null);
        this.liveness = spec.health().map(schedule -> new Prober(loop, schedule)).orElse(null);
        publish();
    }

    public ComponentSpec spec() {
        return spec;
    }

    @Override
    public ComponentSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public Duration stopBound() {
        return spec.stopPolicy().grace().plus(spec.stopPolicy().killWait());
    }

    /** Called (on the supervisor's thread) with every new snapshot; must not block. Set before starting. */
    public void onChange(Consumer<ComponentSnapshot> listener) {
        this.onChange = listener;
    }

    /**
     * At daemon start: adopt the component's process left by a previous daemon when it verifiably
     * is ours (recorded identity, ownership mark, same command), and let the readiness probe decide
     * whether it stays; stop whatever else of ours is left. Never touches a process not ours.
     * Returns at once (the component is RECOVERING meanwhile); the future completes when done.
     */
    public CompletableFuture<Void> recover() {
        return recover(null);
    }

    /**
     * Like {@link #recover()}, with a walk of /proc shared by many components: it names the
     * components that had a process carrying their mark, and was taken before this component's
     * first start. When it does not name this one and there is no record, nothing was left, and
     * recovery skips its own two walks (each reads every process's environment).
     *
     * @param markedComponents the shared walk (null, or answering null: walk as usual)
     */
    public CompletableFuture<Void> recover(Supplier<Set<String>> markedComponents) {
        CompletableFuture<Void> done = loop.answerLater();
        loop.post(() -> {
            if (state != ComponentState.STOPPED) {
                done.complete(null);
                return;
            }
            long recoveryRun = ++run;
            transition(ComponentState.RECOVERING);
            loop.offLoop(() -> lookForLeftovers(markedComponents), found -> onRecovered(recoveryRun, found, done), failure -> {
                LOG.log(WARNING, "{0}: recovery failed: {1}", spec.name(), failure.toString());
                onRecovered(recoveryRun, Leftovers.none(List.of()), done);
            });
        }, done);
        return done;
    }

    /**
     * Wanted from now on: starts it if stopped, failed or exited (a failed component gets a fresh
     * set of tries); a stop or a recovery under way starts it when it ends; a completed one-shot
     * stays completed (restart it to run it again); else nothing to do.
     */
    public CompletableFuture<Void> start() {
        return loop.call(() -> {
            if (retired) {
                throw new EventLoop.Refused(spec.name() + " is stopping for good");
            }
            if (state == ComponentState.COMPLETED) {
                return;
            }
            wanted = true;
            if (state == ComponentState.STOPPED || state == ComponentState.FAILED || state == ComponentState.EXITED) {
                startFresh();
            }
        });
    }

    /**
     * Not wanted from now on: stop restarting, then stop the whole process tree; completes when
     * nothing of it is alive (a later start may have started it again by then).
     */
    public CompletableFuture<Void> stop() {
        return stop(false);
    }

    /** Like {@link #stop()}, and every later start is refused: for a daemon that is exiting. */
    public CompletableFuture<Void> retire() {
        return stop(true);
    }

    private CompletableFuture<Void> stop(boolean forGood) {
        CompletableFuture<Void> done = loop.answerLater();
        loop.post(() -> {
            wanted = false;
            retired |= forGood;
            cancelTimer();
            stopWaiters.add(done);
            if (state != ComponentState.STOPPING && state != ComponentState.RECOVERING) {
                beginStop(); // else it ends by itself, then answers the waiters
            }
        }, done);
        return done;
    }

    // ---- recovery ----------------------------------------------------------------------------

    /**
     * What a previous daemon left: a process adopted (with its record, if any), or the survivors
     * of stopping the rest, and how a kept run ended while no daemon watched.
     */
    private record Leftovers(Optional<SupervisedProcess> adopted, Optional<ComponentRecord> record,
                             List<ProcStat> survivors, Optional<ComponentRecord> completed,
                             Optional<ExitStatus> endedMeanwhile, ExitKeeper keeper, RunCgroup cgroup) {
        static Leftovers none(List<ProcStat> survivors) {
            return new Leftovers(Optional.empty(), Optional.empty(), survivors, Optional.empty(), Optional.empty(), null, null);
        }
    }

    /** On a worker: reads the record and /proc, and may take a whole grace period to stop leftovers. */
    private Leftovers lookForLeftovers(Supplier<Set<String>> markedComponents) {
        if (markedComponents != null && !Files.exists(recordFile, LinkOption.NOFOLLOW_LINKS)) {
            Set<String> marked = markedComponents.get();
            if (marked != null && !marked.contains(spec.name())) {
                return Leftovers.none(List.of());
            }
        }
        Optional<ComponentRecord> record = Json.readFile(recordFile, ComponentRecord.class);
        Optional<ComponentRecord> completion = record.filter(r -> r.completedFrom(spec.specHash()));
        if (completion.isPresent() && new ProcessTree(ownership, Optional.empty()).isEmpty()) {
            return new Leftovers(Optional.empty(), Optional.empty(), List.of(), completion, Optional.empty(), null, null);
        }
        // A run whose exit status a keeper writes down: its status is known even if it ended unwatched.
        ExitKeeper recordedKeeper = record.filter(r -> r.exitToken() != null && keepsExitStatus())
                .map(r -> ExitKeeper.ofRecordedRun(exitFile(), r.exitToken())).orElse(null);
        Optional<ProcessIdentity> candidate = findAdoptable();
        Optional<SupervisedProcess> adopted = candidate.flatMap(AdoptedProcess::watch)
                .map(process -> recordedKeeper == null ? process : recordedKeeper.watch(process));
        CgroupRoot cgroups = CgroupRoot.of(ownership.home());
        if (adopted.isPresent()) {
            LOG.log(INFO, "{0}: adopting {1}", spec.name(), candidate.get().describe());
            Optional<ComponentRecord> adoptedRecord = record.filter(r -> r.pid() == candidate.get().pid());
            // The adopted run's own cgroup: its record names it; with the record lost, /proc does.
            RunCgroup kept = adoptedRecord.flatMap(r -> cgroups.run(spec.name(), r.cgroup()))
                    .or(() -> cgroups.runOf(spec.name(), candidate.get().pid())).orElse(null);
            // Older runs' cgroups hold nothing we run: what is in them escaped an earlier stop.
            cgroups.runs(spec.name()).stream().filter(c -> kept == null || !c.dir().equals(kept.dir()))
                    .forEach(c -> c.killAndRemove(spec.stopPolicy().killWait().toMillis()));
            return new Leftovers(adopted, adoptedRecord, List.of(), Optional.empty(), Optional.empty(), recordedKeeper, kept);
        }
        Optional<ExitStatus> ended = Optional.ofNullable(recordedKeeper).flatMap(ExitKeeper::recorded);
        ended.ifPresent(status -> LOG.log(INFO, "{0}: its run {1} while no daemon watched", spec.name(), status.describe()));
        deleteRecord();
        List<ProcStat> survivors = new ProcessTree(ownership, Optional.empty()).stop(spec.stopPolicy());
        cgroups.runs(spec.name()).forEach(c -> c.killAndRemove(spec.stopPolicy().killWait().toMillis()));
        return new Leftovers(Optional.empty(), Optional.empty(), survivors, Optional.empty(), ended, null, null);
    }

    private void onRecovered(long recoveryRun, Leftovers leftovers, CompletableFuture<Void> done) {
        try {
            if (run != recoveryRun || state != ComponentState.RECOVERING) {
                return;
            }
            if (leftovers.adopted().isPresent()) {
                Optional<ComponentRecord> record = leftovers.record();
                startedAtMillis = record.map(ComponentRecord::startedAtMillis).orElse(System.currentTimeMillis());
                boolean wasReady = record.map(ComponentRecord::wasReady).orElse(false);
                Duration window = wasReady
                        ? spec.health().or(spec::ready).map(schedule -> schedule.timeout().multipliedBy(schedule.failures()))
                                .orElse(MIN_ADOPTION_WINDOW)
                        // not ready yet: what is left of its start timeout
                        : spec.startTimeout().minusMillis(System.currentTimeMillis() - startedAtMillis);
                attach(leftovers.adopted().get(), window.compareTo(MIN_ADOPTION_WINDOW) < 0 ? MIN_ADOPTION_WINDOW : window);
                keeper = leftovers.keeper();
                cgroup = leftovers.cgroup();
                logOffset = record.map(ComponentRecord::logOffset).orElse(0L);
                readyBefore = wasReady;
                if (!stopWaiters.isEmpty()) {
                    beginStop(); // a stop came while we looked
                    return;
                }
                wanted = true; // it was running: keep it so
                awaitReady(run);
                return;
            }
            if (leftovers.completed().isPresent()) {
                LOG.log(INFO, "{0}: completed under an earlier daemon, with this spec: not run again", spec.name());
                lastExit = leftovers.completed().get().lastExit();
                exitCode = 0;
                current = null;
                transition(ComponentState.COMPLETED);
                stopWaiters.forEach(w -> w.complete(null));
                stopWaiters.clear();
                return;
            }
            if (!leftovers.survivors().isEmpty()) {
                LOG.log(WARNING, "{0}: processes survived cleanup: {1}", spec.name(), leftovers.survivors());
            }
            if (leftovers.endedMeanwhile().isPresent() && endedForGood(leftovers.endedMeanwhile().get())) {
                return;
            }
            settleStopped();
        } finally {
            done.complete(null);
        }
    }

    /**
     * A kept run that ended while no daemon watched, as its exit would have been seen: a one-shot
     * that exited 0 is completed (and not run again), one with restart "no" that failed is exited.
     * False when it is to run again (restart always, or on-failure after a failure).
     */
    private boolean endedForGood(ExitStatus status) {
        boolean succeeded = status.code() != null && status.code() == 0;
        if (spec.restart().restartsAfter(succeeded)) {
            return false;
        }
        current = null;
        lastExit = status.describe() + " while no daemon watched";
        exitCode = status.code();
        lastError = succeeded ? null : spec.name() + " " + status.describe() + "; not restarted (restart: \"no\")";
        transition(succeeded ? ComponentState.COMPLETED : ComponentState.EXITED);
        if (succeeded) {
            writeCompletion();
        }
        stopWaiters.forEach(w -> w.complete(null));
        stopWaiters.clear();
        return true;
    }

    // ---- stopping ----------------------------------------------------------------------------

    private void beginStop() {
        Optional<ProcessIdentity> leader = Optional.ofNullable(current).map(SupervisedProcess::identity);
        ProcessTree tree = new ProcessTree(ownership, leader).within(Optional.ofNullable(cgroup));
        long stoppedRun = ++run; // events of the old run are stale from here on
        transition(ComponentState.STOPPING);
        loop.offLoop(() -> tree.stop(spec.stopPolicy()),
                survivors -> finishStop(stoppedRun, survivors),
                failure -> finishStop(stoppedRun, List.of()));
    }

    private void finishStop(long stoppedRun, List<ProcStat> survivors) {
        if (!survivors.isEmpty()) {
            LOG.log(WARNING, "{0}: processes survived SIGKILL: {1}", spec.name(), survivors);
        }
        if (run != stoppedRun || state != ComponentState.STOPPING) {
            return;
        }
        deleteRecord();
        settleStopped();
    }

    /** Nothing of the component runs: STOPPED, stops answered, and started again if wanted again. */
    private void settleStopped() {
        current = null;
        cgroup = null; // removed by the stop
        transition(ComponentState.STOPPED);
        stopWaiters.forEach(w -> w.complete(null));
        stopWaiters.clear();
        if (wanted && !retired) {
            startFresh();
        }
    }

    // ---- starting ----------------------------------------------------------------------------

    private void startFresh() {
        failedStartsInARow = 0;
        onlyCleanExitsInARow = true;
        backoff.reset();
        lastError = null;
        launch();
    }

    /**
     * One bind test per port, then the spawn, on the loop: after a crash the dead process's sockets
     * are already closed, so that is all a restart costs. A busy port is claimed on a worker.
     */
    private void launch() {
        cancelTimer();
        List<Endpoint> busy = spec.endpoints().stream().filter(e -> !PortOwner.isFree(e.address())).toList();
        if (busy.isEmpty()) {
            spawn();
            return;
        }
        long claimRun = ++run; // a stop meanwhile makes the claim's answer stale
        transition(ComponentState.STARTING);
        loop.offLoop(() -> PortClaim.claim(spec, ownership, busy), problem -> onPortsClaimed(claimRun, problem),
                failure -> onPortsClaimed(claimRun, Optional.of("cannot check the ports: " + failure)));
    }

    private void onPortsClaimed(long claimRun, Optional<String> problem) {
        if (run != claimRun || state != ComponentState.STARTING || current != null) {
            return;
        }
        problem.ifPresentOrElse(this::fail, this::spawn);
    }

    private void spawn() {
        SupervisedProcess process;
        try {
            Files.createDirectories(spec.log().getParent());
            Map<String, String> env = new HashMap<>(spec.environment());
            env.putAll(ownership.environment());
            if (spec.specHash() != null) {
                env.put(SPEC_VARIABLE, spec.specHash());
            }
            spec.ready().ifPresent(schedule -> schedule.probe().starting());
            keeper = keepsExitStatus() ? ExitKeeper.forNewRun(exitFile()) : null;
            List<String> command = spec.command();
            if (keeper != null) {
                env.putAll(keeper.environment());
                command = ExitKeeper.command(command);
            }
            cgroup = CgroupRoot.of(ownership.home()).newRun(spec.name()).orElse(null);
            if (cgroup != null) {
                command = cgroup.launch(command);
            }
            logOffset = dev.stigmer.logs.LogFollower.streamEnd(spec.log());
            SpawnedProcess spawned = SpawnedProcess.start(command, env, spec.log(), spec.workingDir(), spec.exactEnvironment());
            process = keeper == null ? spawned : keeper.watch(spawned);
        } catch (IOException e) {
            // For a file, its path and why ("permission denied"): a FileSystemException's message is the path alone.
            fail("cannot start " + spec.command().getFirst() + ": " + FileErrors.describe(e));
            return;
        }
        logExitNotice();
        LOG.log(INFO, "{0}: started pid {1}: {2}", spec.name(), String.valueOf(process.identity().pid()),
                String.join(" ", spec.command()));
        startedAtMillis = System.currentTimeMillis();
        readyBefore = false;
        attach(process, spec.startTimeout());
        writeRecord(process.identity(), false);
        awaitReady(run);
    }

    private void attach(SupervisedProcess process, Duration window) {
        current = process;
        long myRun = ++run;
        launchedAtNanos = System.nanoTime();
        readyAtNanos = null;
        readyWindow = window;
        probeFailures = 0;
        probeNote = null;
        replacedBecause = null;
        failAfterExit = null;
        exitCode = null;
        process.onExit().thenAccept(status -> loop.post(() -> onExit(myRun, status)));
        transition(ComponentState.STARTING);
    }

    // ---- exits and restarts ------------------------------------------------------------------

    private void onExit(long exitedRun, ExitStatus status) {
        if (exitedRun != run) {
            return;
        }
        SupervisedProcess dead = current;
        Optional<RunCgroup> deadCgroup = Optional.ofNullable(cgroup);
        current = null;
        cgroup = null;
        cancelTimer();
        lastExit = status.describe() + " at " + Instant.now();
        exitCode = status.code();
        // Written once the successor is spawned (or at once when there is none): logging and
        // file work cost milliseconds that a crash should not wait for.
        exitNotice = spec.name() + ": " + dead.identity().describe() + " " + lastExit;
        try {
            restartAfterExit(status, leftInTheBackground(status, dead.identity(), deadCgroup));
        } finally {
            logExitNotice();
            if (state == ComponentState.COMPLETED) {
                writeCompletion(); // a later daemon must not run it again
            } else if (current == null) {
                deleteRecord(); // with a successor, its record has replaced this one
            }
            // Whatever the dead leader left in its session must not outlive it. Done off the loop and
            // only once the successor is spawned, so the restart neither waits for nor competes with a
            // scan of /proc (an orphan holding the port is killed by the port claim before the spawn).
            ProcessIdentity deadLeader = dead.identity();
            Optional<ProcessIdentity> successor = Optional.ofNullable(current).map(SupervisedProcess::identity);
            loop.offLoop(() -> {
                ProcessTree.killOrphansOf(ownership, deadLeader, successor);
                // Its cgroup holds what escaped even the sweep (env -i setsid ...); a successor has its own.
                deadCgroup.ifPresent(c -> c.killAndRemove(spec.stopPolicy().killWait().toMillis()));
            });
        }
    }

    /**
     * Why an exit 0 that left processes behind is no success: the command put its server in the
     * background (a `daemon` mode, `--detach`, `cmd &`) and returned. Null when it left none, or
     * exited otherwise. Costs a walk of /proc, on the loop: only after an exit 0 we did not cause.
     */
    private String leftInTheBackground(ExitStatus status, ProcessIdentity deadLeader, Optional<RunCgroup> deadCgroup) {
        if (status.code() == null || status.code() != 0 || replacedBecause != null) {
            return null;
        }
        int left = ProcessTree.rootedAt(ownership, deadLeader, ProcFs.ticksSinceBoot()).within(deadCgroup).members().size();
        return left == 0 ? null : spec.name() + " exited 0 and left " + left + (left == 1 ? " process" : " processes")
                + " running: it forked into the background; run it in the foreground (e.g. `--no-daemon`)";
    }

    private void restartAfterExit(ExitStatus status, String forked) {
        if (failAfterExit != null) {
            fail(failAfterExit);
            return;
        }
        if (!wanted) {
            logExitNotice();
            transition(ComponentState.STOPPED);
            return;
        }
        if (status.code() != null && (status.code() == COMMAND_NOT_FOUND || status.code() == NOT_EXECUTABLE)
                && System.nanoTime() - launchedAtNanos < MIN_UPTIME_WITHOUT_PROBE.toNanos()) {
            // setsid or /bin/sh -c could not run the command at all: no retry can help.
            fail("cannot run " + String.join(" ", spec.command()) + ": "
                    + (status.code() == COMMAND_NOT_FOUND ? "command not found" : "not executable")
                    + " (exit " + status.code() + " at once); see its log");
            return;
        }
        boolean succeeded = status.code() != null && status.code() == 0 && replacedBecause == null;
        if (!spec.restart().restartsAfter(succeeded)) {
            logExitNotice();
            wanted = false;
            // Ended by us (not ready in time, unhealthy): that is the reason, not the signal we sent.
            lastError = succeeded ? forked : (replacedBecause != null ? replacedBecause : spec.name() + " " + status.describe())
                    + "; not restarted (restart: " + spec.restart().written() + ")";
            transition(succeeded ? ComponentState.COMPLETED : ComponentState.EXITED);
            return;
        }
        int maxFailedStarts = spec.restartPolicy().maxFailedStarts();
        if (readyAtNanos == null) {
            // A start we cut short died of our own SIGTERM: name why we cut it, not the signal.
            String cause = replacedBecause != null ? replacedBecause
                    : forked != null ? forked : status.describe() + " before it was ready";
            onlyCleanExitsInARow &= succeeded && forked == null;
            if (++failedStartsInARow >= maxFailedStarts) {
                // Exit 0 every time under restart: always is a one-shot declared as a service: say what fixes it.
                fail(spec.name() + " failed to start " + failedStartsInARow + " times in a row; last: " + cause
                        + (onlyCleanExitsInARow ? "; a one-shot needs restart: \"no\" (or on-failure)" : ""));
                return;
            }
            lastError = failedStartsInARow + " of " + maxFailedStarts + " starts in a row failed; last: " + cause;
        } else {
            if (forked != null) {
                lastError = forked; // cleared when a start becomes ready
            }
            if (System.nanoTime() - readyAtNanos >= spec.restartPolicy().stableAfter().toNanos()) {
                backoff.reset();
            }
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
        }, delay);
    }

    private static final int COMMAND_NOT_FOUND = 127;
    private static final int NOT_EXECUTABLE = 126;

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

    // ---- probes ------------------------------------------------------------------------------

    /** Probes until ready; without a readiness probe, ready at once. */
    private void awaitReady(long startedRun) {
        boolean probeSeesTheProcess = spec.ready().map(schedule -> schedule.probe().checksALiveProcess()).orElse(false);
        if (current.adopted() && readyBefore && !probeSeesTheProcess) {
            // Ready under the daemon that started it, and no probe can tell more now (a log line may
            // have rotated away long ago): it keeps the readiness it had.
            timer = loop.schedule(() -> {
                if (run == startedRun && state == ComponentState.STARTING) {
                    becomeReady(startedRun);
                }
            }, Duration.ZERO);
        } else if (spec.ready().isEmpty()) {
            // No probe: ready once it has stayed up a moment, as supervisord's startsecs.
            timer = loop.schedule(() -> {
                if (run == startedRun && state == ComponentState.STARTING) {
                    becomeReady(startedRun);
                }
            }, MIN_UPTIME_WITHOUT_PROBE);
        } else {
            if (current.adopted()) {
                spec.ready().get().probe().resumingAt(logOffset); // its lines since it was spawned
            }
            scheduleReadinessProbe(startedRun);
        }
    }

    private void scheduleReadinessProbe(long probedRun) {
        long pid = current.identity().pid();
        ProbeSchedule ready = readiness.schedule();
        readiness.start(timeout -> ProbeOutcome.check(spec, ready, pid, timeout), ready.interval(),
                result -> onReadinessResult(probedRun, result));
    }

    private void onReadinessResult(long probedRun, Prober.Result check) {
        if (run != probedRun || state != ComponentState.STARTING) {
            readiness.stop();
            return;
        }
        ProbeOutcome outcome = check.outcome();
        if (outcome.foreignListener().isPresent()) {
            // Someone else has the port, so ours cannot serve there; no restart can change that.
            replace(outcome.foreignListener().get(), true);
        } else if (check.healthy()) {
            becomeReady(probedRun);
        } else if (System.nanoTime() - launchedAtNanos > readyWindow.toNanos()) {
            replace("not ready within " + Durations.readable(readyWindow) + ": " + check.detail(), false);
        } else if (stoppedWhileStarting()) {
            // A slow start and a frozen one look alike to a probe; only the kernel can tell.
            replace("stopped (SIGSTOP) while starting: " + check.detail(), false);
        } else if (System.nanoTime() - launchedAtNanos >= READY_NOTE_AFTER.toNanos()) {
            note("not ready yet: " + check.detail()); // the next check comes from the prober
        }
    }

    private void becomeReady(long readyRun) {
        cancelTimer();
        readyAtNanos = System.nanoTime();
        failedStartsInARow = 0;
        onlyCleanExitsInARow = true;
        lastError = null;
        probeNote = null;
        probeFailures = 0;
        writeRecord(current.adopted() ? current.identity() : current.identity().refreshed(), true);
        LOG.log(INFO, "{0}: ready after {1} ms", spec.name(), (readyAtNanos - launchedAtNanos) / 1_000_000);
        transition(ComponentState.RUNNING);
        if (spec.health().isPresent()) {
            scheduleLivenessProbe(readyRun);
        }
    }

    /** True once the process was seen stopped (state T) on the readiness probe's failures in a row. */
    private boolean stoppedWhileStarting() {
        boolean stopped = ProcFs.stat(current.commandPid()) // the command, not an exit keeper
                .map(stat -> stat.state() == 'T' || stat.state() == 't').orElse(false);
        probeFailures = stopped ? probeFailures + 1 : 0;
        return probeFailures >= spec.ready().map(ProbeSchedule::failures).orElse(1);
    }

    private void scheduleLivenessProbe(long probedRun) {
        long pid = current.identity().pid();
        ProbeSchedule health = liveness.schedule();
        liveness.start(timeout -> ProbeOutcome.check(spec, health, pid, timeout), health.interval(),
                result -> onLivenessResult(probedRun, result));
    }

    private void onLivenessResult(long probedRun, Prober.Result check) {
        if (run != probedRun || state != ComponentState.RUNNING) {
            liveness.stop();
            return;
        }
        if (check.healthy()) {
            note(null);
            return;
        }
        LOG.log(WARNING, "{0}: health check failed ({1}/{2}): {3}", spec.name(), check.failuresInARow(),
                check.threshold(), check.detail());
        if (check.thresholdReached()) {
            transition(ComponentState.UNHEALTHY);
            replace("unhealthy: " + check.failuresInARow() + " health checks failed in a row: " + check.detail(), false);
        } else {
            note(check.failing("health check"));
        }
    }

    /** Says (in lastError, when nothing weightier is there) why a probe fails before that leads anywhere. */
    private void note(String why) {
        if (!java.util.Objects.equals(why, probeNote)) {
            probeNote = why;
            publish();
        }
    }

    /**
     * Stops the current tree; its exit event then drives the restart, or the failure when
     * {@code thenFail}. The tree is the victim's group and session and the marked processes that
     * started before now: the successor, spawned when the victim's exit arrives, carries the same
     * mark but starts later, so it is never stopped with it.
     */
    private void replace(String reason, boolean thenFail) {
        cancelTimer();
        ProcessIdentity victim = current.identity();
        replacedBecause = reason;
        failAfterExit = thenFail ? reason : null;
        lastError = reason;
        LOG.log(WARNING, "{0}: replacing {1}: {2}", spec.name(), victim.describe(), reason);
        ProcessTree tree = ProcessTree.rootedAt(ownership, victim, ProcFs.ticksSinceBoot()).within(Optional.ofNullable(cgroup));
        loop.offLoop(() -> tree.stop(spec.stopPolicy())); // its exit event drives what comes next
    }

    private void transition(ComponentState next) {
        if (state != next) {
            LOG.log(INFO, "{0}: {1} -> {2}", spec.name(), state.label(), next.label());
        }
        state = next;
        publish();
    }

    // ---- helpers -----------------------------------------------------------------------------

    private Optional<ProcessIdentity> findAdoptable() {
        Optional<ComponentRecord> record = Json.readFile(recordFile, ComponentRecord.class)
                .filter(ComponentRecord::isComplete)
                .filter(r -> r.name().equals(spec.name()) && r.command().equals(spec.command()));
        if (record.isPresent()) {
            ProcessIdentity recorded = record.get().identity();
            if (recorded.isAlive() && ownership.marks(recorded.pid()) && madeFromThisSpec(recorded.pid())) {
                return Optional.of(recorded);
            }
            LOG.log(INFO, "{0}: record names {1}, which is not our live process: ignored",
                    spec.name(), recorded.describe());
        }
        // Records lost or corrupt: the ownership mark still finds a session leader of ours.
        String commandLine = String.join(" ", keepsExitStatus() ? ExitKeeper.command(spec.command()) : spec.command());
        List<ProcessIdentity> leaders = ProcFs.all().stream()
                .filter(s -> s.isAlive() && s.pid() == s.sid() && ownership.marks(s.pid()) && madeFromThisSpec(s.pid()))
                .map(s -> ProcessIdentity.of(s.pid()))
                .flatMap(Optional::stream)
                .toList();
        Optional<ProcessIdentity> sameCommand = leaders.stream().filter(id -> id.commandLine().equals(commandLine)).findFirst();
        // A command that exec'd another (a pyenv shim, a script's interpreter) shows another command
        // line; the only session leader of ours of this spec is still its run. With several (one
        // left its session: setsid), which is the run is not known: none is adopted.
        return sameCommand.isPresent() || leaders.size() != 1 ? sameCommand : Optional.of(leaders.getFirst());
    }

    /** A process started from an earlier version of the spec is not adopted: it is replaced. */
    private boolean madeFromThisSpec(long pid) {
        return spec.specHash() == null || ProcFs.environ(pid)
                .map(env -> spec.specHash().equals(env.get(SPEC_VARIABLE))).orElse(false);
    }

    /**
     * A one-shot's (restart "no" or on-failure) exit decides what comes next, and a later daemon
     * that adopts it is not its parent: a keeper writes its status down. A service restarted
     * whatever its status needs none.
     */
    private boolean keepsExitStatus() {
        return spec.restart().canComplete();
    }

    private Path exitFile() {
        return recordFile.resolveSibling(spec.name() + ".exit");
    }

    private void writeRecord(ProcessIdentity identity, boolean ready) {
        try {
            Json.writeFile(recordFile, ComponentRecord.of(spec.name(), identity, spec.command(), startedAtMillis,
                    keeper == null ? null : keeper.token(), logOffset, ready,
                    cgroup == null ? null : cgroup.dir().getFileName().toString()));
        } catch (IOException e) {
            LOG.log(WARNING, "cannot write " + recordFile, e);
        }
    }

    private void writeCompletion() {
        try {
            Json.writeFile(recordFile, ComponentRecord.completion(spec.name(), spec.command(), spec.specHash(), lastExit));
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
        boolean showTail = state == ComponentState.FAILED || state == ComponentState.EXITED;
        snapshot = new ComponentSnapshot(spec.name(), spec.kind(), state,
                live ? current.commandPid() : null,
                spec.address(), spec.mode(), spec.persistent(), spec.links(), restarts,
                live && current.adopted(),
                live ? startedAtMillis : null,
                List.of(), exitCode,
                lastExit, lastError != null ? lastError : probeNote,
                showTail ? LogTail.lastLines(spec.log(), LOG_TAIL_LINES) : List.of());
        ComponentSnapshot published = snapshot;
        try {
            onChange.accept(published);
        } catch (RuntimeException e) {
            LOG.log(WARNING, spec.name() + ": a listener failed", e);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (readiness != null) {
            readiness.stop();
        }
        if (liveness != null) {
            liveness.stop();
        }
        probeNote = null;
    }

    @Override
    public void close() {
        loop.close();
        spec.ready().ifPresent(schedule -> schedule.probe().close());
        spec.health().ifPresent(schedule -> schedule.probe().close());
    }
}
