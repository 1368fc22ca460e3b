package dev.stigmer.probe;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ExitStatus;
import dev.stigmer.process.ProcessSignals;
import dev.stigmer.process.SpawnedProcess;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a command: healthy when it exits 0 within the timeout. It runs in the service's
 * directory with the service's environment (marks included, so a stop of the service stops a
 * probe in flight too), in a session of its own, started like every child of the daemon so its
 * exit status is the JDK's to collect; a probe that overruns is killed with its whole group.
 */
public final class ExecProbe implements HealthProbe {
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path directory;

    public ExecProbe(List<String> command, Map<String, String> environment, Path directory) {
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.directory = directory;
    }

    @Override
    public ProbeResult check(Duration timeout) {
        SpawnedProcess process;
        try {
            process = SpawnedProcess.start(command, environment, null, directory, true); // exactly the service's
        } catch (IOException e) {
            return ProbeResult.failing("cannot run " + String.join(" ", command) + ": " + e.getMessage());
        }
        try {
            ExitStatus status = process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return status.code() != null && status.code() == 0 ? ProbeResult.serving()
                    : ProbeResult.failing(String.join(" ", command) + " " + status.describe());
        } catch (TimeoutException e) {
            ProcessSignals.sendToGroup(process.identity(), Linux.SIGKILL);
            return ProbeResult.failing(String.join(" ", command) + " did not finish within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ProcessSignals.sendToGroup(process.identity(), Linux.SIGKILL);
            return ProbeResult.failing("interrupted");
        } catch (ExecutionException e) {
            return ProbeResult.failing(String.join(" ", command) + ": " + e.getCause());
        }
    }

    @Override
    public String toString() {
        return "exec " + String.join(" ", command);
    }
}
