package dev.stigmer.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A Temporal that stigmer does not run: the embedded Temporal, started by the test on its own
 * port (optionally behind TLS and an API key), as a stand-in for a self-hosted cluster or
 * Temporal Cloud. It carries no home's mark, so only the test stops it.
 */
final class ExternalServer implements AutoCloseable {
    final int port;
    private final Process process;
    private final Path log;

    private ExternalServer(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts it on {@code port} with {@code args} (e.g. --tls-cert ...) and {@code env}; returns once it listens. */
    static ExternalServer start(int port, Path dir, List<String> args, Map<String, String> env) throws IOException {
        Path log = dir.resolve("external-" + port + "-" + System.nanoTime() + ".log");
        List<String> command = new ArrayList<>(List.of(Stack.JAVA.toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", Stack.ROOT.resolve("build/lib/embedded") + "/*", "dev.stigmer.embedded.EmbeddedTemporal",
                "--port", Integer.toString(port)));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("STIGMER_"));
        builder.environment().putAll(env);
        ExternalServer server = new ExternalServer(port, builder.start(), log);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (!server.process.isAlive()) {
                throw new AssertionError("the external Temporal exited: " + Files.readString(log));
            }
            return server.listens();
        });
        return server;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    boolean listens() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        Files.deleteIfExists(log);
    }
}
