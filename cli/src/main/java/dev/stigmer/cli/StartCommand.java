package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "start", mixinStandardHelpOptions = true,
        description = {
                "Start Temporal under the stigmer daemon, or re-use the one already running; "
                        + "returns once Temporal answers its gRPC health check.",
                "Running it again, or several at once, is harmless: one daemon, one Temporal."})
final class StartCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Mixin
    ForegroundOption foreground;

    @Override
    public Integer call() {
        return foreground.start(options);
    }
}
