package dev.stigmer.temporal;

import dev.stigmer.health.GrpcHealthProbe;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.StopPolicy;
import dev.stigmer.stack.RestartMode;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentSpec;
import dev.stigmer.supervision.ComponentSpec.Endpoint;
import dev.stigmer.supervision.ComponentState;
import dev.stigmer.probe.ProbeSchedule;
import dev.stigmer.supervision.RestartPolicy;
import dev.stigmer.supervision.Supervisor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13: a Temporal that listens but never answers gRPC (here: an HTTP server on its port,
 * started as its process) showed `starting` with an empty lastError through its whole first start.
 */
class TemporalReadinessTest {
    @TempDir
    Path home;

    @Test
    void aTemporalThatListensButNeverAnswersGrpcSaysWhyWithinTenSeconds() throws Exception {
        int port = freePort();
        List<String> httpServer = List.of("python3", "-m", "http.server", String.valueOf(port), "--bind", "127.0.0.1",
                "--directory", home.toString());
        GrpcHealthProbe probe = new GrpcHealthProbe("127.0.0.1", port, TemporalComponent.HEALTH_SERVICE);
        // As TemporalComponent polls readiness: every 20 ms, each check up to 1 s, a minute to start.
        ComponentSpec spec = new ComponentSpec("temporal", "temporal", httpServer, Map.of(), null,
                home.resolve("logs/temporal.log"), List.of(new Endpoint("gRPC", new InetSocketAddress("127.0.0.1", port))),
                "cli", false, Map.of(), Optional.of(new ProbeSchedule(probe, Duration.ofMillis(20), Duration.ofSeconds(1), 3)),
                Optional.empty(), Duration.ofSeconds(60), RestartMode.ALWAYS, RestartPolicy.DEFAULT,
                new StopPolicy(Duration.ofSeconds(2), Duration.ofSeconds(5)), null, false);
        Supervisor supervisor = new Supervisor(spec, new Ownership(home, "temporal"),
                Files.createDirectories(home.resolve("run")).resolve("temporal.json"));
        try {
            supervisor.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> accepts(port)); // python starts slowly under load
            long listening = System.nanoTime();

            ComponentSnapshot said = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(supervisor::snapshot, s -> s.lastError() != null && s.lastError().contains("accepts connections"));

            assertThat(said.state()).isEqualTo(ComponentState.STARTING);
            assertThat(said.lastError()).contains("port " + port + " accepts connections, but the gRPC health check fails: ");
            System.out.printf("lastError %d ms after the port listened: %s%n", (System.nanoTime() - listening) / 1_000_000,
                    said.lastError());
        } finally {
            supervisor.stop().get(30, TimeUnit.SECONDS);
            supervisor.close();
        }
    }

    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
