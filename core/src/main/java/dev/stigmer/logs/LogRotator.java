package dev.stigmer.logs;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * Keeps a few logs in one directory within their {@link LogRotation} bound, driven by the
 * kernel (inotify, through WatchService): a write wakes it, so a fast writer overshoots the
 * bound only by what it writes while one copy-and-truncate runs, and an idle system costs nothing.
 * Its watcher thread and {@link #checkAll()} (the daemon's housekeeping) rotate one at a time:
 * two rotations of one log at once would shift each other's generations and copy a log just
 * truncated. A problem (a full disk) is logged once, and again only when it changes or ends.
 */
public final class LogRotator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("stigmer.logs");

    private final LogRotation rotation;
    private final Map<Path, Path> byName = new ConcurrentHashMap<>(); // file name (as inotify reports it) -> the log
    private final WatchService watcher;
    private final Map<Path, String> problems = new HashMap<>(); // guarded by this

    private LogRotator(LogRotation rotation, List<Path> logs, WatchService watcher) {
        this.rotation = rotation;
        logs.forEach(this::add);
        this.watcher = watcher;
    }

    /** Starts watching {@code logs} (all in one directory). */
    public static LogRotator start(LogRotation rotation, List<Path> logs) throws IOException {
        Path dir = logs.getFirst().toAbsolutePath().getParent();
        WatchService watcher = FileSystems.getDefault().newWatchService();
        dir.register(watcher, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
        LogRotator rotator = new LogRotator(rotation, logs, watcher);
        Thread.ofPlatform().daemon().name("log-rotator").start(rotator::watch);
        return rotator;
    }

    /** Keeps {@code log} (in the same directory) within the bound too: a component added later. */
    public void add(Path log) {
        byName.put(log.getFileName(), log);
    }

    /** Checks every log now; also a fallback should an event be lost (inotify queue overflow). */
    public void checkAll() {
        byName.values().forEach(this::check);
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                boolean overflow = false;
                for (var event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        overflow = true;
                    } else if (event.context() instanceof Path name && byName.containsKey(name)) {
                        check(byName.get(name));
                    }
                }
                if (overflow) {
                    checkAll();
                }
                key.reset();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private synchronized void check(Path log) {
        String problem;
        try {
            LogRotation.Result result = rotation.rotateIfNeeded(log);
            if (result.outcome() == LogRotation.Outcome.LEFT_ALONE) {
                return; // says nothing about whether the last problem is over
            }
            problem = result.why();
        } catch (IOException e) {
            problem = "cannot rotate " + log + ": " + e.getMessage();
        }
        String previous = problem == null ? problems.remove(log) : problems.put(log, problem);
        if (problem != null && !problem.equals(previous)) {
            LOG.log(WARNING, problem + (problem.startsWith("cannot copy") ? "; truncated it in place to keep the bound" : ""));
        } else if (problem == null && previous != null) {
            LOG.log(INFO, log.getFileName() + " rotates normally again");
        }
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }
}
