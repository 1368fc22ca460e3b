package dev.stigmer.health;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class GrpcHealthProbeTest {

    @Test
    void anHttpServerOnThePortIsNamedAsListeningButNotAnsweringGrpc() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        http.start();
        int port = http.getAddress().getPort();
        try (GrpcHealthProbe probe = new GrpcHealthProbe("127.0.0.1", port, "")) {
            var result = probe.check(Duration.ofSeconds(2));
            assertThat(result.healthy()).isFalse();
            assertThat(result.detail()).startsWith("port " + port + " accepts connections, but the gRPC health check fails: ");
        } finally {
            http.stop(0);
        }
    }

    @Test
    void nothingListeningIsNotTakenForAServerThatDoesNotAnswer() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        try (GrpcHealthProbe probe = new GrpcHealthProbe("127.0.0.1", port, "")) {
            var result = probe.check(Duration.ofSeconds(2));
            assertThat(result.healthy()).isFalse();
            assertThat(result.detail()).startsWith("127.0.0.1:" + port + ": UNAVAILABLE").doesNotContain("accepts connections");
        }
    }
}
