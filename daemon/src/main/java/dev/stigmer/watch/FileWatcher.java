package dev.stigmer.watch;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Kernel notifications (inotify, through the JDK's WatchService) for every watched tree of the
 * daemon: one WatchService and one virtual thread that waits on it, made at the first
 * subscription and closed with the last, so an unwatched stack costs nothing. inotify is one
 * watch per directory: trees are registered directory by directory, directories created later as
 * they appear (their files so far count as changes: they may have been written before the
 * registration), and each root's parent is watched too, so a root deleted and made again
 * ({@code git checkout}, {@code git stash}) is found again. Ignored directories are never
 * registered. Nothing polls: the thread sleeps in {@code take()} until the kernel has an event.
 */
public final class FileWatcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("stigmer.watch");
    /** What the kernel says (ENOSPC from inotify_add_watch, EMFILE from inotify_init) when a user limit is reached. */
    static final String LIMIT_PROBLEM = "the system's inotify limit is reached (fs.inotify.max_user_watches): "
            + "changes in part of the tree go unnoticed; raise it (sysctl fs.inotify.max_user_watches=524288) "
            + "or watch fewer paths";

    // Guarded by this.
    private WatchService service;
    private final Map<WatchKey, Path> directories = new HashMap<>();
    private final Map<Path, WatchKey> keys = new HashMap<>();
    private final List<Subscription> subscriptions = new ArrayList<>();

    /** One tree's interest: its matcher and whom to tell. */
    public final class Subscription implements AutoCloseable {
        private final WatchMatcher matcher;
        private final Consumer<Path> onChange;
        private final Consumer<String> onProblem;
        private boolean limitReported;

        private Subscription(WatchMatcher matcher, Consumer<Path> onChange, Consumer<String> onProblem) {
            this.matcher = matcher;
            this.onChange = onChange;
            this.onProblem = onProblem;
        }

        @Override
        public void close() {
            unsubscribe(this);
        }
    }

    /**
     * Watches what {@code matcher} covers; {@code onChange} gets each changed path it accepts (on
     * the watcher's thread: keep it short), {@code onProblem} one line when the watch is cut short.
     * Registers the existing tree before it returns: a change right after is seen.
     */
    public synchronized Subscription subscribe(WatchMatcher matcher, Consumer<Path> onChange, Consumer<String> onProblem) {
        Subscription subscription = new Subscription(matcher, onChange, onProblem);
        subscriptions.add(subscription);
        try {
            if (service == null) {
                service = FileSystems.getDefault().newWatchService();
                WatchService current = service;
                Thread.ofVirtual().name("file-watcher").start(() -> run(current));
            }
            for (Path root : matcher.roots()) {
                registerParent(root);
                if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
                    registerTree(root, null);
                }
            }
        } catch (IOException e) {
            problem(subscription, e);
        }
        return subscription;
    }

    private synchronized void unsubscribe(Subscription subscription) {
        if (!subscriptions.remove(subscription)) {
            return;
        }
        if (subscriptions.isEmpty()) {
            closeService();
            return;
        }
        for (var entry : List.copyOf(keys.entrySet())) {
            if (!wanted(entry.getKey())) {
                entry.getValue().cancel();
                keys.remove(entry.getKey());
                directories.remove(entry.getValue());
            }
        }
    }

    /** How many directories the kernel watches for us now. */
    public synchronized int watchedDirectories() {
        return keys.size();
    }

    private void run(WatchService watching) {
        while (true) {
            WatchKey key;
            try {
                key = watching.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            List<Runnable> calls = new ArrayList<>();
            synchronized (this) {
                if (watching != service) {
                    return;
                }
                handle(key, calls);
            }
            // Outside the lock: a listener may call back (a replacement re-subscribes).
            for (Runnable call : calls) {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    LOG.log(WARNING, "a watch listener failed", e);
                }
            }
        }
    }

    private void handle(WatchKey key, List<Runnable> calls) {
        Path directory = directories.get(key);
        if (directory == null) {
            key.reset();
            return;
        }
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                // Events were lost: count it as a change of everything watched here.
                for (Subscription subscription : subscriptions) {
                    if (subscription.matcher.covers(directory)) {
                        calls.add(() -> subscription.onChange.accept(directory));
                    }
                }
                continue;
            }
            Path child = directory.resolve((Path) event.context());
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                // A new directory is no change by itself (mkdir -p before a write); the files in it are.
                if (wanted(child)) {
                    registerTree(child, calls);
                }
                continue;
            }
            for (Subscription subscription : subscriptions) {
                if (subscription.matcher.accepts(child)) {
                    calls.add(() -> subscription.onChange.accept(child));
                }
            }
        }
        if (!key.reset()) { // the directory is gone; a parent's CREATE registers it again
            directories.remove(key);
            keys.remove(directory, key);
        }
    }

    /** True when some subscription watches inside {@code directory}, or waits for a root to appear in it. */
    private boolean wanted(Path directory) {
        for (Subscription subscription : subscriptions) {
            if (subscription.matcher.covers(directory) || subscription.matcher.isParentOfRoot(directory)) {
                return true;
            }
        }
        return false;
    }

    private void registerParent(Path root) throws IOException {
        Path parent = root.getParent();
        if (parent != null && Files.isDirectory(parent)) {
            register(parent);
        }
    }

    /**
     * Registers {@code top} and every wanted directory below it. With {@code calls} (a directory
     * that appeared while watching), the files already in it count as changes.
     */
    private void registerTree(Path top, List<Runnable> calls) {
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                    if (!dir.equals(top) && !wanted(dir)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    register(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                    if (calls != null) {
                        for (Subscription subscription : subscriptions) {
                            if (subscription.matcher.accepts(file)) {
                                calls.add(() -> subscription.onChange.accept(file));
                            }
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // gone meanwhile, or unreadable: nothing to watch there
                }
            });
        } catch (IOException e) {
            for (Subscription subscription : subscriptions) {
                if (subscription.matcher.covers(top)) {
                    problem(subscription, e);
                }
            }
        }
    }

    private void register(Path directory) throws IOException {
        WatchKey existing = keys.get(directory);
        if (existing != null && existing.isValid()) {
            return;
        }
        WatchKey key = directory.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
        keys.put(directory, key);
        directories.put(key, directory);
    }

    private void problem(Subscription subscription, IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("inotify") || message.contains("limit")) {
            if (!subscription.limitReported) {
                subscription.limitReported = true;
                LOG.log(WARNING, "watch: " + LIMIT_PROBLEM + " (" + message + ")");
                subscription.onProblem.accept(LIMIT_PROBLEM);
            }
            return;
        }
        LOG.log(WARNING, "watch: cannot watch " + e.getMessage(), e);
    }

    private void closeService() {
        try {
            if (service != null) {
                service.close();
            }
        } catch (IOException e) {
            LOG.log(WARNING, "cannot close the watch service", e);
        }
        service = null;
        keys.clear();
        directories.clear();
    }

    @Override
    public synchronized void close() {
        subscriptions.clear();
        closeService();
    }
}
