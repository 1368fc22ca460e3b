package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * `stigmer local [NAME...]`: without a subcommand, the same as `stigmer local start`. A service
 * named like a subcommand (say `logs`) is started with `stigmer local start logs`.
 */
@Command(name = "local", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
                "Run a local Temporal dev server under a supervising daemon.",
                "Without a subcommand: start (or re-use) it, apply the stack file (stigmer.yaml) if there is one, "
                        + "and wait until everything asked for serves; the same as `stigmer local start`."},
        subcommands = {StartCommand.class, StopCommand.class, RestartCommand.class, StatusCommand.class,
                LogsCommand.class, ConfigCommand.class, EnvCommand.class, UiCommand.class,
                EventsCommand.class})
final class LocalCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Mixin
    ForegroundOption foreground;

    @Parameters(arity = "0..*", paramLabel = "NAME",
            description = "Services of the stack file to start, with what they depend on (default: all).")
    List<String> names = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        // A name that is no service may be a mistyped subcommand: those are suggested.
        return foreground.start(options, names, spec.subcommands().keySet());
    }
}
