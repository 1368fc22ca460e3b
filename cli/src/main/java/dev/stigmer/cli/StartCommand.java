package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = {
                "Start Temporal under the stigmer daemon, or re-use the one already running, and apply the stack "
                        + "file (stigmer.yaml) if there is one: unchanged services are left alone, changed ones "
                        + "replaced, removed ones stopped, new ones started, each once its dependencies allow.",
                "Returns once Temporal answers its gRPC health check and every service asked for is running "
                        + "(or completed); exit 1 naming what failed, the rest left running.",
                "Running it again, or several at once, is harmless: one daemon, one Temporal."})
final class StartCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Mixin
    ForegroundOption foreground;

    @Parameters(arity = "0..*", paramLabel = "NAME",
            description = "Services of the stack file to start, with what they depend on (default: all).")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        return foreground.start(options, names);
    }
}
