package dev.stigmer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** `stigmer temporal`: the Temporal CLI that `stigmer local` runs. */
@Command(name = "temporal", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The temporal CLI that `stigmer local` runs (instead of the embedded Temporal).",
        subcommands = {TemporalInstallCommand.class})
final class TemporalCommand implements Runnable {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
