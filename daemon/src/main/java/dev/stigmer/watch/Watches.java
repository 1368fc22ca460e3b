package dev.stigmer.watch;

import dev.stigmer.stack.WatchDefinition;
import dev.stigmer.supervision.ComponentSnapshot;

import java.util.HashMap;
import java.util.Map;

/**
 * The stack's watches, by service name, over one {@link FileWatcher}. Confined to the stack
 * controller's thread; a watch tells it what happened through a {@link Listener}.
 */
public final class Watches implements AutoCloseable {
    /** Called on a watch's threads: each must only post to the controller's. */
    public interface Listener {
        /** Replace {@code name}: its files changed (and its rebuild, if any, succeeded). */
        void filesChanged(String name);

        /** {@code name}'s rebuild failed; it keeps running as it was. */
        void rebuildFailed(String name);
    }

    private final FileWatcher watcher = new FileWatcher();
    private final Listener listener;
    private final Map<String, ServiceWatch> watches = new HashMap<>();

    public Watches(Listener listener) {
        this.listener = listener;
    }

    /**
     * Watches {@code name} as {@code definition} says (null: not at all). The same definition
     * keeps the watch and what it counted; another one replaces it.
     */
    public void define(String name, WatchDefinition definition, ServiceWatch.RebuildContext context) {
        ServiceWatch current = watches.get(name);
        if (current != null && current.definition().equals(definition)) {
            return;
        }
        remove(name);
        if (definition != null) {
            watches.put(name, new ServiceWatch(name, definition, context, watcher, () -> listener.filesChanged(name),
                    () -> listener.rebuildFailed(name)));
        }
    }

    public void remove(String name) {
        ServiceWatch watch = watches.remove(name);
        if (watch != null) {
            watch.close();
        }
    }

    /** {@code snapshot} with its watch shown, when it has one. */
    public ComponentSnapshot shown(String name, ComponentSnapshot snapshot) {
        ServiceWatch watch = watches.get(name);
        return watch == null ? snapshot : snapshot.watched(watch.status(), watch.problem());
    }

    /** The last change that counted for {@code name}'s watch; null: none, or not watched. */
    public dev.stigmer.supervision.WatchStatus.Change lastChange(String name) {
        ServiceWatch watch = watches.get(name);
        return watch == null ? null : watch.status().lastChange();
    }

    @Override
    public void close() {
        watches.values().forEach(ServiceWatch::close);
        watches.clear();
        watcher.close();
    }
}
