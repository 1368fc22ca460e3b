package dev.stigmer.cli;

import dev.stigmer.control.ControlClient;
import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.DaemonRecord;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.TemporalClientVariables;
import dev.stigmer.lock.ExclusiveLock;
import dev.stigmer.logs.LogFile;
import dev.stigmer.logs.LogTail;
import dev.stigmer.os.OsException;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcFs;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.state.Installation;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The CLI's view of the daemon: talk to it, spawn it, tell whether one holds the lock. */
final class Daemon {
    static final String COMPONENT = "daemon";
    private static final String NO_SPACE = "No space left on device";
    /** How the daemon's main logs what ended it (DaemonMain): the rest of the line says why. */
    private static final String DAEMON_FAILED = "daemon failed: ";
    // Below this a JVM cannot write its records and logs: a full disk, whatever the log says.
    private static final long LOW_DISK_BYTES = 256 * 1024;
    static final int EXIT_ALREADY_RUNNING = 75;
    // Short, so a hung daemon is named quickly, yet room for a starved machine (a hundred CLIs at
    // once on two cores). A daemon that is stopped (SIGSTOP, Ctrl-Z) is named at once instead.
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /**
     * A START changes the stack: in a burst of them (and restarts) it waits its turn on the
     * daemon's one stack thread, so it gets longer. A stopped daemon is still named at once.
     */
    static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(15);
    /**
     * The first look at a daemon that has not answered, then the longest gap between looks: a
     * look reads /proc (the daemon's state, the machine's load, each daemon thread's state), and a
     * hundred CLIs waiting together looked ten times a second each, on the CPUs the daemon
     * needed to answer them.
     */
    private static final long FREEZE_CHECK_MILLIS = 100;
    private static final long FREEZE_CHECK_MAX_MILLIS = 500;
    /**
     * How long a daemon that is seen runnable (state R: it has work and waits for a CPU) may take
     * at most: a hundred CLIs starting at once on two cores leave it a few percent of a core for
     * tens of seconds, and 5 s then named a working daemon as hung (70 of 100 `status` calls
     * failed at load 87). Only the time it is seen asleep, on a machine that is not starved,
     * counts against the short timeout.
     */
    static final Duration STARVED_LIMIT = Duration.ofSeconds(60);
    // The daemon is small and long-lived: a heap that starts small and stays bounded (its live
    // set is a few MB), the serial GC, the C1 compiler only, no perf-data file, and glibc's
    // heap handed back to the OS every 5 s (what start-up malloc'ed and freed stays resident
    // otherwise: 5-6 MB). Measured: RSS 86 MB with -Xmx64m alone, 67-69 MB with the rest, 61-63
    // MB with the trim too.
    private static final List<String> JVM_FLAGS = List.of(
            "-Xms6m", "-Xmx32m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=12m", "-XX:-UsePerfData", "-XX:TrimNativeHeapInterval=5000",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    /** Read by every `java` (or JVM) at start-up; see the launcher, which drops them for the CLI too. */
    static final List<String> JVM_OPTION_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");

    /** What a daemon that only stops keeps of the caller's environment (with STIGMER_*). */
    private static final Set<String> BASIC_VARIABLES = Set.of("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR");

    private final StigmerHome home;
    private final ControlClient client;
    private final Set<String> withheldVariables = new HashSet<>();
    private boolean onlyToStop;

    Daemon(StigmerHome home) {
        this.home = home;
        this.client = new ControlClient(home.socket());
    }

    StigmerHome home() {
        return home;
    }

    /**
     * Keeps {@code variable} out of a daemon this spawns (and so out of its Temporal): the one
     * {@code api_key_env} names holds a secret that reaches the daemon over its socket only.
     */
    void withhold(String variable) {
        withheldVariables.add(variable);
    }

    /**
     * A daemon this spawns is one that only stops what a killed one left (for `stop`): it runs
     * nothing, so it gets none of the caller's environment beyond the basics and STIGMER_* (which
     * variable holds a secret, only the stack file says, and `stop` does not read it).
     */
    void onlyToStop() {
        onlyToStop = true;
    }

    /** The daemon's answer, or empty when no daemon listens. */
    Optional<ControlResponse> send(ControlRequest request) {
        return send(request, REQUEST_TIMEOUT);
    }

    /**
     * The daemon's answer within {@code timeout}, or empty when no daemon listens. While waiting,
     * a daemon found stopped (state T: SIGSTOP, Ctrl-Z, a debugger) is reported at once: it
     * cannot answer until resumed, however long we wait.
     *
     * @throws UserError when the daemon does not answer, saying what to do
     */
    Optional<ControlResponse> send(ControlRequest request, Duration timeout) {
        Duration limit = timeout.compareTo(STARVED_LIMIT) > 0 ? timeout : STARVED_LIMIT;
        FutureTask<Optional<ControlResponse>> exchange = new FutureTask<>(
                () -> client.send(request, limit.plusSeconds(1)));
        Thread.ofPlatform().daemon().name("control-request").start(exchange);
        long started = System.nanoTime();
        long asleepNanos = 0; // the time the daemon was seen not runnable: what the timeout bounds
        long lastCheck = started;
        Optional<ProcessIdentity> daemonProcess = null;
        long wait = FREEZE_CHECK_MILLIS;
        while (true) {
            try {
                return exchange.get(wait, TimeUnit.MILLISECONDS);
            } catch (TimeoutException slow) {
                if (daemonProcess == null) {
                    daemonProcess = runningProcess();
                }
                Optional<Long> stopped = daemonProcess.filter(Daemon::isStopped).map(ProcessIdentity::pid);
                if (stopped.isPresent()) {
                    throw new UserError("the stigmer daemon (pid " + stopped.get() + ") is stopped (SIGSTOP or Ctrl-Z) "
                            + "and cannot answer: `kill -CONT " + stopped.get() + "` resumes it, `stigmer local stop` ends it");
                }
                long now = System.nanoTime();
                // The machine first: one small file, and when it is starved the daemon's threads
                // (a file each) do not matter.
                if (!machineStarved() && !daemonProcess.map(d -> ProcFs.anyThreadRunnable(d.pid())).orElse(false)) {
                    asleepNanos += now - lastCheck;
                }
                lastCheck = now;
                wait = Math.min(wait * 2, FREEZE_CHECK_MAX_MILLIS);
                if (asleepNanos > timeout.toNanos() || now - started > limit.toNanos()) {
                    throw new UserError("the stigmer daemon" + daemonProcess.map(d -> " (pid " + d.pid() + ")").orElse("")
                            + " does not answer (nothing within " + Durations.format(Duration.ofNanos(now - started))
                            + "): `stigmer local stop` ends it; see `stigmer local logs daemon`");
                }
            } catch (ExecutionException e) {
                throw new UserError("the stigmer daemon does not answer (" + e.getCause().getMessage()
                        + "); `stigmer local stop` ends it, see `stigmer local logs daemon`");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserError("interrupted");
            }
        }
    }

    /**
     * More threads wait for a CPU than twice the cores: this very CLI may not have sent its request
     * yet, so a daemon seen asleep proves nothing (5 of 100 simultaneous calls failed so, at load 50).
     */
    private static boolean machineStarved() {
        return ProcFs.runnableThreads() > 2 * Runtime.getRuntime().availableProcessors();
    }

    /** Stopped by a signal (T) or by a tracer (t): it runs nothing until resumed. */
    static boolean isStopped(ProcessIdentity process) {
        return process.isAlive() && LockHolders.isStopped(process.pid());
    }

    /** The Temporal the running (or last) daemon runs, from its record; empty without one or before its first start. */
    Optional<LocalSettings> recordedSettings() {
        return Json.readFile(home.daemonRecord(), DaemonRecord.class).filter(DaemonRecord::isComplete)
                .map(DaemonRecord::settings);
    }

    /**
     * True when the daemon {@code pid} left its record behind: it was killed (kill -9, a crash).
     * A daemon that exits on request (a stop) deletes its record, and a newer daemon writes its own.
     */
    boolean killed(long pid) {
        return Json.readFile(home.daemonRecord(), DaemonRecord.class).map(r -> r.pid() == pid).orElse(false);
    }

    /** How long the running daemon says stopping its whole stack may take, from its record. */
    Optional<Duration> recordedStopBound() {
        return Json.readFile(home.daemonRecord(), DaemonRecord.class).filter(DaemonRecord::isComplete)
                .map(DaemonRecord::stopBoundMillis).filter(millis -> millis != null && millis > 0).map(Duration::ofMillis);
    }

    /** True while some daemon holds the instance lock (it may not listen yet, or any more). */
    boolean lockHeld() {
        try {
            return ExclusiveLock.isHeld(home.daemonLock());
        } catch (IOException e) {
            throw new UserError("cannot check " + home.daemonLock() + ": " + e.getMessage());
        }
    }

    /**
     * The Temporal a start from where no stack file is gets, for the line that says what it
     * starts: the running daemon keeps its stack file's Temporal then (unless the start names
     * another port or binary), so that one, from the daemon's record; else {@code wanted} (for
     * Temporal alone, a start applies its own settings).
     */
    LocalSettings temporalWithoutStackFile(LocalSettings wanted) {
        return explicit(wanted) || runningStackFile().isEmpty() ? wanted : runningTemporal(wanted);
    }

    /**
     * The Temporal the live daemon runs, from its record, unless {@code wanted} names a port or a
     * binary (then that one is meant); else {@code wanted}.
     */
    LocalSettings runningTemporal(LocalSettings wanted) {
        if (explicit(wanted)) {
            return wanted;
        }
        return liveRecord().map(DaemonRecord::settings).orElse(wanted);
    }

    private static boolean explicit(LocalSettings wanted) {
        return wanted.portExplicit() || wanted.binExplicit();
    }

    /** The stack file whose stack the daemon runs, from run/stack.json; empty for Temporal alone or none. */
    Optional<String> runningStackFile() {
        return dev.stigmer.supervision.StackRecord.file(home);
    }

    /** The recorded daemon if it is verifiably alive and ours. */
    Optional<ProcessIdentity> recordedProcess() {
        return liveRecord().map(DaemonRecord::identity);
    }

    /** The daemon's record, if the daemon it names is verifiably alive and ours. */
    private Optional<DaemonRecord> liveRecord() {
        return Json.readFile(home.daemonRecord(), DaemonRecord.class)
                .filter(DaemonRecord::isComplete)
                .filter(record -> record.identity().isAlive())
                .filter(record -> new Ownership(home.root(), COMPONENT).marks(record.pid()));
    }

    /**
     * The daemon that runs, verifiably ours: the one its record names, or, with the record missing
     * or corrupt, the holder of daemon.lock (from /proc/locks) that carries the daemon's mark. A
     * frozen daemon whose record was lost must still be named, and ended by `stop`.
     */
    Optional<ProcessIdentity> runningProcess() {
        return recordedProcess().or(() -> {
            Ownership mark = new Ownership(home.root(), COMPONENT);
            return LockHolders.of(home.daemonLock()).stream().filter(mark::marks)
                    .map(ProcessIdentity::of).flatMap(Optional::stream).findFirst();
        });
    }

    /**
     * Makes sure a daemon listens, spawning one if needed. Concurrent callers serialise on
     * start.lock, so they spawn one daemon between them; even if two were spawned, only the one
     * that takes the instance lock would stay.
     */
    void ensureRunning(Duration timeout, Runnable onWait) {
        try (ExclusiveLock ignored = startLock(timeout)) {
            ensureRunningLocked(timeout, onWait);
        }
    }

    /** {@link #ensureRunning} for a caller that already holds start.lock (stop). */
    void ensureRunningLocked(Duration timeout, Runnable onWait) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Process process = null;
        long logSize = 0;
        while (System.nanoTime() < deadline) {
            if (send(ControlRequest.of(ControlRequest.Command.PING)).isPresent()) {
                return;
            }
            if (process != null && !process.isAlive() && process.exitValue() == 0) {
                // A daemon exits 0 only once stopped on request: a `stop` ran while this waited
                // (suspended with Ctrl-Z, say) and it ended before it answered us.
                throw new UserError("the stigmer daemon this started (pid " + process.pid() + ") was stopped before it "
                        + "answered (a `stigmer local stop` was asked for); `stigmer local` starts it again");
            }
            if (process != null && !process.isAlive() && process.exitValue() != EXIT_ALREADY_RUNNING) {
                throw exitedAtOnce(process.exitValue(), logSize);
            }
            // Nobody holds the instance lock and ours is not on its way: start one. This also
            // covers a daemon that was still exiting (lock held, socket closed) a moment ago.
            if ((process == null || !process.isAlive()) && !lockHeld()) {
                logSize = home.logFile(COMPONENT).toFile().length();
                process = spawn();
            }
            onWait.run();
            sleep(20);
        }
        throw new UserError("the stigmer daemon did not come up within " + Durations.format(timeout)
                + "; see `stigmer local logs daemon`");
    }

    /**
     * Why a daemon we spawned exited before listening, in one line: what it wrote this time (not
     * older lines of its log), or the cause it could not write down, such as a full disk.
     */
    private UserError exitedAtOnce(int code, long logSizeBefore) {
        Path log = home.logFile(COMPONENT);
        long free = Long.MAX_VALUE;
        try {
            free = Files.getFileStore(home.root()).getUsableSpace();
        } catch (IOException | RuntimeException ignored) {
            // unknown: say what the log says
        }
        List<String> said = log.toFile().length() > logSizeBefore ? LogTail.lastLines(log, 3).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("\tat ")).toList() : List.of();
        // Its failure, when it logged one: the last lines are its stop ("stopping", "stopped").
        List<String> failures = failuresSince(log, logSizeBefore);
        if (free < LOW_DISK_BYTES || java.util.stream.Stream.concat(said.stream(), failures.stream())
                .anyMatch(line -> line.contains(NO_SPACE))) {
            return new UserError("cannot start the stigmer daemon: " + NO_SPACE + " (" + free / 1024 + " KiB free on the "
                    + "filesystem of " + home.root() + "); free some space, then run `stigmer local` again");
        }
        List<String> shown = failures.isEmpty() ? said : failures;
        return new UserError("the stigmer daemon exited at once (code " + code + ")"
                + (shown.isEmpty() ? "" : ": " + String.join(" | ", shown)) + " (see `stigmer local logs daemon`)");
    }

    /**
     * The messages of the SEVERE lines the daemon wrote from byte {@code from} on (its
     * OneLineFormatter: "TIME LEVEL    message"), without their traces; the first 64 KiB only.
     */
    static List<String> failuresSince(Path log, long from) {
        byte[] bytes;
        try (var channel = java.nio.channels.FileChannel.open(log)) {
            long size = channel.size();
            if (size <= from) {
                return List.of();
            }
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int) Math.min(size - from, 64 * 1024));
            while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) > 0) {
                // until full or at the end
            }
            bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
        } catch (IOException e) {
            return List.of();
        }
        List<String> failures = new ArrayList<>();
        for (String line : new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            String[] parts = line.split(" +", 3); // time, level, message
            if (parts.length == 3 && parts[1].equals("SEVERE")) {
                failures.add(parts[2].startsWith(DAEMON_FAILED) ? parts[2].substring(DAEMON_FAILED.length()) : parts[2]);
            }
        }
        return failures;
    }

    /**
     * start.lock: held by a CLI while it spawns a daemon, and by `stop` while it stops, so the
     * two never cross.
     */
    ExclusiveLock startLock(Duration timeout) {
        try {
            return ExclusiveLock.acquire(home.startLock(), timeout).orElseThrow(() -> new UserError(
                    "another `stigmer local` command is still starting or stopping; try again"));
        } catch (OsException e) {
            throw new UserError("cannot lock " + home.startLock() + ": " + e.getMessage());
        }
    }

    /** Starts the daemon in a session of its own, output appended to logs/daemon.log. */
    private Process spawn() {
        List<String> command = new ArrayList<>(List.of("setsid"));
        command.addAll(signalReset());
        command.addAll(command(Installation.current(), home));
        return startDaemonProcess(command, false);
    }

    /**
     * The daemon's command line: this JVM's java, the flags, its AOT cache when the build trained
     * one (scripts/train-aot.sh runs this very line to train it), and only the home: what it runs
     * comes in START requests, like the services.
     */
    static List<String> command(Installation installation, StigmerHome home) {
        List<String> command = new ArrayList<>(List.of(installation.java().toString()));
        // Unusable (another JVM build, another class path): ignored without a word.
        installation.aotCache(COMPONENT).ifPresent(cache -> command.addAll(
                List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off")));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-Dstigmer.dist=" + installation.root(),
                "-cp", installation.classpath(COMPONENT), "dev.stigmer.daemon.DaemonMain", home.root().toString()));
        return command;
    }

    /** Runs the daemon in this terminal until it ends (Ctrl-C stops everything); returns its exit code. */
    int runInForeground() {
        List<String> command = new ArrayList<>(signalReset());
        command.addAll(command(Installation.current(), home));
        Process process = startDaemonProcess(command, true);
        // Ctrl-C reaches the daemon too (same process group) and it stops everything; the JVM must
        // not return the terminal before that is done.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                process.waitFor();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "await-daemon"));
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the daemon decides when it is done
            }
        }
    }

    /**
     * `env --default-signal` when this CLI was started with signals ignored, so that the daemon
     * and everything it starts get them back. A script's background job ignores SIGINT and
     * SIGQUIT, nohup SIGHUP; an ignored signal stays ignored across exec, and a shell cannot
     * trap it: a service whose stop_signal is INT did nothing with it, and was killed once its
     * grace ran out. Needs coreutils 8.31 or later; an `env` without the option changes nothing.
     */
    static List<String> signalReset() {
        if (ProcFs.ignoredSignals(ProcessHandle.current().pid()) == 0) {
            return List.of();
        }
        try {
            Process probe = new ProcessBuilder("env", "--default-signal", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (probe.waitFor(5, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                return List.of("env", "--default-signal");
            }
            probe.destroyForcibly();
        } catch (IOException e) {
            // no env on PATH: as before
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.getLogger(Daemon.class.getName()).log(System.Logger.Level.WARNING,
                "signals ignored by the caller stay ignored in the daemon and its services (env --default-signal is missing)");
        return List.of();
    }

    private Process startDaemonProcess(List<String> command, boolean foreground) {
        // The daemon outlives this shell: it must not pin the caller's directory (a deleted one
        // makes every later spawn fail, an unmount stays busy). Its components inherit the home.
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.root().toFile());
        // The caller's JVM options are for their own programs: a debugger agent's port or a tiny
        // heap must not reach the daemon, nor through it the embedded Temporal's JVM.
        builder.environment().keySet().removeAll(JVM_OPTION_VARIABLES);
        // Nor a key or TLS files for some other Temporal: what the daemon spawns gets the stack's
        // Temporal's own (or none), and a secret never sits in a long-lived process for nothing.
        builder.environment().keySet().removeIf(TemporalClientVariables::isConnectionVariable);
        builder.environment().keySet().removeAll(withheldVariables);
        if (onlyToStop) {
            builder.environment().keySet().removeIf(name -> !name.startsWith("STIGMER_") && !BASIC_VARIABLES.contains(name));
        }
        builder.environment().putAll(new Ownership(home.root(), COMPONENT).environment());
        if (foreground) {
            builder.inheritIO();
        } else {
            builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.logFile(COMPONENT).toFile()))
                    .redirectErrorStream(true);
        }
        try {
            if (!foreground) {
                LogFile.prepare(home.logFile(COMPONENT)); // 0600, never through a symbolic link
            }
            return builder.start();
        } catch (IOException e) {
            throw new UserError("cannot start the stigmer daemon: " + e.getMessage());
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted");
        }
    }
}
