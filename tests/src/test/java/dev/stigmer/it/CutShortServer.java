package dev.stigmer.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/1.1 server on raw sockets that announces a body's full length, sends part of it and
 * closes the connection: what a dropped download looks like. (The JDK's HttpServer keeps such a
 * connection open, which would be a stall instead.) Other paths get their whole body.
 */
final class CutShortServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    private final Thread acceptor;

    /**
     * @param whole paths served whole
     * @param cutPath the path whose body is cut
     * @param sent how many bytes of {@code cutBody} go out before the connection is closed
     */
    CutShortServer(Map<String, byte[]> whole, String cutPath, byte[] cutBody, int sent) throws IOException {
        acceptor = Thread.ofVirtual().start(() -> {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    BufferedReader request = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
                    String path = request.readLine().split(" ")[1];
                    while (!request.readLine().isEmpty()) {
                        // the request's headers: not needed
                    }
                    OutputStream out = connection.getOutputStream();
                    byte[] body = path.equals(cutPath) ? cutBody : whole.get(path);
                    if (body == null) {
                        out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        continue;
                    }
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body, 0, path.equals(cutPath) ? sent : body.length);
                    out.flush();
                } catch (IOException | RuntimeException e) {
                    // closed by the test, or a client that went away
                }
            }
        });
    }

    String base() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        acceptor.join();
    }
}
