package dev.stigmer.supervision;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.lang.System.Logger.Level.WARNING;

/**
 * One thread that owns a component's state (an actor): events are posted to it and run one at a
 * time, timers fire on it, blocking work runs on virtual threads and comes back to it as an
 * event. Whatever is confined to the loop needs no lock.
 * <p>
 * Callers hear of every outcome: a {@link #call} is answered with its result, with what its event
 * threw (a {@link Refused}, say), or, once the loop is closed, with the refusal the owner chose
 * for that: nothing waits forever on a closed loop.
 */
public final class EventLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("stigmer.loop");

    private final String name;
    private final ScheduledExecutorService loop;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final Set<CompletableFuture<?>> unanswered = ConcurrentHashMap.newKeySet();
    private final Supplier<? extends RuntimeException> closed;

    /** @param name what it runs, for its thread and for messages ("supervisor-api") */
    public EventLoop(String name) {
        this(name, () -> new Refused(name + " is closed"));
    }

    /** @param closed what a call is answered with once the loop is closed: the owner's refusal, in its words */
    public EventLoop(String name, Supplier<? extends RuntimeException> closed) {
        this.name = name;
        this.closed = closed;
        // A virtual thread: a stack of fifty services is fifty loops that mostly wait.
        this.loop = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name(name).factory());
    }

    /** Turned down as a matter of course (a start once stopping for good, any call once closed); its message is the line to show. */
    public static class Refused extends IllegalStateException {
        public Refused(String message) {
            super(message);
        }
    }

    /** Queues an event; false when the loop is closed (the event will never run). */
    public boolean post(Runnable event) {
        try {
            loop.execute(logged(event));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Queues an event that answers {@code answer} itself; when the loop is closed, {@code answer} fails at once. */
    public void post(Runnable event, CompletableFuture<?> answer) {
        if (!post(event)) {
            answer.completeExceptionally(closed());
        }
    }

    /** Runs {@code event} on the loop; the future carries its outcome. */
    public CompletableFuture<Void> call(Runnable event) {
        return call(() -> {
            event.run();
            return null;
        });
    }

    /** Computes {@code value} on the loop; the future carries it, or what it threw (its caller's to report). */
    public <T> CompletableFuture<T> call(Supplier<T> value) {
        CompletableFuture<T> answer = answerLater();
        post(() -> {
            try {
                answer.complete(value.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        }, answer);
        return answer;
    }

    /** A future for a caller that the loop answers later; if the loop closes first, it fails with the closed refusal. */
    public <T> CompletableFuture<T> answerLater() {
        CompletableFuture<T> answer = new CompletableFuture<>();
        unanswered.add(answer);
        answer.whenComplete((ignored, failure) -> unanswered.remove(answer));
        return answer;
    }

    /** Runs {@code event} on the loop after {@code delay}; null when the loop is closed. */
    public ScheduledFuture<?> schedule(Runnable event, Duration delay) {
        try {
            return loop.schedule(logged(event), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Blocking work for a virtual thread; its result, or its failure, comes back as an event on the loop. */
    public <T> void offLoop(Callable<T> work, Consumer<T> onResult, Consumer<Exception> onFailure) {
        offLoop(() -> {
            T result;
            try {
                result = work.call();
            } catch (Exception e) {
                LOG.log(WARNING, name + ": work off the loop failed", e);
                post(() -> onFailure.accept(e));
                return;
            }
            post(() -> onResult.accept(result));
        });
    }

    /** Blocking work whose outcome the loop learns otherwise (an exit event, say), or never needs. */
    public void offLoop(Runnable work) {
        try {
            workers.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.log(WARNING, name + ": work off the loop failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: the daemon is going away
        }
    }

    /** Stops the loop and its workers; every call not yet answered fails with the closed refusal. */
    @Override
    public void close() {
        loop.shutdownNow();
        workers.shutdownNow();
        unanswered.forEach(answer -> answer.completeExceptionally(closed()));
    }

    private RuntimeException closed() {
        return closed.get();
    }

    private Runnable logged(Runnable event) {
        return () -> {
            try {
                event.run();
            } catch (RuntimeException e) {
                LOG.log(WARNING, name + ": event failed", e);
            }
        };
    }
}
