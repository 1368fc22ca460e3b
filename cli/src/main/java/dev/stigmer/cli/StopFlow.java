package dev.stigmer.cli;

import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlRequest.Command;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.lock.ExclusiveLock;
import dev.stigmer.os.Linux;
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
 */
final class StopFlow {
    private final Daemon daemon;
    private final Output out;

    StopFlow(Daemon daemon, Output out) {
        this.daemon = daemon;
        this.out = out;
    }

    int stop() {
        long started = System.nanoTime();
        StopPolicy policy = new StopPolicy(Durations.parse(
                System.getenv().getOrDefault("STIGMER_STOP_GRACE", "10s"), "STIGMER_STOP_GRACE"), Duration.ofSeconds(5));
        Duration daemonBound = policy.grace().plus(policy.killWait()).plusSeconds(20);
        Runnable tick = () -> out.progress("Stopping stigmer local", (System.nanoTime() - started) / 1_000_000);
        tick.run();
        // Holding start.lock for the whole stop keeps a concurrent start from spawning a daemon
        // that the sweep below would take for a leftover; that start waits, then starts afresh.
        try (ExclusiveLock ignored = daemon.startLock(daemonBound.plusSeconds(30))) {
            return stop(policy, daemonBound, tick, started);
        }
    }

    private int stop(StopPolicy policy, Duration daemonBound, Runnable tick, long started) {
        boolean found = false;
        Optional<ControlResponse> answer;
        try {
            answer = daemon.send(ControlRequest.of(Command.STOP), daemonBound);
        } catch (UserError unresponsive) {
            answer = Optional.empty();
        }
        if (answer.isPresent()) {
            found = true;
            awaitLockFree(daemonBound, tick);
        }
        Optional<ProcessIdentity> recorded = daemon.recordedProcess();
        if (recorded.isPresent()) {
            found = true;
            ProcessSignals.send(recorded.get(), Linux.SIGTERM);
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
