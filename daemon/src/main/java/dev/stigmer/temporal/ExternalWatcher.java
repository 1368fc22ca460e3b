package dev.stigmer.temporal;

import dev.stigmer.supervision.Component;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;
import dev.stigmer.supervision.EventLoop;
import dev.stigmer.supervision.Prober;
import dev.stigmer.probe.ProbeSchedule;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * A stack member that runs elsewhere (an external Temporal): it is never started or stopped,
 * only checked on its schedule. Wanted, it is {@code starting} until the first check answers,
 * then {@code running} or {@code unreachable}; once running, {@code failures} failed checks in a
 * row make it unreachable, one passing check makes it running again. Not wanted, it is
 * {@code stopped}: no longer checked, and nothing is done to it.
 * <p>
 * State is confined to its {@link EventLoop}; the checks are its {@link Prober}'s, whose round
 * ends with the watch, so a check that was under way when the watch changed (a stop, a new API
 * key) is ignored.
 */
public final class ExternalWatcher implements Component {
    private static final System.Logger LOG = System.getLogger("stigmer.external");

    private final String name;
    private final String kind;
    private final String mode;
    private final String address;
    private final ProbeSchedule schedule;
    private final Supplier<String> waitingFor;
    private final Supplier<CompletableFuture<Void>> recovery;
    private final EventLoop loop;
    private final Prober prober;

    // Confined to the loop.
    private ComponentState state = ComponentState.STOPPED;
    private boolean retired;
    private String lastError;
    private Long reachableSinceMillis;
    private Long roundTripMicros;

    private volatile ComponentSnapshot snapshot;
    private volatile Consumer<ComponentSnapshot> onChange = s -> { };

    /**
     * @param waitingFor why no check can be made yet (e.g. the API key has not come), or null
     * @param recovery   what to do about an earlier daemon's leftovers at start-up
     */
    public ExternalWatcher(String name, String kind, String mode, String address, ProbeSchedule schedule,
                           Supplier<String> waitingFor, Supplier<CompletableFuture<Void>> recovery) {
        this.name = name;
        this.kind = kind;
        this.mode = mode;
        this.address = address;
        this.schedule = schedule;
        this.waitingFor = waitingFor;
        this.recovery = recovery;
        this.loop = new EventLoop("watch-" + name);
        this.prober = new Prober(loop, schedule);
        publish();
    }

    @Override
    public ComponentSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public void onChange(Consumer<ComponentSnapshot> listener) {
        this.onChange = listener;
    }

    @Override
    public CompletableFuture<Void> recover() {
        return recovery.get();
    }

    @Override
    public CompletableFuture<Void> start() {
        return loop.call(() -> {
            if (retired) {
                throw new EventLoop.Refused(name + " is no longer watched: the daemon is stopping");
            }
            if (state == ComponentState.STOPPED) {
                LOG.log(INFO, "{0}: checking the {1} Temporal at {2}", name, mode, address);
                beginWatch();
            }
        });
    }

    /** Checks again at once, from {@code starting}: what the check depends on (an API key) has changed. */
    public CompletableFuture<Void> refresh() {
        return loop.call(() -> {
            if (state != ComponentState.STOPPED) {
                beginWatch();
            }
        });
    }

    @Override
    public CompletableFuture<Void> stop() {
        return loop.call(() -> endWatch(false));
    }

    @Override
    public CompletableFuture<Void> retire() {
        return loop.call(() -> endWatch(true));
    }

    @Override
    public Duration stopBound() {
        return Duration.ZERO;
    }

    private void beginWatch() {
        lastError = null;
        reachableSinceMillis = null;
        roundTripMicros = null;
        prober.stop();
        transition(ComponentState.STARTING);
        String waiting = waitingFor.get();
        if (waiting != null) {
            lastError = waiting; // refresh() begins again once it is there
            publish();
            return;
        }
        prober.start(prober.probe(), Duration.ZERO, this::checked);
    }

    private void endWatch(boolean forGood) {
        retired |= forGood;
        prober.stop();
        reachableSinceMillis = null;
        transition(ComponentState.STOPPED);
    }

    private void checked(Prober.Result check) {
        if (check.healthy()) {
            lastError = null;
            roundTripMicros = check.micros();
            if (state != ComponentState.RUNNING) {
                LOG.log(INFO, "{0}: {1} answers (round trip {2} ms)", name, address,
                        String.format("%.1f", check.micros() / 1000.0));
                reachableSinceMillis = System.currentTimeMillis();
            }
            transition(ComponentState.RUNNING);
        } else if (check.thresholdReached()) { // the first checks too: one slow answer on a busy machine fails no start
            lastError = check.detail();
            if (state != ComponentState.UNREACHABLE) {
                LOG.log(WARNING, "{0}: unreachable: {1}", name, check.detail());
            }
            reachableSinceMillis = null;
            transition(ComponentState.UNREACHABLE);
        } else {
            lastError = state == ComponentState.UNREACHABLE ? check.detail() : check.failing("check");
            publish();
        }
    }

    private void transition(ComponentState to) {
        state = to;
        publish();
    }

    private void publish() {
        snapshot = new ComponentSnapshot(name, kind, state, null, address, mode, true, Map.of(), 0, false,
                reachableSinceMillis, List.of(), null, null, lastError, List.of(), roundTripMicros);
        onChange.accept(snapshot);
    }

    @Override
    public void close() {
        loop.close();
        schedule.probe().close();
    }
}
