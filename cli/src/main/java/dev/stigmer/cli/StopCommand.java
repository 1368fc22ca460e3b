package dev.stigmer.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {
                "Stop Temporal and the daemon: SIGTERM to each whole process tree, SIGKILL after the grace "
                        + "period (the daemon's STIGMER_STOP_GRACE, default 10s); returns when nothing is left.",
                "With nothing running it does nothing and exits 0."})
final class StopCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return new StopFlow(new Daemon(Homes.ready()), Output.system()).stop();
    }
}
