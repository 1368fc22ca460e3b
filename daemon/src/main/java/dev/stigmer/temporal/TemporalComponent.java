package dev.stigmer.temporal;

import dev.stigmer.control.LocalSettings;
import dev.stigmer.health.GrpcHealthProbe;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.state.Installation;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.stack.RestartMode;
import dev.stigmer.supervision.ComponentSpec;
import dev.stigmer.supervision.ProbeSchedule;
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
    public static final String NAME = "temporal";
    public static final String LOOPBACK = "127.0.0.1";
    public static final String HEALTH_SERVICE = "temporal.api.workflowservice.v1.WorkflowService";
    public static final int UI_PORT_OFFSET = 1000;
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
        List<String> command = new ArrayList<>();
        Map<String, String> links;
        List<Endpoint> endpoints = new ArrayList<>(List.of(new Endpoint("gRPC", new InetSocketAddress(LOOPBACK, port))));
        if (embedded) {
            command.add(installation.java().toString());
            // Starts ~0.4 s faster: a crash heals sooner. A cache this JVM cannot use is ignored, silently.
            installation.aotCache("embedded").ifPresent(cache -> command.addAll(
                    List.of("-XX:AOTCache=" + cache, "-Xlog:aot=off", "-Xlog:cds=off")));
            command.addAll(EMBEDDED_JVM_FLAGS);
            command.addAll(List.of("-cp", installation.classpath("embedded"), EMBEDDED_MAIN,
                    "--ip", LOOPBACK, "--port", Integer.toString(port)));
            links = Map.of();
        } else {
            Path db = home.dataDir(NAME).resolve("temporal.db");
            command.addAll(List.of(settings.temporalBin(), "server", "start-dev",
                    "--ip", LOOPBACK, "--port", Integer.toString(port),
                    "--ui-port", Integer.toString(port + UI_PORT_OFFSET),
                    "--db-filename", db.toString()));
            links = Map.of("ui", "http://" + LOOPBACK + ":" + (port + UI_PORT_OFFSET));
            // The real CLI serves its web UI too: a port taken there would be a crash loop, not a clear error.
            endpoints.add(new Endpoint("web UI", new InetSocketAddress(LOOPBACK, port + UI_PORT_OFFSET)));
        }
        GrpcHealthProbe probe = new GrpcHealthProbe(LOOPBACK, port, HEALTH_SERVICE);
        Duration checkTimeout = Duration.ofMillis(settings.healthTimeoutMillis());
        // Readiness is polled fast (a crash heals in well under a second); each poll waits at most 1 s.
        ProbeSchedule ready = new ProbeSchedule(probe, READY_POLL,
                checkTimeout.compareTo(MAX_READY_PROBE) > 0 ? MAX_READY_PROBE : checkTimeout, 3);
        ProbeSchedule health = new ProbeSchedule(probe, Duration.ofMillis(settings.healthIntervalMillis()), checkTimeout, 3);
        return new ComponentSpec(NAME, NAME, command, Map.of(), null, home.logFile(NAME), endpoints,
                settings.mode(), !embedded, links, Optional.of(ready), Optional.of(health),
                // The CLI's --timeout bounds how long it waits; the daemon gives each start at least
                // the default minute, so an impatient --timeout does not turn into a crash loop.
                Duration.ofMillis(Math.max(settings.timeoutMillis(), DEFAULT_START_WINDOW.toMillis())),
                RestartMode.ALWAYS, RestartPolicy.DEFAULT,
                new StopPolicy(Duration.ofMillis(settings.stopGraceMillis()), Duration.ofSeconds(5)),
                Integer.toHexString(command.hashCode()));
    }
}
