package dev.stigmer.probe;


import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * Connect to HOST:PORT: healthy when the connection is accepted in time. Weaker than a protocol
 * probe (a frozen process's kernel still completes the handshake), so use it where the service
 * speaks nothing better.
 */
public final class TcpProbe implements HealthProbe {
    private final String host;
    private final int port;

    public TcpProbe(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public OptionalInt port() {
        return OptionalInt.of(port);
    }

    @Override
    public ProbeResult check(Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            return ProbeResult.serving();
        } catch (IOException e) {
            return ProbeResult.failing("connect " + host + ":" + port + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "tcp " + host + ":" + port;
    }
}
