package dev.stigmer.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A release mirror on 127.0.0.1 laid out as upstream's release downloads
 * ({@code /v<V>/temporal_cli_<V>_linux_<arch>.tar.gz} beside {@code /v<V>/checksums.txt}), with
 * the ways a real one goes wrong on demand: other bytes than its checksums say, a body cut short
 * of its Content-Length, a redirect, a body that stops half way. Anything not set up is a 404.
 * It records every path asked for.
 */
final class ReleaseMirror implements AutoCloseable {
    /** This machine's architecture as upstream names it. */
    static final String ARCH = switch (System.getProperty("os.arch")) {
        case "aarch64", "arm64" -> "arm64";
        default -> "amd64";
    };

    private interface Responder {
        void respond(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Responder> routes = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    /** Every path asked for, in order. */
    final List<String> requests = new CopyOnWriteArrayList<>();

    ReleaseMirror() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(handlers);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestURI().getPath());
            try (exchange) {
                Responder responder = routes.get(exchange.getRequestURI().getPath());
                if (responder == null) {
                    send(exchange, 404, "Not Found".getBytes(StandardCharsets.UTF_8));
                } else {
                    responder.respond(exchange);
                }
            } catch (IOException e) {
                // a response cut short on purpose, or a client that went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    /** STIGMER_TEMPORAL_DOWNLOAD_URL for this mirror. */
    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static String asset(String version) {
        return "temporal_cli_" + version + "_linux_" + ARCH + ".tar.gz";
    }

    static String archivePath(String version) {
        return "/v" + version + "/" + asset(version);
    }

    static String checksumsPath(String version) {
        return "/v" + version + "/checksums.txt";
    }

    /** Serves {@code archive} and a checksums.txt (goreleaser's format) that vouches for it. */
    ReleaseMirror release(String version, byte[] archive) {
        serve(archivePath(version), archive);
        return checksums(version, sha256(archive));
    }

    /** A checksums.txt giving {@code digest} for the archive, among other assets' lines. */
    ReleaseMirror checksums(String version, String digest) {
        return text(checksumsPath(version), "0".repeat(64) + "  temporal_cli_" + version + "_darwin_arm64.tar.gz\n"
                + digest + "  " + asset(version) + "\n"
                + "f".repeat(64) + "  temporal_cli_" + version + "_windows_amd64.zip\n");
    }

    ReleaseMirror serve(String path, byte[] body) {
        routes.put(path, exchange -> send(exchange, 200, body));
        return this;
    }

    ReleaseMirror text(String path, String body) {
        return serve(path, body.getBytes(StandardCharsets.UTF_8));
    }

    /** A 302 from {@code path} to {@code location}. */
    ReleaseMirror redirect(String path, String location) {
        routes.put(path, exchange -> {
            exchange.getResponseHeaders().set("Location", location);
            exchange.sendResponseHeaders(302, -1);
        });
        return this;
    }

    /** Announces all of {@code body}, sends {@code sent} bytes of it, then sends nothing more until closed. */
    ReleaseMirror stallingMidBody(String path, byte[] body, int sent) {
        routes.put(path, exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(body, 0, sent);
            out.flush();
            closed.await();
        });
        return this;
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A release archive as upstream lays it out (LICENSE and `temporal` at the top), made by the
     * system's tar: {@code temporal} is the binary's content (0755).
     */
    static byte[] archive(Path work, String temporal) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(work, "release-");
        Files.writeString(dir.resolve("LICENSE"), "MIT License (test stand-in)\n");
        Path binary = dir.resolve("temporal");
        Files.writeString(binary, temporal);
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tar(dir, "LICENSE", "temporal");
    }

    /** A .tar.gz of {@code names} in {@code dir}, made by the system's tar. */
    static byte[] tar(Path dir, String... names) throws IOException, InterruptedException {
        Path out = dir.resolveSibling(dir.getFileName() + ".tar.gz");
        List<String> command = new java.util.ArrayList<>(List.of("tar", "-czf", out.toString(), "-C", dir.toString()));
        command.addAll(List.of(names));
        Process tar = new ProcessBuilder(command).inheritIO().start();
        if (tar.waitFor() != 0) {
            throw new IOException("tar failed: " + command);
        }
        return Files.readAllBytes(out);
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }
}
