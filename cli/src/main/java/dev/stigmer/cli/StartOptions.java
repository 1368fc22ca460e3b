package dev.stigmer.cli;

import dev.stigmer.config.StigmerEnvironment;
import dev.stigmer.config.TemporalDefaults;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.TemporalOptions;
import dev.stigmer.stackfile.ExternalDefinition;
import dev.stigmer.stackfile.StackDefinition;
import dev.stigmer.stackfile.StackFile;
import dev.stigmer.stackfile.StackFileException;
import dev.stigmer.stackfile.StackFileLocator;
import dev.stigmer.stackfile.TemporalDefinition;
import dev.stigmer.state.StigmerHome;
import picocli.CommandLine.Option;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The settings a start takes: flag over environment over default, validated into one line each. */
final class StartOptions {
    static final String DEFAULT_TIMEOUT = "60s";

    @Option(names = "--temporal-port", paramLabel = "PORT",
            description = "Temporal gRPC port on 127.0.0.1 (env STIGMER_TEMPORAL_PORT, default 7233). "
                    + "The real Temporal's web UI uses PORT+1000.")
    String port;

    @Option(names = "--temporal-bin", paramLabel = "PATH",
            description = "The temporal executable to run (env STIGMER_TEMPORAL_BIN). Default: `temporal` "
                    + "on PATH, then $STIGMER_HOME/bin/temporal, else the embedded Temporal.")
    String temporalBin;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "The stack file (env STIGMER_FILE). Default: stigmer.yaml (or stigmer.yml) in this "
                    + "directory or the nearest parent; without one, Temporal alone.")
    String file;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = DEFAULT_TIMEOUT,
            description = "How long to wait for Temporal to serve and the services asked for to be ready (or "
                    + "completed), e.g. 90s or 2m (default: ${DEFAULT-VALUE}).")
    String timeout = DEFAULT_TIMEOUT; // also when picocli is skipped (Main's bare commands)

    @Option(names = "--no-watch",
            description = "Run the stack without watching files: no service's `watch:` replaces it on a change.")
    boolean noWatch;

    /**
     * Takes the options that only a start acts on (--timeout, --no-watch) out of {@code command}, a
     * command that describes the stack (env, config): its --help listed them, and they did nothing.
     */
    static void describingOnly(picocli.CommandLine.Model.CommandSpec command) {
        for (String name : java.util.List.of("--timeout", "--no-watch")) {
            command.remove(command.findOption(name));
        }
    }

    LocalSettings resolve(StigmerHome home, Map<String, String> env) {
        return resolve(home, env, (TemporalDefinition) null);
    }

    /** How long a start (or a restart of some) waits for what it started. */
    long timeoutMillis() {
        return Durations.parse(timeout, "--timeout").toMillis();
    }

    /** The stack file to apply, if any; a file that was named but does not exist is a usage error. */
    Optional<Path> stackFile(Map<String, String> env) {
        try {
            return StackFileLocator.locate(Path.of("").toAbsolutePath(), file, env);
        } catch (StackFileException e) {
            throw new UserError(e.getMessage(), UserError.USAGE);
        }
    }

    /** The stack file's stack, found, read and checked; null when there is no stack file. */
    StackDefinition stack(Map<String, String> env) {
        return stackFile(env).map(path -> readStack(path, env)).orElse(null);
    }

    /** {@link #resolve(StigmerHome, Map, TemporalDefinition)} with the {@code temporal:} section of {@code stack} (may be null). */
    LocalSettings resolve(StigmerHome home, Map<String, String> env, StackDefinition stack) {
        return resolve(home, env, stack == null ? null : stack.temporal());
    }

    /** Reads and validates the stack file; any problem is a usage error naming FILE:LINE:COLUMN. */
    StackDefinition readStack(Path path, Map<String, String> env) {
        try {
            return StackFile.read(path, env, explicitPort(env));
        } catch (StackFileException e) {
            throw new UserError(e.getMessage(), UserError.USAGE);
        }
    }

    /** Temporal's port when a flag or the environment sets it (they win over a stack file), else null. */
    Integer explicitPort(Map<String, String> env) {
        return port != null ? UserError.usage(() -> StigmerEnvironment.port(port, "--temporal-port"))
                : UserError.usage(new StigmerEnvironment(env)::temporalPort);
    }

    /** Flag over environment over the stack file's {@code temporal:} section (may be null) over default. */
    LocalSettings resolve(StigmerHome home, Map<String, String> env, TemporalDefinition file) {
        if (file != null && file.external() != null) {
            return external(file.external(), env);
        }
        Integer explicit = explicitPort(env);
        boolean portExplicit = explicit != null || file != null && file.port() != null;
        int temporalPort = explicit != null ? explicit : file != null && file.port() != null ? file.port() : TemporalDefaults.PORT;

        StigmerEnvironment stigmer = new StigmerEnvironment(env);
        String binAsked = temporalBin != null ? temporalBin : stigmer.temporalBin();
        boolean binExplicit = binAsked != null || file != null && file.bin() != null;
        String bin;
        if (binAsked != null) {
            bin = checkExecutable(binAsked, temporalBin != null ? "--temporal-bin" : StigmerEnvironment.TEMPORAL_BIN);
        } else if (file != null && file.bin() != null) {
            bin = file.bin(); // checked when the file was read
        } else {
            bin = discoverTemporal(home, env.get("PATH"));
        }
        TemporalOptions options = file == null ? null : file.options();
        TemporalOptions effective = options == null ? TemporalOptions.NONE : options;
        if (bin == null) {
            // The embedded Temporal (the Java test server) cannot honour these: say which, where, and what to do.
            for (String key : effective.needingTheRealTemporal()) {
                Object where = file.positions().get(key);
                throw new UserError((where == null ? "" : where + ": ") + "temporal." + key + " needs the real Temporal, "
                        + "and the embedded one runs here (no temporal CLI found): run `stigmer temporal install`, "
                        + "or set STIGMER_TEMPORAL_BIN, or remove temporal." + key, UserError.USAGE);
            }
        } else if (effective.uiEnabled() && effective.uiPort() == null && temporalPort + TemporalDefaults.UI_PORT_OFFSET > 65535) {
            throw new UserError("with the temporal CLI the web UI takes port " + temporalPort + "+1000, which is past 65535: "
                    + "choose a --temporal-port of at most 64535 (or set temporal.ui_port)", UserError.USAGE);
        }
        Duration readiness = Durations.parse(timeout, "--timeout");
        Duration interval = UserError.usage(stigmer::healthInterval);
        Duration probeTimeout = UserError.usage(stigmer::healthTimeout);
        Duration grace = UserError.usage(stigmer::stopGrace);
        return new LocalSettings(temporalPort, portExplicit, bin, binExplicit, readiness.toMillis(),
                interval.toMillis(), probeTimeout.toMillis(), grace.toMillis(), options, null);
    }

    /**
     * The file's Temporal runs elsewhere: nothing here listens for it, so a flag for a local one is
     * a mistake; the environment's STIGMER_TEMPORAL_PORT/BIN (ambient, for other stacks) do not apply.
     */
    private LocalSettings external(ExternalDefinition external, Map<String, String> env) {
        String flag = port != null ? "--temporal-port" : temporalBin != null ? "--temporal-bin" : null;
        if (flag != null) {
            throw new UserError(flag + " is for a local Temporal, but the stack file's Temporal is external ("
                    + external.temporal().address() + "); remove " + flag, UserError.USAGE);
        }
        StigmerEnvironment stigmer = new StigmerEnvironment(env);
        Duration interval = UserError.usage(stigmer::healthInterval);
        Duration probeTimeout = UserError.usage(stigmer::healthTimeout);
        Duration grace = UserError.usage(stigmer::stopGrace);
        return new LocalSettings(TemporalDefaults.PORT, false, null, false, timeoutMillis(), interval.toMillis(),
                probeTimeout.toMillis(), grace.toMillis(), null, external.temporal());
    }

    /** The flags that reproduce the explicit settings, for a suggested `restart` command. */
    static String flags(LocalSettings s) {
        StringBuilder flags = new StringBuilder();
        if (s.portExplicit()) {
            flags.append(" --temporal-port ").append(s.temporalPort());
        }
        if (s.binExplicit()) {
            flags.append(" --temporal-bin ").append(s.temporalBin());
        }
        return flags.toString();
    }

    private static String checkExecutable(String path, String source) {
        if (path.isBlank()) {
            throw new UserError(source + " is empty: give the path of a temporal executable", UserError.USAGE);
        }
        Path file = Path.of(path).toAbsolutePath().normalize();
        if (!Files.exists(file)) {
            throw new UserError("temporal binary not found: " + file + " (from " + source + ")", UserError.USAGE);
        }
        if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
            throw new UserError("temporal binary is not an executable file: " + file + " (from " + source
                    + "); chmod +x it or point " + source + " elsewhere", UserError.USAGE);
        }
        return file.toString();
    }

    private static String discoverTemporal(StigmerHome home, String path) {
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    Path candidate = Path.of(dir, TemporalDefaults.NAME);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return candidate.toAbsolutePath().normalize().toString();
                    }
                }
            }
        }
        Path own = home.root().resolve("bin").resolve(TemporalDefaults.NAME);
        return Files.isRegularFile(own) && Files.isExecutable(own) ? own.toString() : null;
    }
}
