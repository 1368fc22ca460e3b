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
import dev.stigmer.process.ProcessTree;
import dev.stigmer.process.StopPolicy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * stop: ask the daemon to stop everything and wait until it is gone. When no daemon answers,
 * the recorded daemon (verified) is signalled instead, and in every case a final sweep stops
 * whatever still carries this home's ownership mark (a Temporal left by a killed daemon).
 * The grace period is the daemon's (from its record), not this shell's: the daemon stops its
 * components with the one it was started with, and so does the sweep after it.
 */
final class StopFlow {
    // How long stop waits for a `stigmer local` holding start.lock that is still making progress;
    // past that, or at once when the holder is suspended (Ctrl-Z), stop goes ahead without it.
    private static final Duration START_LOCK_PATIENCE = Duration.ofSeconds(10);

    private final Daemon daemon;
    private final Output out;

    StopFlow(Daemon daemon, Output out) {
        this.daemon = daemon;
        this.out = out;
    }

    int stop() {
        long started = System.nanoTime();
        Duration grace = daemon.recordedSettings().map(s -> Duration.ofMillis(s.stopGraceMillis()))
                .orElseGet(() -> Durations.parse(System.getenv().getOrDefault("STIGMER_STOP_GRACE", "10s"),
                        "STIGMER_STOP_GRACE"));
        StopPolicy policy = new StopPolicy(grace, Duration.ofSeconds(5));
        Runnable tick = () -> out.progress("Stopping stigmer local", (System.nanoTime() - started) / 1_000_000);
        tick.run();
        // Holding start.lock for the whole stop keeps a concurrent start from spawning a daemon
        // that the sweep below would take for a leftover; that start waits, then starts afresh.
        Optional<ExclusiveLock> lock = startLock(tick);
        try {
            return stop(policy, tick, started);
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

    private int stop(StopPolicy policy, Runnable tick, long started) {
        boolean found = false;
        Duration daemonBound = stopBound();
        Optional<ControlResponse> answer;
        try {
            answer = daemon.send(ControlRequest.of(Command.STOP), daemonBound);
        } catch (UserError unresponsive) {
            answer = Optional.empty(); // frozen or hung: signals below
        }
        if (answer.isPresent()) {
            found = true;
            awaitLockFree(daemonBound, tick);
        }
        Optional<ProcessIdentity> recorded = daemon.recordedProcess();
        if (recorded.isPresent()) {
            found = true;
            // SIGCONT after SIGTERM: a stopped daemon acts on neither until it runs again.
            ProcessSignals.send(recorded.get(), Linux.SIGTERM);
            ProcessSignals.send(recorded.get(), Linux.SIGCONT);
            if (!awaitLockFree(daemonBound, tick)) {
                ProcessSignals.send(recorded.get(), Linux.SIGKILL);
                awaitLockFree(Duration.ofSeconds(5), tick);
            }
        }
        Map<String, List<ProcStat>> leftovers = Ownership.scan(daemon.home().root());
        for (String component : leftovers.keySet()) {
            found = true;
            List<ProcStat> survivors = new ProcessTree(new Ownership(daemon.home().root(), component), Optional.empty())
                    .stop(policy);
            if (!survivors.isEmpty()) {
                throw new UserError("could not stop " + component + " processes " + survivors.stream()
                        .map(s -> Long.toString(s.pid())).toList() + " even with SIGKILL");
            }
        }
        if (found) {
            out.success("Stopped (" + Durations.format(Duration.ofNanos(System.nanoTime() - started)) + ").");
        } else {
            out.line("Nothing was running.");
        }
        return 0;
    }

    /** `stop NAME...`: the daemon stops those, dependents first; the rest keeps running. */
    int stop(List<String> names) {
        long started = System.nanoTime();
        out.progress("Stopping " + String.join(", ", names), 0);
        Optional<ControlResponse> answer = daemon.send(new ControlRequest(Command.STOP, null, null, names), stopBound());
        if (answer.isEmpty()) {
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
    private Duration stopBound() {
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
