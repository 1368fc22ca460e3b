package dev.stigmer.control;

import dev.stigmer.state.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;

import static java.lang.System.Logger.Level.WARNING;

/**
 * The daemon's side of the control socket. Only the lock holder runs one, so a socket file left
 * by a dead daemon can be replaced without asking. The socket is 0600 inside a 0700 directory.
 */
public final class ControlServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("stigmer.control");

    private final Path socket;
    private final ServerSocketChannel server;
    private final Function<ControlRequest, ControlResponse> handler;

    private ControlServer(Path socket, ServerSocketChannel server, Function<ControlRequest, ControlResponse> handler) {
        this.socket = socket;
        this.server = server;
        this.handler = handler;
    }

    /** Binds {@code socket} (replacing a stale file) and serves each connection on a virtual thread. */
    public static ControlServer start(Path socket, Function<ControlRequest, ControlResponse> handler) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        // A deep backlog: a hundred clients at once must queue, not be refused as "not running".
        server.bind(UnixDomainSocketAddress.of(socket), 1024);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        ControlServer control = new ControlServer(socket, server, handler);
        Thread.ofPlatform().daemon().name("control-accept").start(control::acceptLoop);
        return control;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().name("control-client").start(() -> serve(client));
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.log(WARNING, "accept failed", e);
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                return;
            }
            ControlResponse response;
            try {
                response = handler.apply(Json.read(line, ControlRequest.class));
            } catch (RuntimeException e) {
                LOG.log(WARNING, "bad control request: " + line, e);
                response = ControlResponse.error(ControlResponse.ErrorKind.BAD_REQUEST, "bad request: " + e.getMessage());
            }
            ByteBuffer out = ByteBuffer.wrap((Json.write(response) + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                client.write(out);
            }
        } catch (IOException e) {
            LOG.log(WARNING, "control connection failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.log(WARNING, "cannot remove " + socket, e);
        }
    }
}
