package dev.stigmer.cli;

import dev.stigmer.config.StigmerEnvironment;

import dev.stigmer.cli.install.InstallException;
import dev.stigmer.cli.install.TemporalInstaller;
import dev.stigmer.cli.install.TemporalInstaller.Outcome;
import dev.stigmer.cli.install.TemporalRelease;
import dev.stigmer.state.StigmerHome;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** `stigmer temporal install`: settings from the environment, the install, and what to do next. */
final class TemporalInstallFlow {
    static final String DOWNLOAD_URL = StigmerEnvironment.DOWNLOAD_URL;

    private final Output out;

    TemporalInstallFlow(Output out) {
        this.out = out;
    }

    int install(String version, boolean force) {
        Map<String, String> env = System.getenv();
        StigmerEnvironment stigmer = new StigmerEnvironment(env);
        TemporalInstaller.Settings settings = new TemporalInstaller.Settings(base(env.get(DOWNLOAD_URL)),
                UserError.usage(stigmer::downloadConnectTimeout), UserError.usage(stigmer::downloadStallTimeout));
        StigmerHome home = Homes.ready();
        TemporalInstaller installer = new TemporalInstaller(home.root().resolve("bin"), settings, System.out,
                out.terminal(), "stigmer/" + Main.version());
        Outcome outcome;
        try {
            outcome = installer.install(TemporalRelease.forThisMachine(version), force);
        } catch (InstallException e) {
            if (e.getCause() != null) {
                CliLogHandler.unexpected(e); // the one line is the user's; the chain of causes goes to logs/cli.log
            }
            throw new UserError(e.getMessage(), e.usage() ? UserError.USAGE : UserError.FAILURE);
        }
        switch (outcome) {
            case Outcome.AlreadyInstalled installed -> out.success("Already installed: " + installed.binary() + " ("
                    + installed.versionLine() + "); --force installs it again");
            case Outcome.Installed installed -> {
                out.line("Verified sha256 " + installed.sha256() + ": as the release's checksums.txt says"
                        + (installed.pinned() ? " and as pinned in stigmer" : " (stigmer pins only "
                        + TemporalRelease.DEFAULT_VERSION + "; this one is checked against checksums.txt alone)"));
                out.success("Installed " + installed.binary() + ": " + installed.versionLine());
            }
        }
        out.line("  " + whatRunsIt(home, outcome.binary(), env));
        return 0;
    }

    /** Whether `stigmer local` will run this binary, and if not, why; whether a restart is needed. */
    private static String whatRunsIt(StigmerHome home, Path binary, Map<String, String> env) {
        String chosen = new StigmerEnvironment(env).temporalBin();
        if (chosen != null && !chosen.isBlank()) {
            return "Note: " + StigmerEnvironment.TEMPORAL_BIN + "=" + chosen + " is set, so `stigmer local` runs that one; unset it to run this one.";
        }
        Optional<Path> onPath = firstOnPath(env.get("PATH"));
        if (onPath.isPresent() && !sameFile(onPath.get(), binary)) {
            return "Note: `stigmer local` runs " + onPath.get() + ", which comes first on PATH; "
                    + "set STIGMER_TEMPORAL_BIN=" + binary + " to run this one.";
        }
        Daemon daemon = new Daemon(home);
        if (daemon.lockHeld()) {
            return "Run `stigmer local restart` to have the running stigmer local use it.";
        }
        return "`stigmer local` runs it from now on.";
    }

    private static Optional<Path> firstOnPath(String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "temporal");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath().normalize());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The mirror's base URL, or the official release downloads. */
    private static URI base(String configured) {
        if (configured == null || configured.isBlank()) {
            return URI.create(TemporalRelease.OFFICIAL_BASE);
        }
        try {
            URI uri = new URI(configured.strip());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new UserError(DOWNLOAD_URL + " must be an http(s) URL laid out as the release downloads "
                + "(BASE/v<V>/<archive>, BASE/v<V>/checksums.txt), got '" + configured + "'", UserError.USAGE);
    }
}
