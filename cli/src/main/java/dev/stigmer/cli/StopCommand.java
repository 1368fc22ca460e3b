package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "stop", mixinStandardHelpOptions = true,
        description = {
                "Without names: stop every component and the daemon: the stop signal (SIGTERM) to each whole "
                        + "process tree, SIGKILL after its grace period; dependents before what they depend on, "
                        + "independent ones in parallel; returns when nothing is left.",
                "With names: stop only those (they stay stopped until started again).",
                "With nothing running it does nothing and exits 0."})
final class StopCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Components to stop (default: everything).")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        StopFlow flow = new StopFlow(new Daemon(Homes.ready()), Output.system());
        return names.isEmpty() ? flow.stop() : flow.stop(names);
    }
}
