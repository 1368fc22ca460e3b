package dev.stigmer.it;

import dev.stigmer.process.ProcFs;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A port taken by a process that is not ours: the start fails with one line naming the port and
 * the holder, the holder is never touched, and once it is gone the start works.
 */
@ExtendWith(StackExtension.class)
class ForeignPortTest {

    @ParameterizedTest(name = "listener bound to {0}")
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0", "::"})
    void foreignListenerFailsTheStartNamingPortAndHolderAndIsNeverTouched(String bind, Stack stack) throws Exception {
        Process foreign = httpServer(stack.port, bind);
        try {
            ProcessIdentity holder = ProcessIdentity.of(foreign.pid()).orElseThrow();
            assertThat(ProcFs.stat(foreign.pid()).orElseThrow().pgid()).as("leads its group").isEqualTo(foreign.pid());

            CliResult start = stack.run("local", "start");
            assertThat(start.exitCode()).as(start.toString()).isNotZero();
            String first = start.errorLines().getFirst();
            assertThat(first).as(start.toString())
                    .contains("port " + stack.port).contains("pid " + foreign.pid()).contains("http.server");
            assertThat(start.showsJavaInternals()).as(start.toString()).isFalse();
            assertThat(stack.temporalState()).isEqualTo("failed");
            assertThat(stack.owned("temporal")).as("no Temporal left trying").isEmpty();
            assertUntouched(holder, stack.port);

            CliResult again = stack.run("local", "start");
            assertThat(again.exitCode()).as(again.toString()).isNotZero();
            assertThat(again.errorLines().getFirst()).contains("pid " + foreign.pid());
            assertUntouched(holder, stack.port);

            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertUntouched(holder, stack.port);
        } finally {
            foreign.destroy();
            assertThat(foreign.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Stack.isFree(stack.port));

        stack.start();
        assertThat(stack.temporalState()).isEqualTo("running");
        assertThat(stack.temporalPid()).isNotEqualTo(foreign.pid());
    }

    /** Alive, not stopped (SIGSTOP would keep the socket but answer nothing), and still answering HTTP. */
    private static void assertUntouched(ProcessIdentity holder, int port) throws IOException {
        assertThat(holder.isAlive()).as("the foreign listener is alive").isTrue();
        assertThat(ProcFs.stat(holder.pid()).orElseThrow().state()).as("its process state").isIn('S', 'R');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("HEAD / HTTP/1.0\r\n\r\n".getBytes());
            String status = new String(socket.getInputStream().readNBytes(12));
            assertThat(status).as("the foreign listener still answers").startsWith("HTTP/1.0 200");
        }
    }

    static Process httpServer(int port, String bind) throws IOException {
        // Its own session and group, as a server started from a terminal would be: a wrong
        // kill(-pgid) aimed at it then reaches it, and the test sees it.
        ProcessBuilder builder = new ProcessBuilder("setsid", "/usr/bin/python3", "-m", "http.server", Integer.toString(port),
                "--bind", bind).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(k -> k.startsWith("STIGMER_"));
        builder.directory(new java.io.File("/tmp"));
        Process process = builder.start();
        try {
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !process.isAlive() || !Stack.isFree(port));
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        if (!process.isAlive()) {
            throw new AssertionError("python3 -m http.server " + port + " --bind " + bind + " exited with " + process.exitValue());
        }
        return process;
    }
}
