package dev.stigmer.process;

import dev.stigmer.logs.LogFile;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A child started in a session of its own. util-linux {@code setsid} (without --fork) execs the
 * target in place, so the pid we hold is the target's, it leads its own process group and
 * session, and the JDK still tells us within milliseconds when it exits.
 */
public final class SpawnedProcess implements SupervisedProcess {
    private final Process process;
    private final ProcessIdentity identity;
    private final CompletableFuture<ExitStatus> exit;

    private SpawnedProcess(Process process, ProcessIdentity identity) {
        this.process = process;
        this.identity = identity;
        this.exit = new CompletableFuture<>();
        // A waiter of our own rather than Process.onExit(), which first hops through the common
        // pool (handleAsync): a thread to wake, or to create after a long idle, on the path from
        // a crash to its replacement. waitFor() returns as soon as the JDK's reaper has the status.
        // Virtual: waitFor() parks it (no carrier held), and a daemon with fifty services keeps fifty
        // of these waiting; a platform thread each cost ~0.2 MB of resident memory.
        Thread.ofVirtual().name("exit-" + process.pid()).start(() -> {
            int code = awaitExit(process);
            ChildReaper.jdkChildReaped(process.pid());
            exit.complete(new ExitStatus(code));
        });
    }

    private static int awaitExit(Process process) {
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // nobody interrupts this thread; keep waiting for the exit itself
            }
        }
    }

    /**
     * Starts {@code command} with {@code environment} added to ours, output appended to
     * {@code log}, stdin from /dev/null.
     */
    public static SpawnedProcess start(List<String> command, Map<String, String> environment, Path log)
            throws IOException {
        return start(command, environment, log, null);
    }

    /** Like {@link #start(List, Map, Path)}, in {@code directory} (null: ours); a null {@code log} discards the output. */
    public static SpawnedProcess start(List<String> command, Map<String, String> environment, Path log, Path directory)
            throws IOException {
        return start(command, environment, log, directory, false);
    }

    /**
     * Like {@link #start(List, Map, Path, Path)}; with {@code exactEnvironment} the child gets
     * {@code environment} alone, nothing of ours (setsid is still found on our PATH: the JDK
     * searches the parent's).
     */
    public static SpawnedProcess start(List<String> command, Map<String, String> environment, Path log, Path directory,
                                       boolean exactEnvironment) throws IOException {
        List<String> argv = new ArrayList<>(command.size() + 1);
        argv.add("setsid");
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD
                        : ProcessBuilder.Redirect.appendTo(LogFile.prepare(log).toFile()))
                .redirectErrorStream(true);
        if (exactEnvironment) {
            builder.environment().clear();
        }
        builder.environment().putAll(environment);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        Process process = ChildReaper.start(builder);
        ProcessIdentity identity = ProcessIdentity.of(process.pid()).orElseGet(() ->
                new ProcessIdentity(process.pid(), -1, ProcFs.bootId(), String.join(" ", command)));
        return new SpawnedProcess(process, identity);
    }

    @Override
    public ProcessIdentity identity() {
        return identity;
    }

    @Override
    public CompletableFuture<ExitStatus> onExit() {
        return exit;
    }

    @Override
    public boolean adopted() {
        return false;
    }
}
