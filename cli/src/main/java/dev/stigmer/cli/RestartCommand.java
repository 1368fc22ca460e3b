package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "restart", mixinStandardHelpOptions = true,
        description = {"Without names: apply the stack file and settings as a start does, then restart every "
                + "component, dependents stopped first (the daemon stays, unless it runs another build).",
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
        return flow.restartAll();
    }
}
