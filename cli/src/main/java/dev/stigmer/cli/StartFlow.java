package dev.stigmer.cli;

import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlRequest.Command;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StackRequest;
import dev.stigmer.stackfile.StackDefinition;
import dev.stigmer.stackfile.StackFileException;
import dev.stigmer.control.StatusReport;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * start and restart: read and check the stack file and the settings (so a mistake is one line
 * naming FILE:LINE:COLUMN), hand Temporal's definition and the services to the daemon, which
 * alone decides what to keep, replace, start or stop, then render its progress until what it
 * said to wait for runs or completed.
 */
final class StartFlow {
    private static final String TEMPORAL = "temporal";
    /** What the embedded Temporal (the Java test server) cannot do, in one line; asserted by EmbeddedGapsTest. */
    static final String EMBEDDED_LIMITS = "the embedded Temporal keeps nothing across restarts and has no web UI, "
            + "no visibility queries (list/count), no schedules and no RegisterNamespace (only the namespaces stigmer.yaml names exist); "
            + "`stigmer temporal install` gets the real one, with all of them.";

    private final StartOptions options;
    private final Output out;
    private final List<String> names;
    private final Set<String> commands;
    private Daemon daemon;
    private LocalSettings settings;
    private StackDefinition stack;
    private boolean stackRead;
    private static final String STOPPED_WHILE_WAITING = "stigmer local was stopped while this start waited "
            + "(a `stigmer local stop` was asked for); `stigmer local` starts it again";
    /** After this long a start that still waits says on what, once. */
    private static final long SAY_WAITING_AFTER_NANOS = 3_000_000_000L;

    StartFlow(StartOptions options, Output out) {
        this(options, out, List.of(), Set.of());
    }

    /**
     * @param names    the services to start (with what they depend on); empty: all of them
     * @param commands what a name could have meant instead (bare `stigmer local NAME`: its
     *                 subcommands), suggested when a name is not a service; else empty
     */
    StartFlow(StartOptions options, Output out, List<String> names, Set<String> commands) {
        this.options = options;
        this.out = out;
        this.names = List.copyOf(names);
        this.commands = Set.copyOf(commands);
    }

    Daemon daemon() {
        if (daemon == null) {
            daemon = new Daemon(Homes.ready());
        }
        return daemon;
    }

    LocalSettings settings() {
        if (settings == null) {
            settings = options.resolve(daemon().home(), System.getenv(), stack());
        }
        return settings;
    }

    /** The stack file's stack, read and checked once; null when there is no stack file. */
    StackDefinition stack() {
        if (!stackRead) {
            Map<String, String> env = System.getenv();
            stack = options.stack(env);
            stackRead = true;
            if (stack == null && !names.isEmpty() && !names.stream().allMatch(TEMPORAL::equals)) {
                throw new UserError(subcommandTypo(names.getFirst()).orElse("no stigmer.yaml here or above names "
                        + String.join(", ", names) + "; run it where the stack file is, or name it with -f"),
                        UserError.USAGE);
            }
            for (String name : names) {
                if (stack != null && !name.equals(TEMPORAL) && !stack.services().containsKey(name)) {
                    throw new UserError(subcommandTypo(name).orElse("no service named '" + name + "' in " + stack.file()
                            + "; it has: " + String.join(", ", stack.services().keySet())), UserError.USAGE);
                }
            }
        }
        return stack;
    }

    /** `stigmer local stauts`: a mistyped subcommand reads as a service name; say what was meant. */
    private Optional<String> subcommandTypo(String name) {
        return dev.stigmer.stackfile.Suggestions.closest(name, commands)
                .map(command -> "'" + name + "' is neither a service of the stack file nor a command; did you mean "
                        + "`stigmer local " + command + "`? (see `stigmer local --help`)");
    }

    private StackRequest stackRequest() {
        StackDefinition definition = stack();
        if (definition == null) {
            return null;
        }
        Map<String, String> env = System.getenv();
        String apiKey = null;
        if (definition.temporal().external() != null) {
            try {
                apiKey = definition.temporal().external().apiKey(env); // to the daemon over its socket only
                if (definition.temporal().external().apiKeyVariable() != null) {
                    daemon().withhold(definition.temporal().external().apiKeyVariable()); // nor in its environment
                }
            } catch (StackFileException e) {
                throw new UserError(e.getMessage(), UserError.USAGE);
            }
        }
        return new StackRequest(definition.file(), List.copyOf(definition.services().values()), env, apiKey,
                options.noWatch);
    }

    int start() {
        LocalSettings wanted = settings();
        StackRequest stackRequest = stackRequest();
        long started = System.nanoTime();
        Duration timeout = Duration.ofMillis(wanted.timeoutMillis());
        long deadline = started + timeout.toNanos();
        String what = stackRequest == null
                ? startingTemporal(daemon().temporalWithoutStackFile(wanted))
                : "Starting the stack of " + stackRequest.file();
        Runnable tick = () -> out.progress(what, elapsed(started));
        tick.run();
        // The answer to START carries the status: on a healthy system that is the whole call.
        ControlResponse answer = request(Command.START, wanted, stackRequest, names, deadline, tick);
        answer.changes().forEach(change -> out.line("  " + change));
        return awaitSettled(answer, timeout, deadline, started, what, stackRequest != null);
    }

    private static String startingTemporal(LocalSettings temporal) {
        return "Starting Temporal (" + temporal.mode() + ") on " + temporal.temporalAddress();
    }

    /**
     * `restart` without names: the daemon applies the file and the settings (as a start does) and
     * restarts every member, dependents stopped first; the daemon itself stays. A daemon of another
     * build is the one thing it cannot restart in place: then it is stopped and a new one started.
     */
    int restartAll() {
        LocalSettings wanted = settings(); // bad input fails before anything is stopped
        StackRequest stackRequest = stackRequest();
        Optional<ControlResponse> ping = daemon().send(ControlRequest.of(Command.PING), Daemon.CHANGE_TIMEOUT);
        if (ping.isEmpty()) {
            return start();
        }
        StatusReport.DaemonInfo info = ping.get().status() == null ? null : ping.get().status().daemon();
        if (info != null && versionSkew(info) != null) {
            out.line("  the daemon runs another build (" + info.version() + "): replacing it with this one");
            new StopFlow(daemon(), out).stop();
            return start();
        }
        long started = System.nanoTime();
        Duration timeout = Duration.ofMillis(wanted.timeoutMillis());
        String what = "Restarting " + (stackRequest == null ? "Temporal" : "the stack of " + stackRequest.file());
        Runnable tick = () -> out.progress(what, elapsed(started));
        tick.run();
        ControlResponse answer = request(Command.RESTART, wanted, stackRequest, List.of(),
                started + StopFlow.stopBound(daemon()).toNanos() + timeout.toNanos(), tick);
        answer.changes().forEach(change -> out.line("  " + change));
        return awaitSettled(answer, timeout, System.nanoTime() + timeout.toNanos(), started, what, true);
    }

    /**
     * `restart NAME...`: the daemon stops those (and what follows them with `restart: true`) and
     * starts them again as their dependencies allow; returns once they are running (or completed) again.
     */
    int restart(List<String> restarted) {
        long started = System.nanoTime();
        Duration timeout = Duration.ofMillis(options.timeoutMillis());
        String what = "Restarting " + String.join(", ", restarted);
        Runnable tick = () -> out.progress(what, elapsed(started));
        if (out.terminal()) {
            tick.run();
        }
        // Answered once the stops are done and the starts taken: the wait below sees the new processes.
        ControlResponse answer = daemon().send(new ControlRequest(Command.RESTART, null, null, restarted),
                        StopFlow.stopBound(daemon()))
                .orElseThrow(() -> new UserError("stigmer local is not running; `stigmer local` starts it"));
        if (!answer.ok()) {
            out.clearProgress();
            throw new UserError(answer.error(), answer.kind() == ControlResponse.ErrorKind.BAD_REQUEST
                    ? UserError.USAGE : UserError.FAILURE);
        }
        return awaitSettled(answer, timeout, System.nanoTime() + timeout.toNanos(), started, what, true);
    }

    /**
     * Follows the daemon's status until every member its answer named runs (or completed). Ends at
     * once, saying so, when one failed, when a stop asked for after this call stopped one (or the
     * whole daemon), or when the daemon went away.
     */
    private int awaitSettled(ControlResponse answer, Duration timeout, long deadline, long started, String what,
                             boolean stackShown) {
        List<String> waitFor = answer.targets();
        long since = answer.sequence();
        long daemonPid = answer.status().daemon().pid();
        StatusReport report = answer.status();
        ControlResponse latest = answer;
        boolean first = true;
        boolean saidWaiting = false;
        while (true) {
            if (report == null) {
                // Committed to waiting: a daemon busy with a burst of requests gets as long as a START.
                Optional<ControlResponse> polled = daemon().send(ControlRequest.of(Command.STATUS), Daemon.CHANGE_TIMEOUT);
                if (polled.isEmpty() || polled.get().status() == null) {
                    out.clearProgress();
                    throw new UserError(daemon().killed(daemonPid)
                            ? "the stigmer daemon (pid " + daemonPid + ") went away while starting; see `stigmer local logs daemon`"
                            : STOPPED_WHILE_WAITING);
                }
                latest = polled.get();
                report = latest.status();
                if (report.daemon().pid() != daemonPid) {
                    out.clearProgress();
                    throw new UserError(STOPPED_WHILE_WAITING);
                }
            }
            Optional<String> stopped = latest.stoppedSince(since, waitFor);
            if (stopped.isPresent()) {
                out.clearProgress();
                throw new UserError((stopped.get().equals(TEMPORAL) ? "Temporal" : stopped.get())
                        + " was stopped while this start waited for it (a `stigmer local stop` was asked for); `stigmer local"
                        + (names.isEmpty() ? "" : " " + String.join(" ", names)) + "` starts it again");
            }
            List<ComponentSnapshot> targets = targets(report, waitFor);
            Optional<ComponentSnapshot> broken = targets.stream()
                    .filter(c -> c.state() == ComponentState.FAILED || c.state() == ComponentState.EXITED
                            || c.state() == ComponentState.UNREACHABLE).findFirst();
            if (broken.isPresent()) {
                throw failed(broken.get(), stackShown);
            }
            boolean allShown = targets.size() == waitFor.size(); // none shown: the daemon is on its way out
            if (allShown && targets.stream().allMatch(ComponentSnapshot::settled)) {
                reportRunning(report, targets, first);
                return 0;
            }
            List<ComponentSnapshot> late = targets.stream().filter(c -> !c.settled()).toList();
            if (System.nanoTime() > deadline) {
                out.clearProgress();
                if (late.isEmpty()) {
                    throw new UserError("the stigmer daemon no longer shows " + String.join(", ", waitFor)
                            + "; see `stigmer local status`");
                }
                ComponentSnapshot one = late.getFirst();
                String who = one.name().equals(TEMPORAL) ? "Temporal did not serve" : one.name() + " was not ready";
                throw new UserError(who + " within " + Durations.format(timeout)
                        + " (state: " + one.state().label()
                        + (one.lastError() == null ? "" : ", " + one.lastError())
                        + "); it keeps trying: see `stigmer local status` and `stigmer local logs " + one.name() + "`");
            }
            String waiting = waitingOn(late);
            if (!saidWaiting && System.nanoTime() - started > SAY_WAITING_AFTER_NANOS) {
                // Once, after a few seconds: a start that says nothing for a minute looks hung.
                saidWaiting = true;
                out.line("  waiting for " + waiting);
            }
            out.progress(saidWaiting && out.terminal() ? what + ": waiting for " + waiting : what, elapsed(started));
            first = false;
            report = null;
            Daemon.sleep(50);
        }
    }

    /** "api (waiting for db (healthy)), temporal (starting)": what a start still waits on. */
    private static String waitingOn(List<ComponentSnapshot> late) {
        return String.join(", ", late.stream().map(c -> c.name() + " (" + (c.state() == ComponentState.WAITING
                && c.lastError() != null ? c.lastError() : c.state().label()) + ")").toList());
    }

    private static List<ComponentSnapshot> targets(StatusReport report, List<String> waitFor) {
        Map<String, ComponentSnapshot> byName = new LinkedHashMap<>();
        report.components().forEach(c -> byName.put(c.name(), c));
        List<ComponentSnapshot> targets = new ArrayList<>();
        for (String name : waitFor) {
            ComponentSnapshot component = byName.get(name);
            if (component != null) { // gone: removed by a later start of another file's version
                targets.add(component);
            }
        }
        return targets;
    }

    int foreground() {
        LocalSettings wanted = settings();
        if (daemon().lockHeld()) {
            throw new UserError("stigmer local is already running as a daemon for " + daemon().home().root()
                    + "; run `stigmer local stop` first");
        }
        out.line("Running in the foreground (Ctrl-C stops everything and exits); Temporal " + wanted.mode()
                + (wanted.external() != null ? " at " : " on ") + wanted.temporalAddress());
        StackRequest stackRequest = stackRequest();
        // Temporal and the stack come as for a daemon: over its socket, once it listens.
        Thread.ofPlatform().daemon().name("apply-stack").start(() -> applyWhenListening(wanted, stackRequest));
        int code = daemon().runInForeground();
        return code == Daemon.EXIT_ALREADY_RUNNING ? UserError.FAILURE : code;
    }

    private void applyWhenListening(LocalSettings wanted, StackRequest stackRequest) {
        long deadline = System.nanoTime() + Duration.ofMillis(wanted.timeoutMillis()).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Optional<ControlResponse> answer = daemon().send(new ControlRequest(Command.START, wanted, stackRequest, names));
                if (answer.isPresent()) {
                    if (answer.get().ok()) {
                        answer.get().changes().forEach(change -> out.line("  " + change));
                    } else {
                        out.line("stigmer: " + answer.get().error());
                    }
                    return;
                }
                Daemon.sleep(50);
            }
            out.line("stigmer: the daemon did not listen within the timeout; the stack was not applied");
        } catch (UserError e) {
            out.line("stigmer: " + e.getMessage());
        }
    }

    /** Sends {@code command} until a daemon takes it (spawning one when none answers); returns its answer. */
    private ControlResponse request(Command command, LocalSettings wanted, StackRequest stackRequest, List<String> names,
                                    long deadline, Runnable tick) {
        while (true) {
            Optional<ControlResponse> response = daemon().send(new ControlRequest(command, wanted, stackRequest, names),
                    command == Command.RESTART ? remaining(deadline) : Daemon.CHANGE_TIMEOUT);
            if (response.isEmpty()) {
                daemon().ensureRunning(remaining(deadline), tick);
                command = Command.START; // a new daemon has nothing to restart
                continue;
            }
            ControlResponse answer = response.get();
            if (answer.ok()) {
                return answer;
            }
            out.clearProgress();
            switch (answer.kind()) {
                case ANOTHER_STACK -> throw new UserError(answer.error() + "; run `stigmer local restart` to run this "
                        + "one instead, or use another STIGMER_HOME to run both");
                case SHUTTING_DOWN -> {
                    // Asked before ours: that stop goes first, then this call starts afresh.
                    while (daemon().lockHeld()) {
                        if (System.nanoTime() > deadline) {
                            throw new UserError("the previous stigmer daemon is still stopping; try again");
                        }
                        tick.run();
                        Daemon.sleep(50);
                    }
                }
                case BAD_REQUEST -> throw new UserError(answer.error(), UserError.USAGE);
                default -> throw new UserError(answer.error());
            }
        }
    }

    private void reportRunning(StatusReport report, List<ComponentSnapshot> targets, boolean already) {
        // By name, not targets.contains(temporal): a record's first equals() spins its method
        // handles, ~12 ms of a ~110 ms call.
        Optional<ComponentSnapshot> target = targets.stream().filter(c -> c.name().equals(TEMPORAL)).findFirst();
        ComponentSnapshot temporal = target.orElseGet(() -> component(report));
        boolean temporalShown = target.isPresent();
        if (temporalShown) {
            String where = temporal.pid() == null ? temporal.address() + " (" + temporal.mode() + roundTrip(temporal) + ")"
                    : temporal.address() + " (" + temporal.mode() + ", pid " + temporal.pid() + ")";
            out.success((already ? "Temporal is already running at " : "Temporal is running at ") + where);
            if (settings != null && settings.external() != null) {
                out.line("  " + settings.external().describe() + "; declared in " + settings.external().source());
            }
        }
        for (ComponentSnapshot service : targets) {
            if (service == temporal) {
                continue;
            }
            out.success(service.name() + " is " + service.state().label()
                    + (service.pid() == null ? "" : " (pid " + service.pid()
                    + (service.address() == null ? "" : ", " + service.address()) + ")"));
        }
        String ui = temporal.links().get("ui");
        if (ui != null && temporalShown) {
            out.line("  Web UI: " + ui);
        }
        if (!temporal.persistent() && temporalShown) {
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

    /**
     * One line when the daemon comes from another build than this CLI (a rebuild of the source
     * checkout, or another release installed while it ran); else null.
     */
    static String versionSkew(StatusReport.DaemonInfo daemon) {
        String mine = Main.version();
        if (daemon.version() == null || daemon.version().equals(mine)) {
            return null;
        }
        String theirRelease = releaseOf(daemon.version());
        String myRelease = releaseOf(mine);
        if (!theirRelease.equals(myRelease)) {
            return "Note: the daemon is stigmer " + theirRelease + "'s, this is stigmer " + myRelease
                    + ": run `stigmer local restart` to switch to " + myRelease + ".";
        }
        return "Note: the daemon runs stigmer " + daemon.version() + ", this is " + mine
                + ": run `stigmer local restart` to use this build.";
    }

    /** "0.2.0" of a build identity "0.2.0+20260101.120000.000". */
    private static String releaseOf(String build) {
        int plus = build.indexOf('+');
        return plus < 0 ? build : build.substring(0, plus);
    }

    /** ", round trip 3.2 ms" for a component that runs elsewhere; else nothing. */
    static String roundTrip(ComponentSnapshot component) {
        return component.roundTripMicros() == null ? ""
                : String.format(java.util.Locale.ROOT, ", round trip %.1f ms", component.roundTripMicros() / 1000.0);
    }

    private UserError failed(ComponentSnapshot component, boolean stack) {
        out.clearProgress();
        if (component.state() == ComponentState.UNREACHABLE) {
            return new UserError("Temporal (" + component.mode() + ") is unreachable: "
                    + component.lastError() + "\n  Services that depend on it wait; the daemon keeps checking it "
                    + "(`stigmer local status`). The rest keeps running.");
        }
        String who = component.name().equals(TEMPORAL) ? "Temporal" : component.name();
        StringBuilder message = new StringBuilder(who + " " + component.state().label() + ": ")
                .append(component.lastError() == null ? "no reason recorded" : component.lastError());
        if (!component.logTail().isEmpty()) {
            message.append("\n  last lines of its output (").append(daemon().home().logFile(component.name())).append("):");
            component.logTail().forEach(line -> message.append("\n    ").append(line));
        }
        message.append(stack ? "\n  The rest keeps running. Fix the cause, then run `stigmer local` again."
                : "\n  Fix the cause, then run `stigmer local` again.");
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

    /**
     * Every component running, or a one-shot that completed: what `status` exits 0 for. A daemon
     * that runs nothing yet (its first START never came) is not that.
     */
    static boolean allRunning(StatusReport report) {
        return !report.components().isEmpty() && report.components().stream().allMatch(ComponentSnapshot::settled);
    }
}
