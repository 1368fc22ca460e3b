package dev.stigmer.cli;

import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlRequest.Command;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StatusReport;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;

import java.time.Duration;
import java.util.Optional;

/** start: make sure a daemon runs with compatible settings, then wait until Temporal serves. */
final class StartFlow {
    private static final String TEMPORAL = "temporal";
    /** What the embedded Temporal (the Java test server) cannot do, in one line; asserted by EmbeddedGapsTest. */
    static final String EMBEDDED_LIMITS = "the embedded Temporal keeps nothing across restarts and has no web UI, "
            + "no visibility queries (list/count), no schedules and no namespace registration; "
            + "install the temporal CLI (or set STIGMER_TEMPORAL_BIN) for all of them.";

    private final StartOptions options;
    private final Output out;
    private Daemon daemon;
    private LocalSettings settings;

    StartFlow(StartOptions options, Output out) {
        this.options = options;
        this.out = out;
    }

    Daemon daemon() {
        if (daemon == null) {
            daemon = new Daemon(Homes.ready());
        }
        return daemon;
    }

    LocalSettings settings() {
        if (settings == null) {
            settings = options.resolve(daemon().home(), System.getenv());
        }
        return settings;
    }

    int start() {
        LocalSettings wanted = settings();
        long started = System.nanoTime();
        Duration timeout = Duration.ofMillis(wanted.timeoutMillis());
        long deadline = started + timeout.toNanos();
        String what = "Starting Temporal (" + wanted.mode() + ") on 127.0.0.1:" + wanted.temporalPort();
        Runnable tick = () -> out.progress(what, elapsed(started));
        tick.run();
        // The answer to START carries the status: on a healthy system that is the whole call.
        StatusReport report = requestStart(wanted, deadline, tick);
        boolean first = true;
        while (true) {
            if (report == null) {
                report = daemon().send(ControlRequest.of(Command.STATUS)).map(ControlResponse::status)
                        .orElseThrow(() -> new UserError("the stigmer daemon went away while starting; "
                                + "see `stigmer local logs daemon`"));
            }
            ComponentSnapshot temporal = component(report);
            switch (temporal.state()) {
                case RUNNING -> {
                    reportRunning(report, temporal, first);
                    return 0;
                }
                case FAILED -> throw failed(temporal);
                default -> {
                    if (System.nanoTime() > deadline) {
                        out.clearProgress();
                        throw new UserError("Temporal did not serve within " + Durations.format(timeout)
                                + " (state: " + temporal.state().label()
                                + (temporal.lastError() == null ? "" : ", " + temporal.lastError())
                                + "); it keeps trying: see `stigmer local status` and `stigmer local logs temporal`");
                    }
                    tick.run();
                }
            }
            first = false;
            report = null;
            Daemon.sleep(50);
        }
    }

    int foreground() {
        LocalSettings wanted = settings();
        if (daemon().lockHeld()) {
            throw new UserError("stigmer local is already running as a daemon for " + daemon().home().root()
                    + "; run `stigmer local stop` first");
        }
        out.line("Running in the foreground (Ctrl-C stops Temporal and exits); Temporal " + wanted.mode()
                + " on 127.0.0.1:" + wanted.temporalPort());
        int code = daemon().runInForeground(wanted);
        return code == Daemon.EXIT_ALREADY_RUNNING ? UserError.FAILURE : code;
    }

    /** Sends START until a daemon with compatible settings accepts it; returns the status it answered with. */
    private StatusReport requestStart(LocalSettings wanted, long deadline, Runnable tick) {
        while (true) {
            Optional<ControlResponse> response = daemon().send(new ControlRequest(Command.START, wanted));
            if (response.isEmpty()) {
                daemon().ensureRunning(wanted, remaining(deadline), tick);
                continue;
            }
            ControlResponse answer = response.get();
            if (answer.ok()) {
                return answer.status();
            }
            out.clearProgress();
            switch (answer.kind()) {
                case CONFLICT -> throw new UserError(answer.error() + "; run `stigmer local restart"
                        + StartOptions.flags(wanted) + "` to apply the new settings");
                case SHUTTING_DOWN -> {
                    while (daemon().lockHeld()) {
                        if (System.nanoTime() > deadline) {
                            throw new UserError("the previous stigmer daemon is still stopping; try again");
                        }
                        tick.run();
                        Daemon.sleep(50);
                    }
                }
                default -> throw new UserError(answer.error());
            }
        }
    }

    private void reportRunning(StatusReport report, ComponentSnapshot temporal, boolean already) {
        String where = temporal.address() + " (" + temporal.mode() + ", pid " + temporal.pid() + ")";
        if (already) {
            out.success("Temporal is already running at " + where);
        } else {
            out.success("Temporal is running at " + where);
        }
        String ui = temporal.links().get("ui");
        if (ui != null) {
            out.line("  Web UI: " + ui);
        }
        if (!temporal.persistent()) {
            out.line("  Note: " + EMBEDDED_LIMITS);
        }
        if (report.daemon() != null) {
            out.line("  Supervised by daemon pid " + report.daemon().pid() + "; `stigmer local status` for details.");
            String skew = versionSkew(report.daemon());
            if (skew != null) {
                out.line("  " + skew);
            }
        }
    }

    /** One line when the daemon comes from another build than this CLI (say, before a rebuild); else null. */
    static String versionSkew(StatusReport.DaemonInfo daemon) {
        String mine = Main.version();
        if (daemon.version() == null || daemon.version().equals(mine)) {
            return null;
        }
        return "Note: the daemon runs stigmer " + daemon.version() + ", this is " + mine
                + ": run `stigmer local restart` to use this build.";
    }

    private UserError failed(ComponentSnapshot temporal) {
        out.clearProgress();
        StringBuilder message = new StringBuilder("Temporal failed: ")
                .append(temporal.lastError() == null ? "no reason recorded" : temporal.lastError());
        if (!temporal.logTail().isEmpty()) {
            message.append("\n  last lines of its output (").append(daemon().home().logFile(TEMPORAL)).append("):");
            temporal.logTail().forEach(line -> message.append("\n    ").append(line));
        }
        message.append("\n  Fix the cause, then run `stigmer local` again.");
        return new UserError(message.toString());
    }

    static ComponentSnapshot component(StatusReport report) {
        return report.components().stream().filter(c -> c.name().equals(TEMPORAL)).findFirst()
                .orElseThrow(() -> new UserError("the daemon reports no temporal component"));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L));
    }

    private static long elapsed(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    static boolean allRunning(StatusReport report) {
        return report.components().stream().allMatch(c -> c.state() == ComponentState.RUNNING);
    }
}
