package dev.stigmer.cli;

import dev.stigmer.control.ExternalTemporal;
import dev.stigmer.stack.DependencyDefinition;
import dev.stigmer.stack.ServiceDefinition;
import dev.stigmer.stackfile.Signals;
import dev.stigmer.stackfile.StackDefinition;
import dev.stigmer.state.Json;
import dev.stigmer.state.StigmerHome;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Validate the stack file and print the stack as it would run: defaults filled, "
                + "variables substituted, env files read, paths absolute. Needs no daemon.",
                "Exit 0 when the file is valid, 2 with FILE:LINE:COLUMN and what to do when it is not."})
final class ConfigCommand implements Callable<Integer> {
    @Mixin
    StartOptions options;

    @Option(names = "--json", description = "Print the resolved stack as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        StackDefinition stack = options.stack(env);
        var settings = options.resolve(StigmerHome.fromEnvironment(), env, stack);
        Map<String, Object> temporal = new LinkedHashMap<>();
        if (settings.external() != null) {
            temporal.put("external", external(settings.external()));
        } else {
            temporal.put("port", settings.temporalPort());
        }
        temporal.put("mode", settings.mode());
        if (settings.temporalBin() != null) {
            temporal.put("bin", settings.temporalBin());
        }
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put("file", stack == null ? null : stack.file().toString());
        resolved.put("temporal", temporal);
        Map<String, Object> services = new LinkedHashMap<>();
        if (stack != null) {
            stack.services().forEach((name, service) -> services.put(name, json ? service : describe(service)));
        }
        resolved.put("services", services);
        if (json) {
            System.out.println(Json.pretty(resolved));
        } else {
            if (stack == null) {
                System.out.println("# no stigmer.yaml here or above (nor -f/STIGMER_FILE): Temporal alone");
            }
            DumpSettings settingsForDump = DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build();
            System.out.print(new Dump(settingsForDump).dumpToString(resolved));
        }
        return 0;
    }

    /** The external Temporal as the stack file would say it (never its API key: only where it comes from). */
    private static Map<String, Object> external(ExternalTemporal external) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", external.address());
        out.put("namespace", external.namespace());
        if (external.tls() == null) {
            out.put("tls", false);
        } else {
            Map<String, Object> tls = new LinkedHashMap<>();
            putIfSet(tls, "ca", external.tls().ca());
            putIfSet(tls, "cert", external.tls().cert());
            putIfSet(tls, "key", external.tls().key());
            putIfSet(tls, "server_name", external.tls().serverName());
            out.put("tls", tls.isEmpty() ? (Object) true : tls);
        }
        out.put("api_key", external.apiKey());
        out.put("source", external.source());
        return out;
    }

    private static void putIfSet(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** A service as the file would say it, every default written out. */
    private static Map<String, Object> describe(ServiceDefinition s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", s.command());
        out.put("working_dir", s.workingDir());
        if (!s.environment().isEmpty()) {
            out.put("env", new java.util.TreeMap<>(s.environment()));
        }
        if (s.port() != null) {
            out.put("port", s.port());
        }
        if (!s.dependsOn().isEmpty()) {
            Map<String, Object> edges = new LinkedHashMap<>();
            s.dependsOn().forEach((name, edge) -> edges.put(name, describe(edge)));
            out.put("depends_on", edges);
        }
        if (s.ready() != null) {
            out.put("ready", s.ready().description());
        }
        if (s.health() != null) {
            out.put("health", s.health().description());
        }
        out.put("restart", s.restart().toString());
        out.put("stop_signal", Signals.name(s.stopSignal()));
        out.put("stop_grace", duration(s.stopGraceMillis()));
        out.put("start_timeout", duration(s.startTimeoutMillis()));
        if (s.watch() != null) {
            Map<String, Object> watch = new LinkedHashMap<>();
            java.util.List<String> paths = new java.util.ArrayList<>();
            for (int i = 0; i < s.watch().paths().size(); i++) {
                String include = s.watch().include().get(i);
                paths.add(s.watch().paths().get(i) + (include.isEmpty() ? "" : "/" + include));
            }
            watch.put("paths", paths);
            java.util.List<String> ignore = new java.util.ArrayList<>(dev.stigmer.stack.WatchDefinition.DEFAULT_IGNORES);
            ignore.addAll(s.watch().ignore());
            watch.put("ignore", ignore);
            if (!s.watch().rebuild().isEmpty()) {
                watch.put("rebuild", s.watch().rebuild());
            }
            watch.put("debounce", duration(s.watch().debounceMillis()));
            out.put("watch", watch);
        }
        out.put("spec_hash", s.specHash().substring(0, 12));
        return out;
    }

    private static Map<String, Object> describe(DependencyDefinition edge) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("condition", edge.condition().toString());
        out.put("restart", edge.restart());
        return out;
    }

    private static String duration(long millis) {
        return dev.stigmer.config.Durations.text(Duration.ofMillis(millis));
    }
}
