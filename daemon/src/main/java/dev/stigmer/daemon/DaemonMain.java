package dev.stigmer.daemon;

import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.ControlResponse.ErrorKind;
import dev.stigmer.control.ControlServer;
import dev.stigmer.control.DaemonRecord;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StatusReport;
import dev.stigmer.lock.ExclusiveLock;
import dev.stigmer.logs.LogRotation;
import dev.stigmer.logs.LogRotator;
import dev.stigmer.os.Linux;
import dev.stigmer.process.CgroupRoot;
import dev.stigmer.process.ChildReaper;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.PidfdSupport;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.state.Installation;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.control.StackRequest;
import dev.stigmer.control.TemporalClientVariables;
import dev.stigmer.supervision.Component;
import dev.stigmer.supervision.ComponentSpec;
import dev.stigmer.supervision.ComponentState;
import dev.stigmer.supervision.Supervisor;
import dev.stigmer.temporal.ExternalTemporalComponent;
import dev.stigmer.temporal.ExternalWatcher;
import dev.stigmer.temporal.TemporalComponent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon: one per STIGMER_HOME, guaranteed by a flock it holds for its whole life. It owns the
 * supervisors, serves the control socket, rotates logs and reaps orphans re-parented to it.
 * <p>
 * Usage (by the CLI): {@code DaemonMain SETTINGS_JSON}. Exit 75 when another daemon holds the lock.
 */
public final class DaemonMain {
    public static final int EXIT_ALREADY_RUNNING = 75;
    private static final System.Logger LOG = System.getLogger("stigmer.daemon");
    /** How long the daemon's own stop waits for the whole stack; the CLI waits a little longer. */
    private static final Duration STOP_BOUND = Duration.ofMinutes(5);
    private static final String VERSION = Optional.ofNullable(DaemonMain.class.getPackage().getImplementationVersion())
            .orElse("dev");

    private final StigmerHome home;
    private final LocalSettings settings;
    private final Component temporal;
    private final StackController stack;
    /** The external Temporal's API key, as the last START sent it: in memory only, never written. */
    private final AtomicReference<String> apiKey;
    private volatile LogRotator rotator;
    private final long startedAtMillis = System.currentTimeMillis();
    private final long startedAtNanos = System.nanoTime();
    /** The lock file we hold and the socket we bound, by inode: the proof that the home is still ours. */
    private Object lockFile;
    private Object socketFile;
    private volatile ControlServer control;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private DaemonMain(StigmerHome home, LocalSettings settings, Component temporal, AtomicReference<String> apiKey) {
        this.home = home;
        this.settings = settings;
        this.temporal = temporal;
        this.apiKey = apiKey;
        this.stack = new StackController(home, temporal, this::temporalVariables,
                log -> {
                    LogRotator current = rotator;
                    if (current != null) {
                        current.add(log);
                    }
                });
    }

    public static void main(String[] args) {
        configureLogging();
        int code;
        try {
            code = run(args);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.ERROR, "daemon failed", e);
            code = 1;
        }
        System.exit(code);
    }

    private static int run(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: DaemonMain SETTINGS_JSON (started by `stigmer local`)");
            return 2;
        }
        LocalSettings settings = Json.read(args[0], LocalSettings.class);
        StigmerHome home = StigmerHome.fromEnvironment().ensureCreated();
        Optional<ExclusiveLock> lock = ExclusiveLock.tryAcquire(home.daemonLock());
        if (lock.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "another daemon holds " + home.daemonLock() + "; exiting");
            return EXIT_ALREADY_RUNNING;
        }
        try (ExclusiveLock held = lock.get()) {
            Object lockFile = HomeFiles.key(home.daemonLock()).orElseThrow();
            Linux.becomeChildSubreaper();
            // Checked once, here: without pidfds every signal goes by pid (checked), and status says so.
            PidfdSupport.current().degradedNote().ifPresent(note ->
                    LOG.log(System.Logger.Level.WARNING, "degraded: " + note));
            CgroupRoot.of(home.root()).degradedNote().ifPresent(note ->
                    LOG.log(System.Logger.Level.WARNING, "degraded: " + note));
            AtomicReference<String> apiKey = new AtomicReference<>();
            Component temporal;
            if (settings.external() != null) {
                temporal = ExternalTemporalComponent.watcher(settings, home, apiKey::get);
            } else {
                if (settings.temporalBin() != null) {
                    home.ensureDataDir(TemporalComponent.NAME);
                }
                ComponentSpec spec = TemporalComponent.spec(settings, home, Installation.current());
                temporal = new Supervisor(spec, new Ownership(home.root(), spec.name()), home.componentRecord(spec.name()));
            }
            DaemonMain daemon = new DaemonMain(home, settings, temporal, apiKey);
            daemon.lockFile = lockFile;
            daemon.serve();
            return 0;
        }
    }

    private void serve() throws Exception {
        ProcessIdentity self = ProcessIdentity.of(ProcessHandle.current().pid()).orElseThrow();
        writeRecord();
        LOG.log(System.Logger.Level.INFO, "daemon " + self.pid() + " (" + VERSION + ") for " + home.root()
                + ", Temporal " + settings.mode() + " at " + settings.temporalAddress());
        // Recovery may take a whole grace period (stopping leftovers that ignore SIGTERM): it runs on
        // its own while the socket opens, status shows "recovering", and a start waits for its end.
        temporal.recover().exceptionally(failure -> {
            LOG.log(System.Logger.Level.WARNING, TemporalComponent.NAME + ": recovery failed", failure);
            return null;
        });
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("housekeeping").factory());
        List<Path> logs = temporal instanceof Supervisor supervisor
                ? List.of(home.logFile("daemon"), supervisor.spec().log()) : List.of(home.logFile("daemon"));
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "shutdown"));
        try (LogRotator rotator = LogRotator.start(LogRotation.DEFAULT, logs)) {
            this.rotator = rotator;
            listen();
            housekeeping.scheduleWithFixedDelay(() -> housekeeping(rotator), 1, 1, TimeUnit.SECONDS);
            stack.start(null, List.of()); // Temporal, at once: a foreground daemon gets no START
            stopped.await();
        } finally {
            housekeeping.shutdownNow();
            // Only what is still ours: after the home was renamed or run/ re-created, these paths
            // may already belong to the next daemon.
            if (control != null && HomeFiles.key(home.socket()).map(key -> key.equals(socketFile)).orElse(false)) {
                control.close();
            }
            if (Json.readFile(home.daemonRecord(), DaemonRecord.class).map(r -> r.pid() == self.pid()).orElse(false)) {
                Files.deleteIfExists(home.daemonRecord());
            }
        }
    }

    /** run/daemon.json: who we are, what we run with, and how long our stop may take. */
    private synchronized void writeRecord() throws java.io.IOException {
        ProcessIdentity self = ProcessIdentity.of(ProcessHandle.current().pid()).orElseThrow();
        Json.writeFile(home.daemonRecord(), new DaemonRecord(self.pid(), self.startTicks(), self.bootId(),
                startedAtMillis, VERSION, settings, stack.stopBoundMillis()));
    }

    /** Binds the control socket (replacing whatever is at its path: we hold the lock). */
    private void listen() throws java.io.IOException {
        ControlServer previous = control;
        if (previous != null) {
            previous.close();
        }
        control = ControlServer.start(home.socket(), this::handle);
        socketFile = HomeFiles.key(home.socket()).orElse(null);
    }

    private ControlResponse handle(ControlRequest request) {
        return switch (request.command()) {
            case PING, STATUS -> ControlResponse.ok(status());
            case START -> start(request);
            case STOP -> {
                if (request.names().isEmpty()) {
                    shutdown();
                    yield ControlResponse.ok(status());
                }
                yield answer(() -> {
                    stack.stop(request.names()).join();
                    return ControlResponse.ok(status());
                });
            }
            case RESTART -> answer(() -> {
                stack.restart(request.names()).join(); // under way: the CLI follows it in status
                return ControlResponse.ok(status());
            });
        };
    }

    private ControlResponse start(ControlRequest request) {
        if (shuttingDown.get()) {
            return ControlResponse.error(ErrorKind.SHUTTING_DOWN, "stigmer local is stopping");
        }
        String anotherStack = stack.anotherStack(request.stack());
        if (anotherStack != null) {
            // Before the settings: another project's temporal: section is no reason to replace this one's Temporal.
            return ControlResponse.error(ErrorKind.ANOTHER_STACK, anotherStack);
        }
        LocalSettings requested = request.settings();
        if (requested != null) {
            String conflict = requested.conflictWith(settings);
            if (conflict == null && request.stack() != null) {
                conflict = requested.externalConflictWith(settings); // the file says which Temporal, external or not
            }
            if (conflict != null) {
                return ControlResponse.error(ErrorKind.CONFLICT, "stigmer local is already running and " + conflict);
            }
        }
        if (request.stack() != null && settings.external() != null) {
            String key = request.stack().temporalApiKey();
            boolean keyChanged = !Objects.equals(apiKey.getAndSet(key), key);
            if (temporal instanceof ExternalWatcher watcher
                    && (keyChanged || watcher.snapshot().state() == ComponentState.UNREACHABLE)) {
                // Asked afresh (a new key; a server that may be back): the answer shows this check, not an older one.
                watcher.refresh().exceptionally(failure -> null).join();
            }
        }
        return answer(() -> {
            List<String> changes = stack.start(request.stack(), request.names()).join();
            if (request.stack() != null) {
                try {
                    writeRecord(); // the stack's stop bound: how long `stop` must wait for us
                } catch (java.io.IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot write " + home.daemonRecord(), e);
                }
            }
            return ControlResponse.ok(status(), changes);
        });
    }

    /** Runs a request against the stack; a refusal is the user's one line, not a failure of ours. */
    private ControlResponse answer(java.util.function.Supplier<ControlResponse> work) {
        try {
            return work.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StackController.Refused refused) {
                ErrorKind kind = shuttingDown.get() ? ErrorKind.SHUTTING_DOWN
                        : refused.conflict ? ErrorKind.CONFLICT : ErrorKind.BAD_REQUEST;
                return ControlResponse.error(kind, refused.getMessage());
            }
            // A failure of ours: the user gets one line and where to look; the log gets the trace.
            LOG.log(System.Logger.Level.ERROR, "a request failed", e);
            return ControlResponse.error(ErrorKind.INTERNAL, "the stigmer daemon failed to do that ("
                    + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName() + "); see `stigmer local logs daemon`");
        }
    }

    /** Temporal's client variables for the services a START creates: the external Temporal's key with them. */
    private Map<String, String> temporalVariables(StackRequest request) {
        Map<String, String> variables = new LinkedHashMap<>(TemporalClientVariables.of(settings));
        if (settings.external() != null && settings.external().apiKey() && request.temporalApiKey() != null) {
            variables.put(TemporalClientVariables.API_KEY, request.temporalApiKey());
        }
        return variables;
    }

    private StatusReport status() {
        return new StatusReport(
                new StatusReport.DaemonInfo(ProcessHandle.current().pid(), startedAtMillis, VERSION,
                        home.root().toString(), home.socket().toString(), settings,
                        (System.nanoTime() - startedAtNanos) / 1_000_000, System.currentTimeMillis(),
                        java.util.stream.Stream.concat(PidfdSupport.current().degradedNote().stream(),
                                CgroupRoot.of(home.root()).degradedNote().stream()).toList()),
                stack.snapshots());
    }

    /** Stops every component (whole trees, waiting until they are gone), then lets main exit. */
    private void shutdown() {
        if (!shuttingDown.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        LOG.log(System.Logger.Level.INFO, "stopping");
        try {
            stack.retire().get(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "the stack did not stop within " + STOP_BOUND);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "stopping the stack failed", e);
        }
        stack.close();
        ChildReaper.reapOrphans();
        LOG.log(System.Logger.Level.INFO, "stopped");
        stopped.countDown();
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Once a second: make sure the home is still ours; reap orphans re-parented to us; re-check
     * the logs in case an event was lost.
     */
    private void housekeeping(LogRotator rotator) {
        try {
            if (!shuttingDown.get() && !checkHome()) {
                return;
            }
            ChildReaper.reapOrphans();
            rotator.checkAll();
        } catch (RuntimeException | java.io.IOException e) {
            LOG.log(System.Logger.Level.WARNING, "housekeeping failed", e);
        }
    }

    /**
     * The lock file at its path must still be the one we hold, or the next `stigmer local` takes a
     * fresh one and starts a second daemon for this home (run/ deleted, the home renamed or
     * deleted). We cannot take the path back without racing that daemon, so we stop our
     * components and exit: the next start then starts cleanly. A socket file that is gone or
     * replaced while the lock is ours is simply bound again: only the lock holder ever binds it.
     *
     * @return false when the daemon is on its way out
     */
    private boolean checkHome() throws java.io.IOException {
        if (!HomeFiles.key(home.daemonLock()).map(lockFile::equals).orElse(false)) {
            LOG.log(System.Logger.Level.WARNING, home.daemonLock() + " is no longer the lock this daemon holds (run/ or "
                    + "the home was deleted, moved or replaced): stopping everything and exiting");
            Thread.ofPlatform().name("home-lost").start(this::shutdown);
            return false;
        }
        if (!HomeFiles.key(home.socket()).map(key -> key.equals(socketFile)).orElse(false)) {
            LOG.log(System.Logger.Level.WARNING, home.socket() + " was deleted or replaced: listening on it again");
            listen();
        }
        return true;
    }

    private static void configureLogging() {
        Logger root = Logger.getLogger("");
        for (var handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler(); // stderr: the CLI points it at logs/daemon.log
        console.setFormatter(new OneLineFormatter());
        console.setLevel(Level.ALL);
        root.addHandler(console);
        root.setLevel(Level.INFO);
    }
}
