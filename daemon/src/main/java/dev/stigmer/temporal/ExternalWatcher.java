package dev.stigmer.temporal;

import dev.stigmer.supervision.Component;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;
import dev.stigmer.supervision.HealthProbe.ProbeResult;
import dev.stigmer.supervision.ProbeSchedule;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * State is confined to one thread; each check runs on a virtual thread and its result comes back
 * tagged with the watch it belongs to, so a check that was under way when the watch changed (a
 * stop, a new API key) is ignored.
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
    private final ScheduledExecutorService loop;

    // Confined to the loop.
    private ComponentState state = ComponentState.STOPPED;
    private long watch; // which watch a check belongs to
    private boolean retired;
    private int failuresInARow;
    private String lastError;
    private Long reachableSinceMillis;
    private Long roundTripMicros;
    private ScheduledFuture<?> next;

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
        this.loop = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("watch-" + name).factory());
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
        return call(() -> {
            if (retired) {
                throw new IllegalStateException(name + " is no longer watched: the daemon is stopping");
            }
            if (state == ComponentState.STOPPED) {
                LOG.log(INFO, "{0}: checking the {1} Temporal at {2}", name, mode, address);
                beginWatch();
            }
        });
    }

    /** Checks again at once, from {@code starting}: what the check depends on (an API key) has changed. */
    public CompletableFuture<Void> refresh() {
        return call(() -> {
            if (state != ComponentState.STOPPED) {
                beginWatch();
            }
        });
    }

    @Override
    public CompletableFuture<Void> stop() {
        return call(() -> endWatch(false));
    }

    @Override
    public CompletableFuture<Void> retire() {
        return call(() -> endWatch(true));
    }

    @Override
    public Duration stopBound() {
        return Duration.ZERO;
    }

    private void beginWatch() {
        watch++;
        failuresInARow = 0;
        lastError = null;
        reachableSinceMillis = null;
        roundTripMicros = null;
        cancelNext();
        transition(ComponentState.STARTING);
        check(watch);
    }

    private void endWatch(boolean forGood) {
        retired |= forGood;
        watch++;
        cancelNext();
        reachableSinceMillis = null;
        transition(ComponentState.STOPPED);
    }

    private void check(long forWatch) {
        if (forWatch != watch) {
            return;
        }
        String waiting = waitingFor.get();
        if (waiting != null) {
            lastError = waiting; // refresh() checks again once it is there
            publish();
            return;
        }
        Thread.ofVirtual().name("check-" + name).start(() -> {
            long started = System.nanoTime();
            ProbeResult result;
            try {
                result = schedule.probe().check(schedule.timeout());
            } catch (RuntimeException e) {
                result = ProbeResult.failing(e.toString());
            }
            long micros = (System.nanoTime() - started) / 1_000;
            ProbeResult answer = result;
            post(() -> checked(forWatch, answer, micros));
        });
    }

    private void checked(long forWatch, ProbeResult result, long micros) {
        if (forWatch != watch) {
            return; // a check of a watch that has ended
        }
        if (result.healthy()) {
            failuresInARow = 0;
            lastError = null;
            roundTripMicros = micros;
            if (state != ComponentState.RUNNING) {
                LOG.log(INFO, "{0}: {1} answers (round trip {2} ms)", name, address, String.format("%.1f", micros / 1000.0));
                reachableSinceMillis = System.currentTimeMillis();
            }
            transition(ComponentState.RUNNING);
        } else {
            failuresInARow++;
            lastError = result.detail();
            if (state == ComponentState.STARTING
                    || (state == ComponentState.RUNNING && failuresInARow >= schedule.failures())) {
                LOG.log(WARNING, "{0}: unreachable: {1}", name, result.detail());
                reachableSinceMillis = null;
                transition(ComponentState.UNREACHABLE);
            } else {
                publish();
            }
        }
        next = loop.schedule(() -> check(forWatch), schedule.interval().toMillis(), TimeUnit.MILLISECONDS);
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

    private void cancelNext() {
        if (next != null) {
            next.cancel(false);
            next = null;
        }
    }

    private void post(Runnable event) {
        try {
            loop.execute(event);
        } catch (RejectedExecutionException e) {
            // closed: the daemon is going away
        }
    }

    private CompletableFuture<Void> call(Runnable work) {
        try {
            return CompletableFuture.runAsync(work, loop);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException(name + " is closed"));
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        schedule.probe().close();
    }
}
