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
        return start(options, names, java.util.Set.of());
    }

    /** @param commands what a name could have meant instead (see {@link StartFlow}) */
    int start(StartOptions options, java.util.List<String> names, java.util.Set<String> commands) {
        StartFlow flow = new StartFlow(options, Output.system(), names, commands);
        return foreground ? flow.foreground() : flow.start();
    }
}
