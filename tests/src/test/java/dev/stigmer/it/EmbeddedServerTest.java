package dev.stigmer.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded Temporal's own process, run directly: how it fails matters to the supervisor. */
class EmbeddedServerTest {

    @Test
    void anEmbeddedTemporalThatCannotListenExitsAtOnceSayingWhy() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Result result = run("--ip", "127.0.0.1", "--port", Integer.toString(taken.getLocalPort()));
            assertThat(result.exited()).as("exited instead of lingering with no listener").isTrue();
            assertThat(result.code()).isEqualTo(1);
            assertThat(result.output()).contains("embedded temporal: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .contains("Address already in use").doesNotContain("\tat ");
        }
    }

    @Test
    void badArgumentsExitTwoWithTheUsage() throws Exception {
        Result result = run("--port", "not-a-port");
        assertThat(result.exited()).isTrue();
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.output()).contains("usage: [--ip ADDRESS] [--port PORT] [--namespace NAME]...");
    }

    private record Result(boolean exited, int code, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("embedded", ".txt");
        try {
            List<String> command = new java.util.ArrayList<>(List.of(Stack.JAVA.toString(), "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                    "-cp", Stack.ROOT.resolve("build/lib/embedded") + "/*", "dev.stigmer.embedded.EmbeddedTemporal"));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean exited = process.waitFor(15, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly().waitFor();
            }
            return new Result(exited, exited ? process.exitValue() : -1, Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
