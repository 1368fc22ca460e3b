package dev.stigmer.cli.install;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * One release archive of the temporal CLI for this machine, named as upstream's release tooling
 * (goreleaser) names it: {@code BASE/v<V>/temporal_cli_<V>_linux_<arch>.tar.gz}, beside
 * {@code BASE/v<V>/checksums.txt}.
 */
public record TemporalRelease(String version, String arch) {
    /** The version `stigmer temporal install` installs without --version; its digests are pinned. */
    public static final String DEFAULT_VERSION = "1.9.1";
    /** Where upstream publishes its releases; STIGMER_TEMPORAL_DOWNLOAD_URL names a mirror of the same layout. */
    public static final String OFFICIAL_BASE = "https://github.com/temporalio/cli/releases/download";
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?");

    /**
     * The release of {@code version} (default when null; a leading "v" is allowed) for this
     * machine's architecture.
     */
    public static TemporalRelease forThisMachine(String version) throws InstallException {
        String v = version == null ? DEFAULT_VERSION : version.startsWith("v") ? version.substring(1) : version;
        if (!VERSION.matcher(v).matches()) {
            throw InstallException.usage("--version must be a release number like " + DEFAULT_VERSION + ", got '" + version + "'");
        }
        return new TemporalRelease(v, machineArch(System.getProperty("os.arch")));
    }

    /** Upstream's name for the JVM's os.arch; the temporal CLI is built for these two on Linux. */
    static String machineArch(String osArch) throws InstallException {
        return switch (osArch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> throw new InstallException("the temporal CLI is released for Linux on amd64 and arm64, not " + osArch
                    + "; build it from source and point STIGMER_TEMPORAL_BIN at it");
        };
    }

    public String asset() {
        return "temporal_cli_" + version + "_linux_" + arch + ".tar.gz";
    }

    URI archiveUri(URI base) {
        return resolve(base, asset());
    }

    URI checksumsUri(URI base) {
        return resolve(base, "checksums.txt");
    }

    private URI resolve(URI base, String file) {
        String root = base.toString();
        return URI.create((root.endsWith("/") ? root : root + "/") + "v" + version + "/" + file);
    }
}
