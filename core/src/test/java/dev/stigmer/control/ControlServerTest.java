package dev.stigmer.control;

import dev.stigmer.control.ControlRequest.Command;
import dev.stigmer.control.ControlResponse.ErrorKind;
import dev.stigmer.state.Json;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;
import dev.stigmer.testing.LogCapture;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlServerTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

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

    /**
     * The client is connected, queued in the listener's backlog and never accepted, when the
     * listener goes. A selector sees the queued connection without accepting it, so the listener
     * closes only once the client is in its backlog: this path, not a refused connect.
     */
    @Test
    void daemonThatExitsWithTheRequestStillInItsBacklogCountsAsGone() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        try (ServerSocketChannel exiting = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            exiting.bind(UnixDomainSocketAddress.of(socket));
            exiting.configureBlocking(false);
            exiting.register(selector, SelectionKey.OP_ACCEPT);
            CompletableFuture<Optional<ControlResponse>> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return new ControlClient(socket).send(ControlRequest.of(Command.PING), TIMEOUT);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            assertThat(selector.select(TIMEOUT.toMillis())).as("a connection waits in the backlog").isEqualTo(1);
            selector.close(); // a channel still registered would only be closed at the next select
            exiting.close();

            assertThat(answer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
        }
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

    /**
     * A START carries the caller's environment and may carry an API key: a request the handler
     * fails on is logged without its text (daemon.log is on disk).
     */
    @Test
    void aRequestTheHandlerFailsOnIsLoggedWithoutItsSecrets() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        String secret = "sk-test-0123456789";
        ControlRequest request = new ControlRequest(Command.START, null,
                new StackRequest("/p/stigmer.yaml", List.of(), Map.of("MY_TOKEN", secret), secret), List.of());
        try (LogCapture log = LogCapture.of("stigmer.control");
             ControlServer ignored = ControlServer.start(socket, r -> {
                 throw new IllegalStateException("handler broke");
             })) {
            ControlResponse response = new ControlClient(socket).send(request, TIMEOUT).orElseThrow();

            assertThat(response.kind()).isEqualTo(ErrorKind.BAD_REQUEST);
            assertThat(log.messages(Level.WARNING)).isNotEmpty().noneMatch(message -> message.contains(secret));
        }
    }

    /**
     * The daemon's heap is 32 MB: a 64 MB request line read whole would kill the connection's
     * thread with OutOfMemoryError. Requests are bounded (64 KiB) and answered BAD_REQUEST.
     */
    @Test
    void aSixtyFourMegabyteRequestInADaemonSizedHeapIsAnsweredBadRequestAndTheServerStaysUp() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        ServerProcess server = startServerProcess(socket, List.of(), "-Xmx32m", "-XX:+UseSerialGC");

        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Thread writer = Thread.ofPlatform().start(() -> {
                ByteBuffer megabyte = ByteBuffer.wrap("x".repeat(1024 * 1024).getBytes(StandardCharsets.US_ASCII));
                try {
                    for (int i = 0; i < 64; i++) {
                        megabyte.rewind();
                        while (megabyte.hasRemaining()) {
                            channel.write(megabyte);
                        }
                    }
                    channel.write(ByteBuffer.wrap(new byte[]{'\n'}));
                } catch (IOException expected) {
                    // the server answered and closed before taking it all
                }
            });
            String line = readLine(channel, TIMEOUT);
            writer.join(TIMEOUT.toMillis());

            assertThat(line).as("an answer to the 64 MB request").isNotNull();
            ControlResponse response = Json.read(line, ControlResponse.class);
            assertThat(response.kind()).isEqualTo(ErrorKind.BAD_REQUEST);
            assertThat(response.error()).contains("64 KiB");
        }
        assertThat(new ControlClient(socket).send(ControlRequest.of(Command.PING), TIMEOUT))
                .as("the next request is answered").map(ControlResponse::ok).contains(true);
        assertThat(server.process().isAlive()).isTrue();
        assertThat(server.errors()).doesNotContain("OutOfMemoryError");
    }

    /** A client that connects and says nothing, or half a line, must not hold a connection for ever. */
    @Test
    void aClientThatSendsNothingOrHalfALineIsDroppedAtTheDeadline() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        try (ControlServer ignored = ControlServer.start(socket, request -> ControlResponse.ok(null), Duration.ofMillis(300));
             SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             SocketChannel halfLine = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            halfLine.write(ByteBuffer.wrap("{\"command\":".getBytes(StandardCharsets.UTF_8)));
            long begin = System.nanoTime();

            assertThat(readLine(silent, TIMEOUT)).as("silent client: closed without an answer").isNull();
            assertThat(readLine(halfLine, TIMEOUT)).as("half a line: closed without an answer").isNull();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin)).isBetween(250L, 5_000L);
        }
    }

    /**
     * Out of descriptors (EMFILE), accept fails at once for as long as a connection waits: the
     * accept loop must back off, not spin a core (and flood its log), and serve again once
     * descriptors are available. The server's descriptor limit is lowered from outside (prlimit).
     */
    @Test
    void acceptFailuresBackOffInsteadOfSpinningAndServingResumes() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        ServerProcess server = startServerProcess(socket, List.of());
        long pid = server.process().pid();
        assertThat(new ControlClient(socket).send(ControlRequest.of(Command.PING), TIMEOUT)).isPresent();
        String limit = softFileLimit(pid);

        run("prlimit", "--pid", Long.toString(pid), "--nofile=3:");
        try (SocketChannel waiting = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Thread.sleep(200);
            long before = cpuTicks(pid);
            Thread.sleep(2_000);
            long used = cpuTicks(pid) - before;

            assertThat(used).as("CPU ticks (1/100 s) the server used in 2 s with accept failing").isLessThan(20);
        } finally {
            run("prlimit", "--pid", Long.toString(pid), "--nofile=" + limit + ":");
        }
        assertThat(new ControlClient(socket).send(ControlRequest.of(Command.PING), TIMEOUT))
                .as("served again").map(ControlResponse::ok).contains(true);
    }

    /**
     * The socket is 0600 in a 0700 directory; should it be reachable anyway, a client running as
     * another user is refused by its SO_PEERCRED uid. Needs root (CI runs as root) to act as
     * nobody (65534).
     */
    @Test
    void aClientRunningAsAnotherUserIsRefused() throws Exception {
        assumeRootLoudly();
        Path open = Files.createTempDirectory(Path.of("/tmp"), "stigmer-peer");
        try {
            Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path socket = open.resolve("daemon.sock");
            try (ControlServer ignored = ControlServer.start(socket, request -> ControlResponse.ok(null))) {
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

                String asNobody = ping(socket, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
                String asUs = ping(socket);

                assertThat(asUs).as("same user: answered").contains("\"ok\":true");
                assertThat(asNobody).as("another user: refused").contains("\"ok\":false").contains("FORBIDDEN");
            }
        } finally {
            try (var files = Files.walk(open)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * A daemon frozen with SIGSTOP stops accepting: once its backlog is full a connect blocks
     * until the kernel's own timeout (none for Unix sockets). The client's timeout covers the
     * connect too.
     */
    @Test
    void connectingToADaemonWhoseBacklogIsFullGivesUpAtTheTimeout() throws Exception {
        Path socket = dir.resolve("daemon.sock");
        List<SocketChannel> queued = new ArrayList<>();
        try (ServerSocketChannel frozen = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            frozen.bind(UnixDomainSocketAddress.of(socket), 1);
            while (queued.size() < 100) {
                SocketChannel filler = SocketChannel.open(StandardProtocolFamily.UNIX);
                filler.configureBlocking(false);
                try {
                    filler.connect(UnixDomainSocketAddress.of(socket));
                    queued.add(filler);
                } catch (IOException full) {
                    filler.close();
                    break;
                }
            }
            assertThat(queued.size()).as("connections queued before the backlog was full").isLessThan(100);

            long begin = System.nanoTime();
            CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
                try {
                    return new ControlClient(socket).send(ControlRequest.of(Command.PING), Duration.ofMillis(500));
                } catch (IOException e) {
                    return e;
                }
            });
            Object result = outcome.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

            assertThat(result).isInstanceOf(IOException.class).asString().contains("did not answer");
            assertThat(elapsedMillis).isBetween(400L, 5_000L);
        } finally {
            for (SocketChannel channel : queued) {
                channel.close();
            }
        }
    }

    private record ServerProcess(Process process, Path stderr) {
        /** What it printed on stderr; a spinning accept loop would fill the disk, so only the first MB. */
        String errors() throws IOException {
            try (var in = Files.newInputStream(stderr)) {
                return new String(in.readNBytes(1024 * 1024), StandardCharsets.UTF_8);
            }
        }
    }

    /** {@link ControlServerProcess} in a JVM of its own, killed after the test. */
    private ServerProcess startServerProcess(Path socket, List<String> prefix, String... jvmOptions) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                ControlServerProcess.class.getName(), socket.toString()));
        Path stderr = dir.resolve("server-" + System.nanoTime() + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.environment().putAll(processes.mark());
        Process process = builder.start();
        BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = output.readLine();
        if (!"listening".equals(first)) {
            throw new AssertionError("server did not start: " + first + " " + Files.readString(stderr));
        }
        return new ServerProcess(process, stderr);
    }

    /** One line from {@code channel}, null at end of stream; fails the test after {@code timeout}. */
    private static String readLine(SocketChannel channel, Duration timeout) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))
                        .readLine();
            } catch (IOException e) {
                return null; // reset by the peer: no answer either
            }
        }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A PING from a perl client (a process of its own, run through {@code prefix}); its answer line. */
    private String ping(Path socket, String... prefix) throws Exception {
        List<String> command = new ArrayList<>(List.of(prefix));
        command.addAll(List.of("perl", "-MIO::Socket::UNIX", "-e", """
                $SIG{PIPE} = 'IGNORE'; # a refusing server may close before our request is written: still read its answer
                my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die "connect: $!\\n";
                print $s qq({"command":"PING"}\\n);
                my $line = <$s>;
                print defined $line ? $line : "EOF\\n";
                """, socket.toString()));
        Process client = processes.start(command.toArray(String[]::new));
        String line = TestProcesses.firstLine(client);
        assertThat(client.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return line;
    }

    /** The soft limit on open files of {@code pid}, from /proc/PID/limits. */
    private static String softFileLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
            if (line.startsWith("Max open files")) {
                return line.substring("Max open files".length()).trim().split("\\s+")[0];
            }
        }
        throw new IllegalStateException("no open-file limit for " + pid);
    }

    private void run(String... command) throws Exception {
        Process process = processes.start(command);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
    }

    /** /proc/PID/stat utime + stime: CPU time in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static void assumeRootLoudly() throws IOException {
        if (((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) != 0) {
            String why = "acting as another user needs root (CI runs as root); this test did NOT run";
            System.err.println("SKIPPED (loudly): " + why);
            Assumptions.abort(why);
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
