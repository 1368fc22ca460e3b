package dev.stigmer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * `stigmer temporal install [--version V] [--force]`. Its fields are plain strings and booleans:
 * picocli reflects over every command class whenever it builds its model (any `stigmer local ...`
 * with options), and the installer's HTTP client and archive reader must load only here.
 */
@Command(name = "install",
        description = {"Download the temporal CLI release for this machine, verify it (sha256 from the release's "
                + "checksums.txt, and stigmer's own pin for the default version) and install it as "
                + "$STIGMER_HOME/bin/temporal, which `stigmer local` then runs.",
                "Settings: STIGMER_TEMPORAL_DOWNLOAD_URL (a mirror laid out as the release downloads: "
                        + "BASE/v<V>/<archive> and BASE/v<V>/checksums.txt), STIGMER_DOWNLOAD_CONNECT_TIMEOUT (default 10s), "
                        + "STIGMER_DOWNLOAD_STALL_TIMEOUT (default 30s: nothing received for that long ends the download)."})
final class TemporalInstallCommand implements Callable<Integer> {
    @Option(names = "--version", paramLabel = "V",
            description = "The release to install, e.g. 1.9.1 (default: the version this stigmer pins).")
    String version;

    @Option(names = "--force", description = "Download and install even when that version is installed already.")
    boolean force;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        return new TemporalInstallFlow(Output.system()).install(version, force);
    }
}
