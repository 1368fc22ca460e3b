package dev.stigmer.daemon;

import dev.stigmer.control.ControlResponse.ErrorKind;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StackEvent;
import dev.stigmer.control.StackRequest;
import dev.stigmer.control.StatusReport;
import dev.stigmer.process.CgroupRoot;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.PidfdSupport;
import dev.stigmer.state.Installation;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.Component;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentSpec;
import dev.stigmer.supervision.StackRecord;
import dev.stigmer.supervision.Supervisor;
import dev.stigmer.temporal.ExternalTemporalComponent;
import dev.stigmer.temporal.TemporalComponent;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The daemon's stack behind every front end: the control socket and the dashboard call this and
 * nothing else. The decisions are the {@link StackController}'s; this is where Temporal's
 * component is made from its definition and where the status users see is assembled.
 */
final class LocalStack implements StackApi {
    private static final System.Logger LOG = System.getLogger("stigmer.stack");

    private final StigmerHome home;
    private final String version;
    private final long startedAtMillis = System.currentTimeMillis();
    private final long startedAtNanos = System.nanoTime();
    private final StackEvents events = new StackEvents();
    private final StackController controller;
    /** The dashboard's URL (null: off or unavailable) and why it is unavailable (null: it is not). */
    private volatile String dashboardUrl;
    private volatile String dashboardUnavailable;

    LocalStack(StigmerHome home, String version, Consumer<Path> newLog) {
        this.home = home;
        this.version = version;
        this.controller = new StackController(home, this::temporalComponent, newLog, events);
    }

    /** Temporal's component for {@code settings}: a supervised process here, or a watcher of one elsewhere. */
    private Component temporalComponent(LocalSettings settings) {
        if (settings.external() != null) {
            return ExternalTemporalComponent.watcher(settings, home, controller::apiKey);
        }
        if (settings.temporalBin() != null) {
            try {
                home.ensureDataDir(TemporalComponent.NAME);
            } catch (java.io.IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot create Temporal's data directory", e);
            }
        }
        ComponentSpec spec = TemporalComponent.spec(settings, home, Installation.current());
        return new Supervisor(spec, new Ownership(home.root(), spec.name()), home.componentRecord(spec.name()));
    }

    @Override
    public StatusReport status() {
        return status(controller.view());
    }

    /** Status and the request bookkeeping from one look at the stack (one turn of its thread). */
    StatusReport status(StackController.View view) {
        List<String> degraded = new java.util.ArrayList<>(PidfdSupport.current().degradedNote().stream().toList());
        CgroupRoot.of(home.root()).degradedNote().ifPresent(degraded::add);
        if (dashboardUnavailable != null) {
            degraded.add(dashboardUnavailable);
        }
        return new StatusReport(
                new StatusReport.DaemonInfo(ProcessHandle.current().pid(), startedAtMillis, version,
                        home.root().toString(), home.socket().toString(), view.temporal(),
                        (System.nanoTime() - startedAtNanos) / 1_000_000, System.currentTimeMillis(),
                        degraded, dashboardUrl),
                view.components());
    }

    StackController.View view() {
        return controller.view();
    }

    /** What status says of the dashboard: its URL, or why there is none ({@code unavailable}; both null: off). */
    void dashboard(String url, String unavailable) {
        this.dashboardUrl = url;
        this.dashboardUnavailable = unavailable;
    }

    @Override
    public List<Wiring> wiring() {
        return controller.wiring();
    }

    @Override
    public CompletableFuture<List<String>> start(StackRequest stack, List<String> names) {
        return apply(null, stack, names).thenApply(Applied::changes);
    }

    @Override
    public CompletableFuture<Applied> apply(LocalSettings temporal, StackRequest stack, List<String> names) {
        return controller.start(temporal, stack, names);
    }

    @Override
    public CompletableFuture<Void> stop(List<String> names) {
        return controller.stop(names);
    }

    @Override
    public CompletableFuture<Void> restart(List<String> names) {
        return restart(null, null, names).thenApply(applied -> null);
    }

    @Override
    public CompletableFuture<Applied> restart(LocalSettings temporal, StackRequest stack, List<String> names) {
        return controller.restart(temporal, stack, names);
    }

    @Override
    public Requests requests() {
        StackController.View view = controller.view();
        return new Requests(view.sequence(), view.stops());
    }

    @Override
    public Path log(String name) {
        if (name.equals("daemon") || controller.snapshots().stream().map(ComponentSnapshot::name).anyMatch(name::equals)) {
            return home.logFile(name);
        }
        throw new Refused(ErrorKind.BAD_REQUEST, "no component named '" + name + "'");
    }

    @Override
    public Subscription subscribe(Consumer<StackEvent> listener) {
        return events.subscribe(listener);
    }

    /** How long stopping everything may take (the daemon's record tells `stop` how long to wait). */
    long stopBoundMillis() {
        return controller.stopBoundMillis();
    }

    /**
     * Stops every member for good (the daemon is exiting), then, with {@code leftovers}, whatever
     * an earlier daemon left that this one never adopted: each with its own stop signal and grace
     * from run/stack.json, dependents first. Without: the home may already be the next daemon's.
     */
    CompletableFuture<Void> retire(boolean leftovers) {
        return controller.retire().thenRun(() -> {
            if (leftovers) {
                StackRecord.stopLeftovers(home, Set.of()).forEach((name, survivors) ->
                        LOG.log(System.Logger.Level.WARNING, name + ": " + survivors.size() + " processes survived SIGKILL"));
            }
        });
    }

    void close() {
        controller.close();
    }
}
