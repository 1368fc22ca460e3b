package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Without names: stop everything, then start again (with new settings, if given).",
                "With names: restart those components (and services with `restart: true` on them), "
                        + "the rest untouched; returns once they run again."})
final class RestartCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Components to restart (default: everything).")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        Output output = Output.system();
        StartFlow flow = new StartFlow(options, output);
        if (!names.isEmpty()) {
            return flow.restart(names);
        }
        flow.settings(); // bad input fails before anything is stopped
        new StopFlow(flow.daemon(), output).stop();
        return flow.start();
    }
}
