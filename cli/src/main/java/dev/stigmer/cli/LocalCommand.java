package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** `stigmer local`: without a subcommand, the same as `stigmer local start`. */
@Command(name = "local", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
                "Run a local Temporal dev server under a supervising daemon.",
                "Without a subcommand: start (or re-use) it and wait until it serves."},
        subcommands = {StartCommand.class, StopCommand.class, RestartCommand.class, StatusCommand.class,
                LogsCommand.class, ConfigCommand.class, EnvCommand.class})
final class LocalCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Mixin
    ForegroundOption foreground;

    @Override
    public Integer call() {
        return foreground.start(options);
    }
}
