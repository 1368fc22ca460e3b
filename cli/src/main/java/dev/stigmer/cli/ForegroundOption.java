package dev.stigmer.cli;

import picocli.CommandLine.Option;

/** --foreground, on `local start` and on bare `local` (which is `local start`). */
final class ForegroundOption {
    @Option(names = "--foreground",
            description = "Run the supervisor in this terminal instead of as a daemon (for containers and "
                    + "debugging); Ctrl-C stops everything.")
    boolean foreground;

    int start(StartOptions options) {
        StartFlow flow = new StartFlow(options, Output.system());
        return foreground ? flow.foreground() : flow.start();
    }
}
