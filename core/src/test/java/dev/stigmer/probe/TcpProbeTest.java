package dev.stigmer.probe;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TcpProbeTest {

    @Test
    void aListenerIsHealthyAndAClosedPortIsNot() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
            assertThat(new TcpProbe("127.0.0.1", port).check(Duration.ofSeconds(1)).healthy()).isTrue();
        }
        var closed = new TcpProbe("127.0.0.1", port).check(Duration.ofSeconds(1));
        assertThat(closed.healthy()).isFalse();
        assertThat(closed.detail()).contains("connect 127.0.0.1:" + port);
    }
}
