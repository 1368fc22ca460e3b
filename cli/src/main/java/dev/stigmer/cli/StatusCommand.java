package dev.stigmer.cli;

import dev.stigmer.config.TemporalDefaults;

import dev.stigmer.control.ControlRequest;
import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StatusReport;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcStat;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show the daemon and each component (Temporal and the stack's services): state, pid, "
                + "address, mode, restarts, what it waits for.",
                "Exit 0 when the daemon runs and every component shown is running (or completed), 3 when the "
                        + "daemon is not running, 1 otherwise."})
final class StatusCommand implements Callable<Integer> {
    static final int NOT_RUNNING = dev.stigmer.config.ExitCodes.NOT_RUNNING;

    @Option(names = "--json", description = "Print one JSON object: {daemon, components[]}.")
    boolean json;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Components to show (default: all).")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        StigmerHome home = Homes.current();
        Daemon daemon = new Daemon(home);
        Optional<StatusReport> report = ask(daemon);
        if (report.isEmpty()) {
            ComponentSnapshot temporal = unsupervised(home);
            // A daemon listens before it starts anything: one that came up after we asked may have
            // spawned this Temporal itself, so ask again before calling it unsupervised (and running).
            if (temporal.pid() != null) {
                report = ask(daemon);
            }
            if (report.isEmpty()) {
                if (json) {
                    System.out.println(Json.pretty(new StatusReport(null, List.of(temporal))));
                } else {
                    System.out.println("stigmer local is not running (home " + home.root() + ").");
                    if (temporal.pid() != null) {
                        System.out.println("  " + temporal.lastError());
                    }
                }
                return NOT_RUNNING;
            }
        }
        StatusReport status = only(report.get(), names);
        if (json) {
            System.out.println(Json.pretty(status));
        } else {
            print(status);
        }
        return StartFlow.allRunning(status) ? 0 : UserError.FAILURE;
    }

    /** The report cut down to {@code names}; a name that is not a component is a usage error. */
    private static StatusReport only(StatusReport report, List<String> names) {
        if (names.isEmpty()) {
            return report;
        }
        List<ComponentSnapshot> shown = new ArrayList<>();
        for (String name : names) {
            shown.add(report.components().stream().filter(c -> c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new UserError("no component named '" + name + "'; there are: "
                            + String.join(", ", report.components().stream().map(ComponentSnapshot::name).toList()),
                            UserError.USAGE)));
        }
        return new StatusReport(report.daemon(), shown);
    }

    private static Optional<StatusReport> ask(Daemon daemon) {
        return daemon.send(ControlRequest.of(ControlRequest.Command.STATUS)).map(ControlResponse::status);
    }

    /** With no daemon: Temporal as stopped, or as a live but unsupervised process of ours. */
    private static ComponentSnapshot unsupervised(StigmerHome home) {
        LocalSettings settings;
        try {
            settings = new StartOptions().resolve(home, System.getenv());
        } catch (UserError badEnvironment) {
            settings = null;
        }
        String address = settings == null ? null : settings.temporalAddress();
        String mode = settings == null ? null : settings.mode();
        List<ProcStat> orphans = Ownership.scan(home.root()).getOrDefault(TemporalDefaults.NAME, List.of());
        Optional<ProcStat> leader = orphans.stream().filter(p -> p.pid() == p.sid()).findFirst();
        if (leader.isPresent()) {
            return new ComponentSnapshot(TemporalDefaults.NAME, ComponentState.RUNNING, leader.get().pid(), address, mode,
                    settings != null && settings.temporalBin() != null, Map.of(), 0, false, null, null,
                    "not supervised: its daemon is gone; `stigmer local` adopts it, `stigmer local stop` stops it",
                    List.of());
        }
        return new ComponentSnapshot(TemporalDefaults.NAME, ComponentState.STOPPED, null, address, mode,
                settings != null && settings.temporalBin() != null, Map.of(), 0, false, null, null, null, List.of());
    }

    private static void print(StatusReport status) {
        StatusReport.DaemonInfo d = status.daemon();
        System.out.println("stigmer local: daemon pid " + d.pid() + ", up " + Durations.format(Duration.ofMillis(d.uptimeMillis()))
                + ", home " + d.home());
        d.degraded().forEach(note -> System.out.println("  degraded: " + note));
        if (d.dashboard() != null) {
            System.out.println("  dashboard: " + d.dashboard() + " (`stigmer local ui` opens it)");
        }
        String skew = StartFlow.versionSkew(d);
        if (skew != null) {
            System.out.println("  " + skew);
        }
        if (status.components().isEmpty()) {
            // A daemon runs nothing until the first START (one whose `stigmer local` was cut short).
            System.out.println("  nothing runs yet: `stigmer local` starts Temporal");
            return;
        }
        int width = Math.max(10, status.components().stream().mapToInt(c -> c.name().length()).max().orElse(0) + 1);
        int addressWidth = Math.max(17, status.components().stream()
                .mapToInt(c -> c.address() == null ? 0 : c.address().length()).max().orElse(0) + 1);
        String format = "  %-" + width + "s %-11s %-8s %-" + addressWidth + "s %-9s %-9s %s%n";
        System.out.printf(format, "COMPONENT", "STATE", "PID", "ADDRESS", "MODE", "RESTARTS", "UPTIME");
        for (ComponentSnapshot c : status.components()) {
            System.out.printf(format, c.name(), c.state().label(), c.pid() == null ? "-" : c.pid(),
                    c.address() == null ? "-" : c.address(), c.mode(), c.restarts(),
                    c.startedAtMillis() == null ? "-" : uptime(d, c.startedAtMillis()) + (c.adopted() ? " (adopted)" : ""));
        }
        for (ComponentSnapshot c : status.components()) {
            c.links().forEach((name, link) -> System.out.println("  " + c.name() + " " + name + ": " + link));
            if (c.roundTripMicros() != null) {
                System.out.println("  " + c.name() + ": runs elsewhere (" + c.mode() + "); "
                        + (c.state() == ComponentState.RUNNING ? "last check took " : "the last check that answered took ")
                        + String.format(java.util.Locale.ROOT, "%.1f ms", c.roundTripMicros() / 1000.0));
            }
            if (!c.persistent() && TemporalDefaults.NAME.equals(c.kind())) {
                System.out.println("  " + c.name() + ": " + StartFlow.EMBEDDED_LIMITS);
            }
            if (!c.dependsOn().isEmpty()) {
                System.out.println("  " + c.name() + " depends on: " + String.join(", ", c.dependsOn()));
            }
            if (c.watch() != null) {
                System.out.println("  " + c.name() + " " + watchLine(c.watch()));
            }
            if (c.lastExit() != null) {
                System.out.println("  " + c.name() + " last exit: " + c.lastExit());
            }
            if (c.lastError() != null) {
                System.out.println("  " + c.name() + (c.state() == ComponentState.WAITING ? ": " : " last error: ")
                        + c.lastError());
            }
            if (!c.logTail().isEmpty()) {
                System.out.println("  " + c.name() + " log (last lines):");
                c.logTail().forEach(line -> System.out.println("    " + line));
            }
        }
    }

    /** watches src, pom.xml; last change src/A.java at 12:00:01Z; 3 rebuilds, the last exit 0 in 1.2 s */
    static String watchLine(dev.stigmer.supervision.WatchStatus watch) {
        StringBuilder line = new StringBuilder("watches ").append(String.join(", ", watch.paths()));
        if (watch.lastChange() != null) {
            line.append("; last change ").append(watch.lastChange().path()).append(" at ").append(watch.lastChange().time());
        }
        if (watch.lastRebuild() != null) {
            line.append("; ").append(watch.rebuilds()).append(watch.rebuilds() == 1 ? " rebuild" : " rebuilds")
                    .append(", the last ").append(watch.lastRebuild().exitCode() == null ? "could not start"
                            : "exit " + watch.lastRebuild().exitCode())
                    .append(" in ").append(Durations.format(Duration.ofMillis(watch.lastRebuild().millis())));
        }
        return line.toString();
    }

    /** Against the daemon's clock, which the start time was read from: this machine's may differ or jump. */
    private static String uptime(StatusReport.DaemonInfo daemon, long startedAtMillis) {
        return Durations.format(Duration.ofMillis(Math.max(0, daemon.reportedAtMillis() - startedAtMillis)));
    }
}
