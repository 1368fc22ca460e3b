package dev.stigmer.cli;

import dev.stigmer.control.ControlClient;
import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.DaemonRecord;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.lock.ExclusiveLock;
import dev.stigmer.logs.LogFile;
import dev.stigmer.logs.LogTail;
import dev.stigmer.os.OsException;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.state.Installation;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The CLI's view of the daemon: talk to it, spawn it, tell whether one holds the lock. */
final class Daemon {
    static final String COMPONENT = "daemon";
    static final int EXIT_ALREADY_RUNNING = 75;
    // Generous: on a starved machine (a hundred CLIs at once on two cores) answers take seconds.
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    // The daemon is small and long-lived: a heap that starts small and stays bounded (its live
    // set is a few MB), the serial GC, the C1 compiler only, no perf-data file, and glibc's
    // heap handed back to the OS every 5 s (what start-up malloc'ed and freed stays resident
    // otherwise: 5-6 MB). Measured: RSS 86 MB with -Xmx64m alone, 67-69 MB with the rest, 61-63
    // MB with the trim too.
    private static final List<String> JVM_FLAGS = List.of(
            "-Xms6m", "-Xmx32m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:ReservedCodeCacheSize=12m", "-XX:-UsePerfData", "-XX:TrimNativeHeapInterval=5000",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    private final StigmerHome home;
    private final ControlClient client;

    Daemon(StigmerHome home) {
        this.home = home;
        this.client = new ControlClient(home.socket());
    }

    StigmerHome home() {
        return home;
    }

    /** The daemon's answer, or empty when no daemon listens. */
    Optional<ControlResponse> send(ControlRequest request) {
        return send(request, REQUEST_TIMEOUT);
    }

    Optional<ControlResponse> send(ControlRequest request, Duration timeout) {
        try {
            return client.send(request, timeout);
        } catch (IOException e) {
            throw new UserError("the stigmer daemon does not answer (" + e.getMessage()
                    + "); `stigmer local stop` ends it, see `stigmer local logs daemon`");
        }
    }

    /** True while some daemon holds the instance lock (it may not listen yet, or any more). */
    boolean lockHeld() {
        try {
            return ExclusiveLock.isHeld(home.daemonLock());
        } catch (IOException e) {
            throw new UserError("cannot check " + home.daemonLock() + ": " + e.getMessage());
        }
    }

    /** The recorded daemon if it is verifiably alive and ours. */
    Optional<ProcessIdentity> recordedProcess() {
        return Json.readFile(home.daemonRecord(), DaemonRecord.class)
                .filter(DaemonRecord::isComplete)
                .map(DaemonRecord::identity)
                .filter(ProcessIdentity::isAlive)
                .filter(id -> new Ownership(home.root(), COMPONENT).marks(id.pid()));
    }

    /**
     * Makes sure a daemon listens, spawning one if needed. Concurrent callers serialise on
     * start.lock, so they spawn one daemon between them; even if two were spawned, only the one
     * that takes the instance lock would stay.
     */
    void ensureRunning(LocalSettings settings, Duration timeout, Runnable onWait) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (ExclusiveLock ignored = startLock(timeout)) {
            Process process = null;
            while (System.nanoTime() < deadline) {
                if (send(ControlRequest.of(ControlRequest.Command.PING)).isPresent()) {
                    return;
                }
                if (process != null && !process.isAlive() && process.exitValue() != EXIT_ALREADY_RUNNING) {
                    throw new UserError("the stigmer daemon exited at once (code " + process.exitValue() + "): "
                            + String.join(" | ", LogTail.lastLines(home.logFile(COMPONENT), 3))
                            + " (see `stigmer local logs daemon`)");
                }
                // Nobody holds the instance lock and ours is not on its way: start one. This also
                // covers a daemon that was still exiting (lock held, socket closed) a moment ago.
                if ((process == null || !process.isAlive()) && !lockHeld()) {
                    process = spawn(settings);
                }
                onWait.run();
                sleep(20);
            }
            throw new UserError("the stigmer daemon did not come up within " + Durations.format(timeout)
                    + "; see `stigmer local logs daemon`");
        }
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
    private Process spawn(LocalSettings settings) {
        Installation installation = Installation.current();
        List<String> command = new ArrayList<>(List.of("setsid", installation.java().toString()));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-Dstigmer.dist=" + installation.root(),
                "-cp", installation.classpath(COMPONENT), "dev.stigmer.daemon.DaemonMain", Json.write(settings)));
        return startDaemonProcess(command, false);
    }

    /** Runs the daemon in this terminal until it ends (Ctrl-C stops everything); returns its exit code. */
    int runInForeground(LocalSettings settings) {
        Installation installation = Installation.current();
        List<String> command = new ArrayList<>(List.of(installation.java().toString()));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-Dstigmer.dist=" + installation.root(),
                "-cp", installation.classpath(COMPONENT), "dev.stigmer.daemon.DaemonMain", Json.write(settings)));
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

    private Process startDaemonProcess(List<String> command, boolean foreground) {
        ProcessBuilder builder = new ProcessBuilder(command);
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
