package dev.stigmer.watch;

import dev.stigmer.stack.WatchDefinition;
import dev.stigmer.supervision.ComponentSnapshot;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The stack's watches, by service name, over one {@link FileWatcher}. Confined to the stack
 * controller's thread; a watch asks for its service's replacement through {@code replace},
 * which must only post to that thread.
 */
public final class Watches implements AutoCloseable {
    private final FileWatcher watcher = new FileWatcher();
    private final Consumer<String> replace;
    private final Map<String, ServiceWatch> watches = new HashMap<>();

    public Watches(Consumer<String> replace) {
        this.replace = replace;
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
            watches.put(name, new ServiceWatch(name, definition, context, watcher, () -> replace.accept(name)));
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

    @Override
    public void close() {
        watches.values().forEach(ServiceWatch::close);
        watches.clear();
        watcher.close();
    }
}
