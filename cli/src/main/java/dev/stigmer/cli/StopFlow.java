package dev.stigmer.cli;

import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlRequest.Command;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.lock.ExclusiveLock;
import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.process.ProcessSignals;
import dev.stigmer.supervision.StackRecord;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * stop: the daemon stops; the CLI asks and waits. Every path ends in the daemon's one stop (each
 * member with its own stop signal and grace, dependents first, Temporal last, then whatever an
 * earlier daemon left, by run/stack.json): when no daemon answers but processes of this home are
 * left (a daemon killed with kill -9), a daemon is started to stop them. Only a daemon that does
 * not answer (frozen, hung) is signalled here, and only when no daemon can be started at all does
 * the CLI stop the leftovers itself, with the same code and records, and says so.
 */
final class StopFlow {
    // How long stop waits for a `stigmer local` holding start.lock that is still making progress;
    // past that, or at once when the holder is suspended (Ctrl-Z), stop goes ahead without it.
    private static final Duration START_LOCK_PATIENCE = Duration.ofSeconds(10);
    private static final Duration DAEMON_START = Duration.ofSeconds(30);

    private final Daemon daemon;
    private final Output out;

    StopFlow(Daemon daemon, Output out) {
        this.daemon = daemon;
        this.out = out;
    }

    int stop() {
        long started = System.nanoTime();
        Runnable tick = () -> out.progress("Stopping stigmer local", (System.nanoTime() - started) / 1_000_000);
        tick.run();
        // Holding start.lock for the whole stop keeps a concurrent start from spawning a daemon
        // in the middle of it; that start waits, then starts afresh.
        Optional<ExclusiveLock> lock = startLock(tick);
        try {
            return stop(tick, started);
        } finally {
            lock.ifPresent(ExclusiveLock::close);
        }
    }

    /** start.lock, unless its holder is suspended or takes too long: stop must win. */
    private Optional<ExclusiveLock> startLock(Runnable tick) {
        long deadline = System.nanoTime() + START_LOCK_PATIENCE.toNanos();
        try {
            while (true) {
                Optional<ExclusiveLock> lock = ExclusiveLock.tryAcquire(daemon.home().startLock());
                if (lock.isPresent()) {
                    return lock;
                }
                List<Long> holders = LockHolders.of(daemon.home().startLock());
                Optional<Long> suspended = holders.stream().filter(LockHolders::isStopped).findFirst();
                if (suspended.isPresent()) {
                    out.line("A suspended `stigmer local` (pid " + suspended.get() + ") holds " + daemon.home().startLock()
                            + "; stopping anyway.");
                    return Optional.empty();
                }
                if (System.nanoTime() > deadline) {
                    out.line("Another `stigmer local`" + (holders.isEmpty() ? "" : " (pid " + holders.getFirst() + ")")
                            + " holds " + daemon.home().startLock() + " for too long; stopping anyway.");
                    return Optional.empty();
                }
                tick.run();
                Daemon.sleep(20);
            }
        } catch (OsException e) {
            throw new UserError("cannot lock " + daemon.home().startLock() + ": " + e.getMessage());
        }
    }

    private int stop(Runnable tick, long started) {
        Duration daemonBound = stopBound(daemon);
        boolean found = askToStop(daemonBound, tick);
        Optional<ProcessIdentity> recorded = daemon.runningProcess();
        if (recorded.isPresent()) {
            found = true;
            // Frozen or hung: it cannot stop anything. SIGCONT after SIGTERM: a stopped daemon acts
            // on neither until it runs again; what it leaves is stopped below, by a new daemon.
            ProcessSignals.send(recorded.get(), Linux.SIGTERM);
            ProcessSignals.send(recorded.get(), Linux.SIGCONT);
            if (!awaitLockFree(daemonBound, tick)) {
                ProcessSignals.send(recorded.get(), Linux.SIGKILL);
                awaitLockFree(Duration.ofSeconds(5), tick);
            }
        }
        if (!Ownership.scan(daemon.home().root()).isEmpty()) {
            // Left by a daemon that was killed (or just signalled), or a daemon that does not listen
            // yet (its starter suspended): a listening daemon stops them as it stops its own.
            found = true;
            stopLeftovers(tick);
        }
        if (found) {
            out.success("Stopped (" + Durations.format(Duration.ofNanos(System.nanoTime() - started)) + ").");
        } else {
            out.line("Nothing was running.");
        }
        return 0;
    }

    /** Asks a listening daemon to stop everything and waits until it is gone; false when none answered. */
    private boolean askToStop(Duration bound, Runnable tick) {
        Optional<ControlResponse> answer;
        try {
            answer = daemon.send(ControlRequest.of(Command.STOP), bound);
        } catch (UserError unresponsive) {
            return false; // frozen or hung: signalled by the caller
        }
        if (answer.isPresent()) {
            Optional<ProcessIdentity> stopping = Optional.ofNullable(answer.get().status())
                    .map(status -> status.daemon().pid()).flatMap(ProcessIdentity::of);
            awaitLockFree(bound, tick);
            // The lock goes with its file descriptor, a moment before the JVM is gone: "stopped"
            // means no process of this home is left, the daemon included.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (stopping.map(ProcessIdentity::isAlive).orElse(false) && System.nanoTime() < deadline) {
                tick.run();
                Daemon.sleep(20);
            }
        }
        return answer.isPresent();
    }

    /**
     * Starts a daemon (we hold start.lock) and asks it to stop: it stops what the dead one left,
     * each with the stop signal and grace recorded in run/stack.json. When no daemon can start
     * (a full disk, a broken installation), the same code runs here, and the user is told why.
     */
    private void stopLeftovers(Runnable tick) {
        try {
            daemon.onlyToStop();
            daemon.ensureRunningLocked(DAEMON_START, tick);
        } catch (UserError cannotStart) {
            out.line("stigmer: " + cannotStart.getMessage() + "; stopping what the last daemon left from here instead");
            Map<String, List<ProcStat>> survivors = StackRecord.stopLeftovers(daemon.home(), Set.of());
            if (!survivors.isEmpty()) {
                throw new UserError("could not stop " + String.join(", ", survivors.keySet()) + " processes "
                        + survivors.values().stream().flatMap(List::stream).map(s -> Long.toString(s.pid())).toList()
                        + " even with SIGKILL");
            }
            return;
        }
        askToStop(stopBound(daemon), tick);
    }

    /** `stop NAME...`: the daemon stops those, dependents first; the rest keeps running. */
    int stop(List<String> names) {
        long started = System.nanoTime();
        if (out.terminal()) {
            out.progress("Stopping " + String.join(", ", names), 0); // not on a pipe: a name may be refused
        }
        Optional<ControlResponse> answer = daemon.send(new ControlRequest(Command.STOP, null, null, names), stopBound(daemon));
        if (answer.isEmpty()) {
            out.clearProgress();
            out.line("stigmer local is not running; nothing to stop.");
            return 0;
        }
        if (!answer.get().ok()) {
            out.clearProgress();
            throw new UserError(answer.get().error(), answer.get().kind() == ControlResponse.ErrorKind.BAD_REQUEST
                    ? UserError.USAGE : UserError.FAILURE);
        }
        out.success("Stopped " + String.join(", ", names) + " ("
                + Durations.format(Duration.ofNanos(System.nanoTime() - started)) + ").");
        return 0;
    }

    /** How long the daemon may take to stop its whole stack, from its record; then a margin. */
    static Duration stopBound(Daemon daemon) {
        Duration grace = daemon.recordedSettings().map(s -> Duration.ofMillis(s.stopGraceMillis())).orElse(Duration.ofSeconds(10));
        Duration stack = daemon.recordedStopBound().orElse(Duration.ZERO);
        Duration own = grace.plusSeconds(5);
        return (stack.compareTo(own) > 0 ? stack : own).plusSeconds(20);
    }

    private boolean awaitLockFree(Duration bound, Runnable tick) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (daemon.lockHeld()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            tick.run();
            Daemon.sleep(20);
        }
        return true;
    }
}
