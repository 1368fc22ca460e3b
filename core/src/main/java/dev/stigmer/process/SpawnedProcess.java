package dev.stigmer.process;

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
        this.exit = process.onExit().thenApply(p -> {
            ChildReaper.jdkChildReaped(p.pid());
            return new ExitStatus(p.exitValue());
        });
    }

    /**
     * Starts {@code command} with {@code environment} added to ours, output appended to
     * {@code log}, stdin from /dev/null.
     */
    public static SpawnedProcess start(List<String> command, Map<String, String> environment, Path log)
            throws IOException {
        List<String> argv = new ArrayList<>(command.size() + 1);
        argv.add("setsid");
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process;
        synchronized (ChildReaper.class) {
            process = builder.start();
            ChildReaper.jdkChildStarted(process.pid());
        }
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
