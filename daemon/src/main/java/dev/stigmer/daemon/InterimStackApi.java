package dev.stigmer.daemon;

import dev.stigmer.control.ControlResponse.ErrorKind;
import dev.stigmer.control.StackEvent;
import dev.stigmer.control.StackRequest;
import dev.stigmer.control.StatusReport;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.ComponentSnapshot;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * INTERIM: the smallest {@link StackApi} over what the daemon does today, so the dashboard and
 * `stigmer local events` can be built and tested end to end before the real implementation (the
 * stack API's owner's) lands. The lead replaces this class at merge; nothing else refers to it but
 * {@link DaemonMain}'s wiring.
 */
final class InterimStackApi implements StackApi {
    private final StackController stack;
    private final Supplier<StatusReport> status;
    private final StigmerHome home;

    InterimStackApi(StackController stack, Supplier<StatusReport> status, StigmerHome home) {
        this.stack = stack;
        this.status = status;
        this.home = home;
    }

    @Override
    public StatusReport status() {
        return status.get();
    }

    @Override
    public CompletableFuture<List<String>> start(StackRequest request, List<String> names) {
        if (request == null && !names.isEmpty()) {
            return refusals(stack.startMembers(names).thenApply(ignored -> List.<String>of()));
        }
        return refusals(stack.start(request, names));
    }

    @Override
    public CompletableFuture<Void> stop(List<String> names) {
        return refusals(stack.stop(names));
    }

    @Override
    public CompletableFuture<Void> restart(List<String> names) {
        List<String> targets = names.isEmpty() ? memberNames() : names;
        return refusals(stack.restart(targets));
    }

    @Override
    public Path log(String name) {
        if (name.equals("daemon") || memberNames().contains(name)) {
            return home.logFile(name);
        }
        throw new Refused(ErrorKind.BAD_REQUEST, "no component named '" + name + "'");
    }

    @Override
    public Subscription subscribe(Consumer<StackEvent> listener) {
        return stack.events.subscribe(listener);
    }

    @Override
    public List<Wiring> wiring() {
        return stack.wiring();
    }

    private List<String> memberNames() {
        return stack.snapshots().stream().map(ComponentSnapshot::name).toList();
    }

    /** The controller's refusals as the API's. */
    private static <T> CompletableFuture<T> refusals(CompletableFuture<T> future) {
        return future.handle((value, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(value);
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof StackController.Refused refused) {
                return CompletableFuture.<T>failedFuture(new Refused(
                        refused.conflict ? ErrorKind.CONFLICT : ErrorKind.BAD_REQUEST, refused.getMessage()));
            }
            return CompletableFuture.<T>failedFuture(cause);
        }).thenCompose(f -> f);
    }
}
