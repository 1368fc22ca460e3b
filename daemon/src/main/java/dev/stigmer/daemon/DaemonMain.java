package dev.stigmer.daemon;

import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.ControlResponse.ErrorKind;
import dev.stigmer.control.ControlServer;
import dev.stigmer.control.DaemonRecord;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StatusReport;
import dev.stigmer.dashboard.DashboardServer;
import dev.stigmer.lock.ExclusiveLock;
import dev.stigmer.logs.LogRotation;
import dev.stigmer.logs.LogRotator;
import dev.stigmer.os.FileErrors;
import dev.stigmer.os.Linux;
import dev.stigmer.process.CgroupRoot;
import dev.stigmer.process.ChildReaper;
import dev.stigmer.process.PidfdSupport;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon: one per STIGMER_HOME, guaranteed by a flock it holds for its whole life. It serves
 * the control socket (every request goes to the {@link StackApi}), rotates logs and reaps orphans
 * re-parented to it. What runs comes from START requests: Temporal's definition and the stack.
 * <p>
 * Usage (by the CLI): {@code DaemonMain HOME}. Exit 75 when another daemon holds the lock.
 */
public final class DaemonMain {
    static {
        // Before anything logs (the logger below is the first): the JDK's LogManager closes every
        // handler from a shutdown hook, while the daemon's own hook still logs its stop.
        System.setProperty("java.util.logging.manager", DaemonLogManager.class.getName());
    }

    public static final int EXIT_ALREADY_RUNNING = dev.stigmer.config.ExitCodes.ALREADY_RUNNING;
    private static final System.Logger LOG = System.getLogger("stigmer.daemon");
    /** How long the daemon's own stop waits for the whole stack; the CLI waits a little longer. */
    private static final Duration STOP_BOUND = Duration.ofMinutes(5);
    /** How long a signal's shutdown waits, after the stop, for main to remove the record and socket. */
    private static final Duration CLEAN_UP_BOUND = Duration.ofSeconds(10);
    private static final String VERSION = Optional.ofNullable(DaemonMain.class.getPackage().getImplementationVersion())
            .orElse("dev");

    private final StigmerHome home;
    private final LocalStack stack;
    private volatile LogRotator rotator;
    private final long startedAtMillis = System.currentTimeMillis();
    /** The lock file we hold and the socket we bound, by inode: the proof that the home is still ours. */
    private Object lockFile;
    private Object socketFile;
    private volatile ControlServer control;
    /** Started with the first Temporal definition (its default port derives from Temporal's); null until then. */
    private DashboardServer.Outcome dashboard;
    private DaemonRecord lastRecord; // guarded by this
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Main has removed what it leaves on request (record, socket): the JVM may end now. */
    private final CountDownLatch cleanedUp = new CountDownLatch(1);

    private DaemonMain(StigmerHome home) {
        this.home = home;
        this.stack = new LocalStack(home, VERSION, log -> {
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
            // One line that says why (the CLI shows it when the daemon exits at once), then the trace.
            LOG.log(System.Logger.Level.ERROR, "daemon failed: "
                    + (e instanceof CannotStart ? e.getMessage() : FileErrors.describe(e)), e);
            code = 1;
        }
        System.exit(code);
    }

    private static int run(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: DaemonMain HOME (started by `stigmer local`)");
            return 2;
        }
        StigmerHome home = new StigmerHome(Path.of(args[0])).ensureCreated();
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
            DaemonMain daemon = new DaemonMain(home);
            daemon.lockFile = lockFile;
            daemon.serve();
            return 0;
        }
    }

    private void serve() throws Exception {
        ProcessIdentity self = ProcessIdentity.of(ProcessHandle.current().pid()).orElseThrow();
        writeRecord();
        LOG.log(System.Logger.Level.INFO, "daemon " + self.pid() + " (" + VERSION + ") for " + home.root());
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("housekeeping").factory());
        // SIGTERM, SIGINT (Ctrl-C in the foreground), SIGHUP: stop as on request. The JVM halts once
        // the hooks return, so this one also waits for main's clean-up below: a record left
        // behind would say the daemon was killed.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shutdown(true);
            awaitCleanedUp();
        }, "shutdown"));
        try (LogRotator rotator = LogRotator.start(LogRotation.DEFAULT, List.of(home.logFile("daemon")))) {
            this.rotator = rotator;
            listen();
            housekeeping.scheduleWithFixedDelay(() -> housekeeping(rotator), 1, 1, TimeUnit.SECONDS);
            stopped.await();
        } finally {
            housekeeping.shutdownNow();
            synchronized (this) {
                if (dashboard instanceof DashboardServer.Outcome.Listening(DashboardServer server)) {
                    server.close();
                }
            }
            // Only what is still ours: after the home was renamed or run/ re-created, these paths
            // may already belong to the next daemon.
            if (control != null && HomeFiles.key(home.socket()).map(key -> key.equals(socketFile)).orElse(false)) {
                control.close();
            }
            try {
                if (Json.readFile(home.daemonRecord(), DaemonRecord.class).map(r -> r.pid() == self.pid()).orElse(false)) {
                    Files.deleteIfExists(home.daemonRecord()); // gone on request: a record left behind means killed
                }
            } finally {
                cleanedUp.countDown();
            }
        }
    }

    /** run/daemon.json: who we are, the Temporal we run, and how long our stop may take. */
    private synchronized void writeRecord() throws java.io.IOException {
        ProcessIdentity self = ProcessIdentity.of(ProcessHandle.current().pid()).orElseThrow();
        StatusReport.DaemonInfo info = stack.status().daemon();
        DaemonRecord record = new DaemonRecord(self.pid(), self.startTicks(), self.bootId(), startedAtMillis, VERSION,
                info.settings(), stack.stopBoundMillis());
        if (!record.equals(lastRecord)) { // unchanged: no write (an fsync per start adds up in a burst)
            Json.writeFile(home.daemonRecord(), record);
            lastRecord = record;
        }
    }

    /** Binds the control socket (replacing whatever is at its path: we hold the lock). */
    private void listen() throws java.io.IOException {
        ControlServer previous = control;
        if (previous != null) {
            previous.close();
        }
        ControlServer server;
        try {
            server = ControlServer.start(home.socket(), this::handle);
        } catch (java.io.IOException e) {
            String why = e instanceof java.nio.file.FileSystemException f && home.socket().toString().equals(f.getFile())
                    ? FileErrors.reason(f) : FileErrors.describe(e);
            throw new CannotStart("cannot listen on " + home.socket() + ": " + why + "; " + whatToDo(e), e);
        }
        control = server.withStreams((request, sink) -> stack.subscribe(event -> {
                    try {
                        sink.send(event);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e); // the client is gone: this subscription ends
                    }
                }));
        socketFile = HomeFiles.key(home.socket()).orElse(null);
    }

    /** A failure whose message is the user's line: what is wrong and what to do. */
    private static final class CannotStart extends java.io.IOException {
        CannotStart(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** For a socket that cannot be bound: what the user can do about it. */
    private String whatToDo(java.io.IOException e) {
        if (e instanceof java.nio.file.FileSystemException) { // something else at its path (a directory, say)
            return "move " + home.socket() + " out of the way (only the daemon puts a socket there), "
                    + "then run `stigmer local` again";
        }
        if (String.valueOf(e.getMessage()).contains("too long")) {
            return "set STIGMER_HOME to a shorter path";
        }
        return "see `stigmer local logs daemon`";
    }

    /** The control protocol on the stack API: nothing here decides. */
    private ControlResponse handle(ControlRequest request) {
        return switch (request.command()) {
            case PING, STATUS -> {
                StackController.View view = stack.view(); // one look: status and bookkeeping agree
                yield ControlResponse.ok(stack.status(view)).with(List.of(), view.sequence(), view.stops());
            }
            case EVENTS -> ControlResponse.error(ErrorKind.BAD_REQUEST, "events are a stream: not ready yet, try again");
            case START -> answer(() -> {
                StackApi.Applied applied = stack.apply(request.settings(), request.stack(), request.names()).join();
                recordChanged(request);
                return withRequests(ControlResponse.ok(stack.status(), applied.changes()), applied.targets(), applied.sequence());
            });
            case STOP -> {
                if (request.names().isEmpty()) {
                    shutdown(true);
                    yield withRequests(ControlResponse.ok(stack.status()), List.of());
                }
                yield answer(() -> {
                    stack.stop(request.names()).join();
                    return withRequests(ControlResponse.ok(stack.status()), List.of());
                });
            }
            case RESTART -> answer(() -> {
                StackApi.Applied applied = stack.restart(request.settings(), request.stack(), request.names()).join();
                recordChanged(request);
                return withRequests(ControlResponse.ok(stack.status(), applied.changes()), applied.targets(), applied.sequence());
            });
        };
    }

    private ControlResponse withRequests(ControlResponse response, List<String> targets) {
        StackApi.Requests requests = stack.requests();
        return response.with(targets, requests.sequence(), requests.stops());
    }

    private ControlResponse withRequests(ControlResponse response, List<String> targets, long sequence) {
        return response.with(targets, sequence, stack.requests().stops());
    }

    /**
     * The dashboard, once Temporal has a definition (its default port is derived from Temporal's);
     * it then stays where it is for the daemon's life. Never fails the request: a dashboard that
     * cannot listen is only unavailable, and status says why.
     */
    private synchronized void startDashboard() {
        LocalSettings temporal = stack.status().daemon().settings();
        if (dashboard != null || temporal == null || shuttingDown.get()) {
            return;
        }
        dashboard = DashboardServer.start(stack, home.dashboardToken(), System.getenv(DashboardServer.PORT_VARIABLE),
                temporal.temporalPort(), temporal.temporalOptions().uiPort());
        switch (dashboard) {
            case DashboardServer.Outcome.Listening(DashboardServer server) -> stack.dashboard(server.url(), null);
            case DashboardServer.Outcome.Unavailable(String reason) -> stack.dashboard(null, reason);
            case DashboardServer.Outcome.Off() -> stack.dashboard(null, null);
        }
    }

    /** After a new definition: the record says which Temporal runs and how long a stop may take. */
    private void recordChanged(ControlRequest request) {
        startDashboard();
        if (request.settings() != null || request.stack() != null) {
            try {
                writeRecord();
            } catch (java.io.IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot write " + home.daemonRecord(), e);
            }
        }
    }

    /** Runs a request against the stack; a refusal is the user's one line, not a failure of ours. */
    private ControlResponse answer(java.util.function.Supplier<ControlResponse> work) {
        if (shuttingDown.get()) {
            return ControlResponse.error(ErrorKind.SHUTTING_DOWN, "stigmer local is stopping");
        }
        try {
            return work.get();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StackApi.Refused refused) {
                return ControlResponse.error(shuttingDown.get() ? ErrorKind.SHUTTING_DOWN : refused.kind(), refused.getMessage());
            }
            // A failure of ours: the user gets one line and where to look; the log gets the trace.
            LOG.log(System.Logger.Level.ERROR, "a request failed", e);
            return ControlResponse.error(ErrorKind.INTERNAL, "the stigmer daemon failed to do that ("
                    + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName() + "); see `stigmer local logs daemon`");
        }
    }

    /**
     * Stops every component (whole trees, waiting until they are gone), and with {@code leftovers}
     * what an earlier daemon left, then lets main exit.
     */
    private void shutdown(boolean leftovers) {
        if (!shuttingDown.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        LOG.log(System.Logger.Level.INFO, "stopping");
        try {
            stack.retire(leftovers).get(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
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

    private void awaitCleanedUp() {
        try {
            if (!cleanedUp.await(CLEAN_UP_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "exiting without removing " + home.daemonRecord()
                        + ": the clean-up took longer than " + CLEAN_UP_BOUND);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            Thread.ofPlatform().name("home-lost").start(() -> shutdown(false));
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
        if (!(java.util.logging.LogManager.getLogManager() instanceof DaemonLogManager)) {
            root.warning("logging was set up before the daemon's LogManager: a stop by a signal may lose its last lines");
        }
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
