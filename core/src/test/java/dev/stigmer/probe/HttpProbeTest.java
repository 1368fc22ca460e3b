package dev.stigmer.probe;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class HttpProbeTest {
    private HttpServer server;

    private String serve(int status, long delayMillis) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().add("Location", "/elsewhere");
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void twoHundredAndRedirectsAreHealthy() throws IOException {
        assertThat(new HttpProbe(serve(200, 0)).check(Duration.ofSeconds(2)).healthy()).isTrue();
        server.stop(0);
        assertThat(new HttpProbe(serve(302, 0)).check(Duration.ofSeconds(2)).healthy()).as("a redirect is an answer").isTrue();
    }

    @Test
    void serverErrorsAndNotFoundAreNot() throws IOException {
        var result = new HttpProbe(serve(503, 0)).check(Duration.ofSeconds(2));
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).contains("answered 503");
        server.stop(0);
        assertThat(new HttpProbe(serve(404, 0)).check(Duration.ofSeconds(2)).healthy()).isFalse();
    }

    @Test
    void aSlowAnswerFailsWithinTheTimeout() throws IOException {
        HttpProbe probe = new HttpProbe(serve(200, 3000));
        long started = System.nanoTime();
        assertThat(probe.check(Duration.ofMillis(300)).healthy()).isFalse();
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2500);
    }

    @Test
    void nothingListeningFails() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        var result = new HttpProbe("http://127.0.0.1:" + port + "/").check(Duration.ofSeconds(1));
        assertThat(result.healthy()).isFalse();
        assertThat(result.detail()).contains("GET http://127.0.0.1:" + port);
    }
}
