package dev.stigmer.watch;

import dev.stigmer.logs.LogFile;
import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessSignals;
import dev.stigmer.process.SpawnedProcess;
import dev.stigmer.stack.WatchDefinition;
import dev.stigmer.supervision.WatchStatus;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * One service's watch: a burst of changes is one change ({@code debounce} of quiet), then the
 * rebuild (if any) runs like the service (its directory and environment, output in its log) and,
 * when it succeeds, the service is replaced. Never two rebuilds at once: a change during one
 * makes exactly one more when it ends, and only the last one's success replaces the service (an
 * older build is already stale). A failed rebuild leaves the running process alone and says so.
 * <p>
 * The debounce is a virtual thread that exists only while a burst is settling: nothing runs
 * between changes.
 */
public final class ServiceWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("stigmer.watch");

    /**
     * How the rebuild runs: the service's directory, environment (with marks) and log; and the
     * STIGMER_HOME, whose files are never a change.
     */
    public record RebuildContext(Path directory, Map<String, String> environment, Path log, Path home) {
    }

    private final String name;
    private final WatchDefinition definition;
    private final RebuildContext context;
    private final Runnable replace;
    private final Runnable failed;
    private final FileWatcher.Subscription subscription;

    // Guarded by this.
    private long quietAt; // when the current burst is over, if no further change comes
    private boolean settling; // a debounce thread is waiting for quietAt
    private boolean rebuilding;
    private boolean again; // a burst ended during the rebuild: one more, then replace
    private SpawnedProcess running;
    private boolean closed;
    private WatchStatus.Change lastChange;
    private int rebuilds;
    private WatchStatus.Rebuild lastRebuild;
    private String problem; // a failed rebuild; cleared by a successful one
    private String watchProblem; // the watch cut short (the inotify limit)

    /**
     * @param replace asks for the service to be replaced (called off the caller's threads; it
     *                must only post)
     * @param failed  says that a rebuild failed (the same)
     */
    public ServiceWatch(String name, WatchDefinition definition, RebuildContext context, FileWatcher watcher,
                        Runnable replace, Runnable failed) {
        this.name = name;
        this.failed = failed;
        this.definition = definition;
        this.context = context;
        this.replace = replace;
        this.subscription = watcher.subscribe(new WatchMatcher(definition, context.home()), this::changed, this::watchCutShort);
    }

    public WatchDefinition definition() {
        return definition;
    }

    public synchronized WatchStatus status() {
        return new WatchStatus(written(definition), lastChange, rebuilds, lastRebuild);
    }

    /** A problem for status to show as the service's last error (a failed rebuild, a watch cut short); null: none. */
    public synchronized String problem() {
        return problem != null ? problem : watchProblem;
    }

    private synchronized void watchCutShort(String line) {
        watchProblem = "watch: " + line;
    }

    private synchronized void changed(Path path) {
        if (closed) {
            return;
        }
        long now = System.currentTimeMillis();
        lastChange = new WatchStatus.Change(path.toString(), Instant.ofEpochMilli(now).toString());
        quietAt = now + definition.debounceMillis();
        if (!settling) {
            settling = true;
            Thread.ofVirtual().name("watch-" + name).start(this::settle);
        }
    }

    /** Waits until the burst has been quiet for the debounce, then acts once. */
    private void settle() {
        while (true) {
            long wait;
            synchronized (this) {
                wait = quietAt - System.currentTimeMillis();
                if (closed) {
                    settling = false;
                    return;
                }
                if (wait <= 0) {
                    settling = false;
                    break;
                }
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
        }
        burstEnded();
    }

    private void burstEnded() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (rebuilding) {
                again = true; // never a queue: any number of bursts during a rebuild make one more
                return;
            }
            if (definition.rebuild().isEmpty()) {
                LOG.log(INFO, "{0}: files changed ({1}): replacing it", name, lastChange.path());
            } else {
                rebuilding = true;
            }
        }
        if (definition.rebuild().isEmpty()) {
            replace.run();
        } else {
            Thread.ofVirtual().name("rebuild-" + name).start(this::rebuild);
        }
    }

    private void rebuild() {
        while (true) {
            long started = System.nanoTime();
            Integer exitCode = run();
            long millis = (System.nanoTime() - started) / 1_000_000;
            boolean replaceNow;
            String failure;
            synchronized (this) {
                rebuilds++;
                lastRebuild = new WatchStatus.Rebuild(exitCode, millis);
                running = null;
                if (closed) {
                    rebuilding = false;
                    return;
                }
                if (exitCode != null && exitCode == 0) {
                    problem = null;
                } else {
                    problem = "rebuild `" + String.join(" ", shown(definition.rebuild())) + "` failed ("
                            + (exitCode == null ? "it could not start" : "exit " + exitCode)
                            + "); the running process is kept; see `stigmer local logs " + name + "`";
                }
                if (again) {
                    again = false;
                    continue; // a change came during this one: its output may be stale
                }
                rebuilding = false;
                replaceNow = exitCode != null && exitCode == 0;
                failure = problem;
            }
            note((exitCode == null ? "rebuild could not start" : "rebuild exited " + exitCode) + " after " + millis + " ms"
                    + (replaceNow ? ": replacing " + name : exitCode != null && exitCode == 0 ? "" : "; " + name
                    + " keeps running as it was"));
            if (replaceNow) {
                LOG.log(INFO, "{0}: rebuilt in {1} ms: replacing it", name, millis);
                replace.run();
            } else if (failure != null) {
                LOG.log(WARNING, name + ": " + failure);
                failed.run();
            }
            return;
        }
    }

    /** Runs the rebuild once, in its own session; its exit code, or null when it could not start. */
    private Integer run() {
        note("files changed (" + lastChangePath() + "): rebuilding: " + String.join(" ", shown(definition.rebuild())));
        SpawnedProcess process;
        try {
            synchronized (this) {
                if (closed) {
                    return null;
                }
                process = SpawnedProcess.start(definition.rebuild(), context.environment(), context.log(),
                        context.directory(), true);
                running = process;
            }
        } catch (IOException e) {
            LOG.log(WARNING, name + ": the rebuild could not start", e);
            note("the rebuild could not start: " + e.getMessage());
            return null;
        }
        return process.onExit().join().code();
    }

    private synchronized String lastChangePath() {
        return lastChange == null ? "?" : lastChange.path();
    }

    /** Each path as watched: a glob's directory with the glob again. */
    private static List<String> written(WatchDefinition definition) {
        List<String> paths = new java.util.ArrayList<>();
        for (int i = 0; i < definition.paths().size(); i++) {
            String include = definition.include().get(i);
            paths.add(definition.paths().get(i) + (include.isEmpty() ? "" : "/" + include));
        }
        return paths;
    }

    /** /bin/sh -c LINE reads as LINE. */
    private static List<String> shown(List<String> argv) {
        return argv.size() == 3 && argv.get(0).equals("/bin/sh") && argv.get(1).equals("-c") ? List.of(argv.get(2)) : argv;
    }

    /** A line of ours in the service's log, beside the rebuild's own output. */
    private void note(String line) {
        try {
            LogFile.append(context.log(), "[stigmer] " + line + "\n");
        } catch (IOException e) {
            LOG.log(WARNING, name + ": cannot write to its log", e);
        }
    }

    @Override
    public void close() {
        SpawnedProcess process;
        synchronized (this) {
            closed = true;
            process = running;
        }
        subscription.close();
        if (process != null) {
            ProcessSignals.sendToGroup(process.identity(), Linux.SIGKILL);
        }
    }
}
