package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = {
                "Start Temporal under the stigmer daemon, or re-use the one already running; "
                        + "returns once Temporal answers its gRPC health check.",
                "Running it again, or several at once, is harmless: one daemon, one Temporal."})
final class StartCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Option(names = "--foreground",
            description = "Run the supervisor in this terminal instead of as a daemon (for containers and "
                    + "debugging); Ctrl-C stops everything.")
    boolean foreground;

    @Override
    public Integer call() {
        StartFlow flow = new StartFlow(options, Output.system());
        return foreground ? flow.foreground() : flow.start();
    }
}
