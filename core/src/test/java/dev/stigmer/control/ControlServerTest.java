package dev.stigmer.control;

import dev.stigmer.control.ControlRequest.Command;
import dev.stigmer.control.ControlResponse.ErrorKind;
import dev.stigmer.state.Json;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ComponentSnapshot TEMPORAL = new ComponentSnapshot("temporal", ComponentState.RUNNING, 4242L,
            "127.0.0.1:7233", "cli", true, Map.of("ui", "http://127.0.0.1:8233"), 1, false, 1L, null, null, List.of());

    @TempDir
    Path dir;

    @Test
    void requestIsAnsweredOverThePrivateSocket() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        try (ControlServer ignored = ControlServer.start(socket,
                request -> ControlResponse.ok(new StatusReport(null, List.of(TEMPORAL))))) {

            ControlResponse response = new ControlClient(socket).send(ControlRequest.of(Command.STATUS), TIMEOUT)
                    .orElseThrow();

            assertThat(response.ok()).isTrue();
            assertThat(response.status().components()).containsExactly(TEMPORAL);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        }
        assertThat(socket).as("removed on close").doesNotExist();
    }

    @Test
    void noDaemonMeansNoAnswerRatherThanAnError() throws Exception {
        Path missing = dir.resolve("daemon.sock");
        assertThat(new ControlClient(missing).send(ControlRequest.of(Command.PING), TIMEOUT)).isEmpty();

        Path stale = staleSocket(dir.resolve("stale.sock"));
        assertThat(new ControlClient(stale).send(ControlRequest.of(Command.PING), TIMEOUT)).isEmpty();
    }

    @Test
    void serverReplacesTheSocketFileOfADeadDaemon() throws Exception {
        Path socket = staleSocket(dir.resolve("daemon.sock"));

        try (ControlServer ignored = ControlServer.start(socket, request -> ControlResponse.ok(null))) {
            assertThat(new ControlClient(socket).send(ControlRequest.of(Command.PING), TIMEOUT))
                    .map(ControlResponse::ok).contains(true);
        }
    }

    @Test
    void daemonThatAcceptsButNeverAnswersTimesOut() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        CountDownLatch release = new CountDownLatch(1);
        try (ControlServer ignored = ControlServer.start(socket, request -> {
            await(release);
            return ControlResponse.ok(null);
        })) {
            long begin = System.nanoTime();
            assertThatThrownBy(() -> new ControlClient(socket).send(ControlRequest.of(Command.STATUS), Duration.ofMillis(300)))
                    .isInstanceOf(IOException.class).hasMessageContaining("did not answer");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin)).isLessThan(5_000L);
        } finally {
            release.countDown();
        }
    }

    @Test
    void daemonThatClosesWithoutAnsweringCountsAsGone() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        try (ServerSocketChannel exiting = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            exiting.bind(UnixDomainSocketAddress.of(socket));
            Thread closer = Thread.ofPlatform().start(() -> {
                try (SocketChannel accepted = exiting.accept()) {
                    accepted.read(ByteBuffer.allocate(256)); // takes the request, then exits without a word
                } catch (IOException ignored) {
                }
            });
            assertThat(new ControlClient(socket).send(ControlRequest.of(Command.START), TIMEOUT)).isEmpty();
            closer.join();
        }
    }

    @Test
    void daemonThatExitsWithTheRequestStillInItsBacklogCountsAsGone() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        ServerSocketChannel exiting = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        exiting.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().start(() -> {
            sleep(300); // the client is connected (queued, never accepted) when the listener goes
            try {
                exiting.close();
            } catch (IOException ignored) {
            }
        });
        assertThat(new ControlClient(socket).send(ControlRequest.of(Command.PING), TIMEOUT)).isEmpty();
    }

    @Test
    void answerThatIsNotAResponseIsAnError() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        try (ServerSocketChannel confused = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            confused.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofPlatform().start(() -> {
                try (SocketChannel accepted = confused.accept()) {
                    accepted.read(ByteBuffer.allocate(256));
                    accepted.write(ByteBuffer.wrap("{not json\n".getBytes(StandardCharsets.UTF_8)));
                } catch (IOException ignored) {
                }
            });
            assertThatThrownBy(() -> new ControlClient(socket).send(ControlRequest.of(Command.STATUS), TIMEOUT))
                    .isInstanceOf(IOException.class).hasMessageContaining("garbage");
        }
    }

    @Test
    void malformedRequestGetsABadRequestAnswer() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        try (ControlServer ignored = ControlServer.start(socket, request -> ControlResponse.ok(null));
             SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap("this is not json\n".getBytes(StandardCharsets.UTF_8)));
            String line = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8)).readLine();

            ControlResponse response = Json.read(line, ControlResponse.class);
            assertThat(response.ok()).isFalse();
            assertThat(response.kind()).isEqualTo(ErrorKind.BAD_REQUEST);
        }
    }

    /** A socket file nobody listens on, as a killed daemon leaves it. */
    private static Path staleSocket(Path path) throws IOException {
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(path));
        dead.close();
        assertThat(path).exists();
        return path;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
