package dev.stigmer.cli;

import picocli.CommandLine.Option;

/** --foreground, on `local start` and on bare `local` (which is `local start`). */
final class ForegroundOption {
    @Option(names = "--foreground",
            description = "Run the supervisor in this terminal instead of as a daemon (for containers and "
                    + "debugging); Ctrl-C stops everything.")
    boolean foreground;

    int start(StartOptions options) {
        return start(options, java.util.List.of());
    }

    int start(StartOptions options, java.util.List<String> names) {
        StartFlow flow = new StartFlow(options, Output.system(), names);
        return foreground ? flow.foreground() : flow.start();
    }
}
