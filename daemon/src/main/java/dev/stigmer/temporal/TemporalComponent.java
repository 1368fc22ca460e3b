package dev.stigmer.temporal;

import dev.stigmer.config.TemporalDefaults;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.TemporalOptions;
import dev.stigmer.health.GrpcHealthProbe;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.state.Installation;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.stack.RestartMode;
import dev.stigmer.supervision.ComponentSpec;
import dev.stigmer.probe.ProbeSchedule;
import dev.stigmer.supervision.ComponentSpec.Endpoint;
import dev.stigmer.supervision.RestartPolicy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Temporal as a supervised component: the real dev server when a binary is set, else embedded. */
public final class TemporalComponent {
    public static final String NAME = TemporalDefaults.NAME;
    public static final String LOOPBACK = TemporalDefaults.LOOPBACK;
    public static final String HEALTH_SERVICE = "temporal.api.workflowservice.v1.WorkflowService";
    static final Duration DEFAULT_START_WINDOW = Duration.ofSeconds(60);
    private static final Duration READY_POLL = Duration.ofMillis(20);
    private static final Duration MAX_READY_PROBE = Duration.ofSeconds(1);
    static final String EMBEDDED_MAIN = "dev.stigmer.embedded.EmbeddedTemporal";
    // Small heap, quick start: the test server keeps workflows in memory but a dev stack is small.
    private static final List<String> EMBEDDED_JVM_FLAGS = List.of(
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-Xmx256m",
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");

    private TemporalComponent() {
    }

    public static ComponentSpec spec(LocalSettings settings, StigmerHome home, Installation installation) {
        int port = settings.temporalPort();
        boolean embedded = settings.temporalBin() == null;
        TemporalOptions options = settings.temporalOptions();
        List<String> command = new ArrayList<>();
        Map<String, String> links = Map.of();
        List<Endpoint> endpoints = new ArrayList<>(List.of(new Endpoint("gRPC", new InetSocketAddress(LOOPBACK, port))));
        boolean persistent;
        if (embedded) {
            command.add(installation.java().toString());
            // Starts ~0.4 s faster: a crash heals sooner. A cache this JVM cannot use is ignored, silently.
            installation.aotCache("embedded").ifPresent(cache -> command.addAll(
                    List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off")));
            command.addAll(EMBEDDED_JVM_FLAGS);
            command.addAll(List.of("-cp", installation.classpath("embedded"), EMBEDDED_MAIN,
                    "--ip", LOOPBACK, "--port", Integer.toString(port)));
            // What the test server can honour; the CLI refused the rest before we got here.
            options.namespaces().forEach(namespace -> command.addAll(List.of("--namespace", namespace)));
            options.searchAttributes().forEach((name, type) -> command.addAll(List.of("--search-attribute", name + "=" + type)));
            persistent = false;
        } else {
            command.addAll(List.of(settings.temporalBin(), "server", "start-dev",
                    "--ip", LOOPBACK, "--port", Integer.toString(port)));
            if (options.uiEnabled()) {
                int uiPort = options.uiPort() != null ? options.uiPort() : port + TemporalDefaults.UI_PORT_OFFSET;
                command.addAll(List.of("--ui-port", Integer.toString(uiPort)));
                links = Map.of("ui", "http://" + LOOPBACK + ":" + uiPort);
                // The real CLI serves its web UI too: a port taken there would be a crash loop, not a clear error.
                endpoints.add(new Endpoint("web UI", new InetSocketAddress(LOOPBACK, uiPort)));
            } else {
                command.add("--headless");
            }
            persistent = !TemporalOptions.MEMORY.equals(options.db());
            if (persistent) {
                Path db = options.db() != null ? Path.of(options.db()) : home.dataDir(NAME).resolve("temporal.db");
                command.addAll(List.of("--db-filename", db.toString()));
            }
            options.namespaces().forEach(namespace -> command.addAll(List.of("--namespace", namespace)));
            options.searchAttributes().forEach((name, type) -> command.addAll(List.of("--search-attribute", name + "=" + type)));
            options.dynamicConfig().forEach((key, json) -> command.addAll(List.of("--dynamic-config-value", key + "=" + json)));
            if (options.logLevel() != null) {
                command.addAll(List.of("--log-level", options.logLevel()));
            }
        }
        GrpcHealthProbe probe = new GrpcHealthProbe(LOOPBACK, port, HEALTH_SERVICE);
        Duration checkTimeout = Duration.ofMillis(settings.healthTimeoutMillis());
        // Readiness is polled fast (a crash heals in well under a second); each poll waits at most 1 s.
        ProbeSchedule ready = new ProbeSchedule(probe, READY_POLL,
                checkTimeout.compareTo(MAX_READY_PROBE) > 0 ? MAX_READY_PROBE : checkTimeout, 3);
        ProbeSchedule health = new ProbeSchedule(probe, Duration.ofMillis(settings.healthIntervalMillis()), checkTimeout, 3);
        return new ComponentSpec(NAME, NAME, command, Map.of(), null, home.logFile(NAME), endpoints,
                settings.mode(), persistent, links, Optional.of(ready), Optional.of(health),
                // The CLI's --timeout bounds how long it waits; the daemon gives each start at least
                // the default minute, so an impatient --timeout does not turn into a crash loop.
                Duration.ofMillis(Math.max(settings.timeoutMillis(), DEFAULT_START_WINDOW.toMillis())),
                RestartMode.ALWAYS, RestartPolicy.DEFAULT,
                new StopPolicy(Duration.ofMillis(settings.stopGraceMillis()), Duration.ofSeconds(5)),
                // Its definition and the command this build makes of it: a new daemon of the same build adopts it.
                dev.stigmer.stack.SpecHash.of(List.of(settings.specHash(), command)), false);
    }
}
