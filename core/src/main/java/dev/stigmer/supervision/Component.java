package dev.stigmer.supervision;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A member of a stack as its controller sees it: a process we run ({@link Supervisor}), or one
 * that runs elsewhere and is only watched (an external Temporal). Same shape for both: a
 * snapshot, its changes, and start/stop as wants.
 */
public interface Component extends AutoCloseable {

    ComponentSnapshot snapshot();

    /** Called with every new snapshot; must not block. Set before starting. */
    void onChange(Consumer<ComponentSnapshot> listener);

    /** At daemon start: deal with what an earlier daemon left. Completes when done. */
    CompletableFuture<Void> recover();

    /** Wanted from now on. */
    CompletableFuture<Void> start();

    /** Not wanted from now on; completes when it is stopped (for a watched one: no longer watched). */
    CompletableFuture<Void> stop();

    /** Like {@link #stop()}, and later starts are refused: the daemon is exiting. */
    CompletableFuture<Void> retire();

    /** How long a stop may take at most (grace and kill wait); zero when there is nothing to stop. */
    Duration stopBound();

    @Override
    void close();
}
