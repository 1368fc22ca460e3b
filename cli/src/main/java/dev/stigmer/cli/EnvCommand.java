package dev.stigmer.cli;

import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.TemporalClientVariables;
import dev.stigmer.stackfile.ExternalDefinition;
import dev.stigmer.stackfile.StackDefinition;
import dev.stigmer.state.StigmerHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

@Command(name = "env", mixinStandardHelpOptions = true,
        description = {"Print Temporal's standard client variables for the Temporal `stigmer local` runs here "
                + "(TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS and its files), as shell commands: "
                + "eval \"$(stigmer local env)\" points the Temporal CLI and SDKs of this shell at it.",
                "Never prints an API key: with api_key_env it prints a reference to that variable; with a "
                        + "profile, the profile's name (the client reads its key from temporal.toml). Needs no daemon; without a stack "
                        + "file here (and no --temporal-port or --temporal-bin), the Temporal the daemon runs."})
final class EnvCommand implements Callable<Integer> {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

    @Mixin
    StartOptions options;

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        StigmerHome home = StigmerHome.fromEnvironment();
        StackDefinition stack = options.stack(env);
        LocalSettings settings = options.resolve(home, env, stack);
        if (stack == null) {
            // No stack file here: the Temporal that runs (a start from here keeps a stack file's).
            Daemon daemon = new Daemon(home);
            settings = daemon.runningTemporal(settings);
            if (settings.external() != null && daemon.runningStackFile().isPresent()) {
                // The key's variable and the profile are in the running stack's file, not in the record.
                stack = options.readStack(Path.of(daemon.runningStackFile().orElseThrow()), env);
                settings = options.resolve(home, env, stack);
            }
        }
        System.out.print(lines(settings, stack == null ? null : stack.temporal().external()));
        return 0;
    }

    /** The shell commands for {@code settings}; variables that do not apply are unset, so an earlier eval does not linger. */
    static String lines(LocalSettings settings, ExternalDefinition external) {
        Map<String, String> variables = TemporalClientVariables.of(settings);
        StringBuilder out = new StringBuilder("# Temporal of stigmer local (" + settings.mode() + "): eval \"$(stigmer local env)\"\n");
        variables.forEach((name, value) -> out.append("export ").append(name).append('=').append(quote(value)).append('\n'));
        List<String> unset = new ArrayList<>();
        TemporalClientVariables.TLS_PATHS.stream().filter(name -> !variables.containsKey(name)).forEach(unset::add);
        if (external != null && external.apiKeyVariable() != null) {
            // A reference, expanded by the shell that evaluates it: the key itself is never printed.
            out.append("export ").append(TemporalClientVariables.API_KEY).append("=\"${")
                    .append(external.apiKeyVariable()).append("}\"\n");
        } else {
            unset.add(TemporalClientVariables.API_KEY);
        }
        if (external != null && external.profile() != null) {
            // The client reads the profile's own key (if any) from temporal.toml; the variables above win over the rest.
            out.append("export TEMPORAL_CONFIG_FILE=").append(quote(external.configFile())).append('\n');
            out.append("export TEMPORAL_PROFILE=").append(quote(external.profile())).append('\n');
        } else {
            unset.add("TEMPORAL_PROFILE");
        }
        out.append("unset ").append(String.join(" ", unset)).append('\n');
        return out.toString();
    }

    /** As the shell reads it back: plain when safe, else in single quotes. */
    static String quote(String value) {
        if (PLAIN.matcher(value).matches()) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
