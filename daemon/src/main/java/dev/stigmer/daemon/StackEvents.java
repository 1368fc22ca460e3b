package dev.stigmer.daemon;

import dev.stigmer.control.StackEvent;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Hands every stack event to every subscriber: the control socket's {@code EVENTS} streams and the
 * dashboard's. Publishing never blocks the stack: each subscriber has a bounded queue and a virtual
 * thread of its own; one that falls {@value #BACKLOG} events behind (a client that stopped reading)
 * is dropped, and its stream ends, rather than holding the stack's thread or the daemon's memory.
 */
final class StackEvents {
    static final int BACKLOG = 4096;
    private static final System.Logger LOG = System.getLogger("stigmer.events");

    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

    /** Queues {@code event} for every subscriber; never blocks. */
    void publish(StackEvent event) {
        for (Subscriber subscriber : subscribers) {
            subscriber.offer(event);
        }
    }

    StackApi.Subscription subscribe(Consumer<StackEvent> listener) {
        Subscriber subscriber = new Subscriber(listener);
        subscribers.add(subscriber);
        subscriber.thread = Thread.ofVirtual().name("events").start(subscriber::deliver);
        return subscriber;
    }

    int subscriberCount() {
        return subscribers.size();
    }

    private final class Subscriber implements StackApi.Subscription {
        private final Consumer<StackEvent> listener;
        private final BlockingQueue<StackEvent> queue = new ArrayBlockingQueue<>(BACKLOG);
        private volatile boolean closed;
        private volatile Thread thread;

        Subscriber(Consumer<StackEvent> listener) {
            this.listener = listener;
        }

        void offer(StackEvent event) {
            if (!closed && !queue.offer(event)) {
                LOG.log(System.Logger.Level.WARNING, "an event subscriber fell " + BACKLOG + " events behind: dropped");
                close();
            }
        }

        void deliver() {
            try {
                while (!closed) {
                    listener.accept(queue.take());
                }
            } catch (InterruptedException e) {
                // closed
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "an event subscriber failed; dropped", e);
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            closed = true;
            subscribers.remove(this);
            Thread current = thread;
            if (current != null && current != Thread.currentThread()) {
                current.interrupt();
            }
        }
    }
}
