package dev.stigmer.daemon;

import dev.stigmer.control.ControlResponse.ErrorKind;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StackEvent;
import dev.stigmer.control.StackRequest;
import dev.stigmer.control.StatusReport;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The stack as every front end sees it: the control socket (the CLI), the dashboard's HTTP API and
 * the event stream all call this, and nothing else, so there is one place that decides and one
 * place that makes the status users see. Names are stack members ({@code temporal} or a service);
 * dependency rules (closure on start, dependents first on stop, {@code restart: true} followers on
 * restart) are applied behind it, the same for every caller.
 * <p>
 * Failures a user caused (an unknown name, another project's stack, a daemon on its way out) fail
 * the returned future with {@link Refused}: its message is the one line to show.
 */
public interface StackApi {

    /** What {@code stigmer local status --json} prints: the daemon and every member, Temporal first. */
    StatusReport status();

    /**
     * Applies {@code stack} when it is not null (keep, add, replace, remove) and wants {@code names}
     * with what they depend on (empty: every member). Completes once the starts asked for are taken,
     * not when they are ready, with the changes the plan made, one line each ("api: changed, replaced").
     */
    CompletableFuture<List<String>> start(StackRequest stack, List<String> names);

    /**
     * Stops {@code names} with their dependents first, each with its own stop signal and grace
     * (empty: every member; the daemon itself keeps running). Completes when their trees are gone.
     */
    CompletableFuture<Void> stop(List<String> names);

    /**
     * Stops {@code names} and the members that follow them ({@code restart: true}), then starts
     * them as their dependencies allow (empty: every member). Completes once that is under way.
     */
    CompletableFuture<Void> restart(List<String> names);

    /**
     * What `stigmer local` asks for: Temporal's definition {@code temporal} (null: Temporal as it
     * is) and {@code stack} applied as one plan (keep, add, replace, remove; Temporal like any
     * member), then {@code names} wanted with what they depend on. Completes once the starts are
     * taken, with the plan's changes and the members the caller should wait for.
     */
    CompletableFuture<Applied> apply(LocalSettings temporal, StackRequest stack, List<String> names);

    /**
     * {@link #restart(List)} after applying {@code temporal} and {@code stack} when given (a restart
     * without names re-reads the file and the settings). Completes once the stops are done and the
     * starts taken; a stop asked for meanwhile wins.
     */
    CompletableFuture<Applied> restart(LocalSettings temporal, StackRequest stack, List<String> names);

    /** The stack's request count and, per member, the number of the last stop that stopped it. */
    Requests requests();

    /** What a START or RESTART did: its changes, the members it wants (with their dependencies), its number. */
    record Applied(List<String> changes, List<String> targets, long sequence) {
    }

    /** See {@link #requests()}: a wait that began at {@code sequence} N ends when a member it waits for has a stop above N. */
    record Requests(long sequence, Map<String, Long> stops) {
    }

    /** The log file of {@code name}: a member, or {@code daemon}. Throws {@link Refused} for an unknown name. */
    Path log(String name);

    /**
     * Calls {@code listener} with every event from now on, in order, on one thread per subscriber,
     * until the subscription is closed. The listener must not block for long: a subscriber that
     * falls far behind is dropped (closed) rather than slowing the stack.
     */
    Subscription subscribe(Consumer<StackEvent> listener);

    /** Ends a {@link #subscribe} registration; closing twice is harmless. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }

    /** A request the stack turns down; the message is the user's one line, {@code kind} what to do about it. */
    final class Refused extends RuntimeException {
        private final ErrorKind kind;

        public Refused(ErrorKind kind, String message) {
            super(message, null, false, false);
            this.kind = kind;
        }

        public ErrorKind kind() {
            return kind;
        }
    }
}
