package dev.stigmer.control;

import dev.stigmer.state.Json;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static java.lang.System.Logger.Level.WARNING;

/**
 * The daemon's side of the control socket. Only the lock holder runs one, so a socket file left
 * by a dead daemon can be replaced without asking. The socket is 0600 inside a 0700 directory,
 * and a peer whose uid (SO_PEERCRED) is not the daemon's is refused all the same.
 * <p>
 * What a client can cost is bounded: a request is one line of at most {@value #MAX_REQUEST_BYTES}
 * bytes (longer: BAD_REQUEST, then the connection is closed), it must arrive within the request
 * deadline, and the answer must be taken within it too; otherwise the connection is closed.
 * Accept failures (EMFILE...) back off from 10 ms to 1 s instead of spinning.
 */
public final class ControlServer implements AutoCloseable {
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    public static final Duration DEFAULT_REQUEST_DEADLINE = Duration.ofSeconds(10);
    private static final System.Logger LOG = System.getLogger("stigmer.control");
    private static final byte[] LEADING_SPACE = {' '};
    private static final long FIRST_BACKOFF_MILLIS = 10;
    private static final long MAX_BACKOFF_MILLIS = 1_000;

    private final Path socket;
    private final ServerSocketChannel server;
    private final Function<ControlRequest, ControlResponse> handler;
    private final Duration deadline;
    // One timer thread for every server of this JVM (the daemon has one; tests start many).
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("control-deadlines").factory());

    private final UserPrincipal owner;
    /** Answers requests that are answered by a stream of lines (EVENTS); null: none are. */
    private volatile Streams streams;

    /**
     * A request answered by many lines, until the client closes: {@link #open} starts sending objects
     * to {@code sink} (one JSON line each) and returns what ends it.
     */
    public interface Streams {
        AutoCloseable open(ControlRequest request, LineSink sink);
    }

    /** Where a stream's objects go; a failed send means the client is gone or too slow (it is then closed). */
    public interface LineSink {
        void send(Object value) throws IOException;
    }

    private ControlServer(Path socket, ServerSocketChannel server, Function<ControlRequest, ControlResponse> handler,
                          Duration deadline, UserPrincipal owner) {
        this.socket = socket;
        this.server = server;
        this.handler = handler;
        this.deadline = deadline;
        this.owner = owner;
    }

    /** Binds {@code socket} (replacing a stale file) and serves each connection on a virtual thread. */
    public static ControlServer start(Path socket, Function<ControlRequest, ControlResponse> handler) throws IOException {
        return start(socket, handler, DEFAULT_REQUEST_DEADLINE);
    }

    /** As {@link #start(Path, Function)}, with the time a client has to send its request and take its answer. */
    public static ControlServer start(Path socket, Function<ControlRequest, ControlResponse> handler, Duration deadline)
            throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        // A deep backlog: a hundred clients at once must queue, not be refused as "not running".
        server.bind(UnixDomainSocketAddress.of(socket), 1024);
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        // The socket file was just created by this process: its owner is our uid.
        ControlServer control = new ControlServer(socket, server, handler, deadline, Files.getOwner(socket));
        // A virtual thread: its first wait in accept sets up the JDK's I/O poller now, not when
        // the first client waits (that needs a descriptor, perhaps when none is left).
        Thread.ofVirtual().name("control-accept").start(control::acceptLoop);
        return control;
    }

    /** From now on, requests of {@code command}s that stream (EVENTS) are served by {@code streams}. */
    public ControlServer withStreams(Streams streams) {
        this.streams = streams;
        return this;
    }

    private void acceptLoop() {
        long backoff = 0;
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                if (backoff != 0) {
                    warn("accepting control connections again");
                    backoff = 0;
                }
                Thread.ofVirtual().name("control-client").start(() -> serve(client));
            } catch (Throwable e) {
                // Never let this thread die (a deaf daemon is the worst outcome), never spin.
                if (!server.isOpen()) {
                    return;
                }
                if (backoff == 0) {
                    warn("accept failed: " + e + "; retrying every " + MAX_BACKOFF_MILLIS + " ms at most until it works");
                }
                backoff = backoff == 0 ? FIRST_BACKOFF_MILLIS : Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            if (!fromOwner(client)) {
                answer(client, ControlResponse.error(ControlResponse.ErrorKind.FORBIDDEN,
                        "this stigmer daemon belongs to another user"));
                return;
            }
            Request request = withDeadline(client, () -> readRequest(client));
            ControlResponse response = switch (request) {
                case Request.Closed closed -> null;
                case Request.TooLong tooLong -> ControlResponse.error(ControlResponse.ErrorKind.BAD_REQUEST,
                        "bad request: longer than " + MAX_REQUEST_BYTES / 1024 + " KiB");
                case Request.Line(String line) when streams != null && isStream(line) -> {
                    stream(client, Json.read(line, ControlRequest.class));
                    yield null;
                }
                case Request.Line(String line) when !callerStillThere(client) -> {
                    LOG.log(WARNING, "a control request whose caller had gone before it was read was not carried out "
                            + "(the daemon was frozen, or too slow for it)");
                    yield null;
                }
                case Request.Line(String line) -> handle(line);
            };
            if (response != null) {
                answer(client, response);
            }
        } catch (DeadlinePassed e) {
            LOG.log(WARNING, e.getMessage());
        } catch (IOException e) {
            LOG.log(WARNING, "control connection failed: " + e.getMessage());
        }
    }

    /**
     * Whether the caller still waits for the answer, asked before its request is carried out: a
     * CLI that gave up (it found the daemon frozen by SIGSTOP and said it cannot answer) must not
     * see its stop or start happen once the daemon is resumed, minutes later. The answer's first
     * byte, a space (JSON allows it), goes out now: a write to a connection whose other end is
     * closed fails at once (EPIPE), while one half-closed by a script (`socat`, `nc -U`) still reads.
     */
    private static boolean callerStillThere(SocketChannel client) {
        try {
            return client.write(ByteBuffer.wrap(LEADING_SPACE)) == 1;
        } catch (IOException gone) {
            return false;
        }
    }

    private boolean fromOwner(SocketChannel client) throws IOException {
        UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
        if (peer.user().equals(owner)) {
            return true;
        }
        LOG.log(WARNING, "refused a control connection from user " + peer.user().getName());
        return false;
    }

    private static boolean isStream(String line) {
        try {
            return Json.read(line, ControlRequest.class).command() == ControlRequest.Command.EVENTS;
        } catch (RuntimeException e) {
            return false; // handle() answers it
        }
    }

    /**
     * An ok line, then whatever the stream sends, until the client closes its side (read returns
     * end of input) or stops taking lines (a send past the deadline closes the connection).
     */
    private void stream(SocketChannel client, ControlRequest request) throws IOException {
        answer(client, ControlResponse.ok(null));
        Object lock = new Object();
        LineSink sink = value -> {
            ByteBuffer out = ByteBuffer.wrap((Json.write(value) + "\n").getBytes(StandardCharsets.UTF_8));
            synchronized (lock) {
                try {
                    withDeadline(client, () -> {
                        while (out.hasRemaining()) {
                            client.write(out);
                        }
                        return null;
                    });
                } catch (IOException e) {
                    client.close(); // ends the read below
                    throw e;
                }
            }
        };
        try (AutoCloseable ignored = streams.open(request, sink)) {
            ByteBuffer discard = ByteBuffer.allocate(256);
            while (client.read(discard) >= 0) {
                discard.clear(); // a client says nothing more; it only closes
            }
        } catch (IOException e) {
            // closed: the stream ends
        } catch (Exception e) {
            LOG.log(WARNING, "a control stream failed", e);
        }
    }

    private ControlResponse handle(String line) {
        try {
            return handler.apply(Json.read(line, ControlRequest.class));
        } catch (RuntimeException e) {
            // Not the line: it carries the caller's environment and may carry an API key.
            LOG.log(WARNING, "bad control request (" + line.length() + " characters): " + e, e);
            return ControlResponse.error(ControlResponse.ErrorKind.BAD_REQUEST, "bad request: " + e.getMessage());
        }
    }

    private void answer(SocketChannel client, ControlResponse response) throws IOException {
        ByteBuffer out = ByteBuffer.wrap((Json.write(response) + "\n").getBytes(StandardCharsets.UTF_8));
        withDeadline(client, () -> {
            while (out.hasRemaining()) {
                client.write(out);
            }
            return null;
        });
    }

    /** What a client sent: a line, too much, or nothing before it closed (or its time ran out). */
    private sealed interface Request {
        record Line(String text) implements Request {
        }

        record TooLong() implements Request {
        }

        record Closed() implements Request {
        }
    }

    /** Reads up to the first newline (or the end of input), never more than MAX_REQUEST_BYTES. */
    private static Request readRequest(SocketChannel client) throws IOException {
        byte[] bytes = new byte[512]; // requests are a few hundred bytes: grow only when needed
        int length = 0;
        while (true) {
            if (length == bytes.length) {
                if (length == MAX_REQUEST_BYTES) {
                    return new Request.TooLong();
                }
                bytes = Arrays.copyOf(bytes, Math.min(MAX_REQUEST_BYTES, length * 2));
            }
            int read = client.read(ByteBuffer.wrap(bytes, length, bytes.length - length));
            if (read < 0) {
                return length == 0 ? new Request.Closed()
                        : new Request.Line(new String(bytes, 0, length, StandardCharsets.UTF_8));
            }
            for (int i = length; i < length + read; i++) {
                if (bytes[i] == '\n') {
                    return new Request.Line(new String(bytes, 0, i, StandardCharsets.UTF_8));
                }
            }
            length += read;
        }
    }

    private interface Io<T> {
        T run() throws IOException;
    }

    /** Runs {@code io} on {@code client}, closing the connection if it takes longer than the deadline. */
    private <T> T withDeadline(SocketChannel client, Io<T> io) throws IOException {
        ScheduledFuture<?> expiry = DEADLINES.schedule(() -> {
            try {
                client.close(); // wakes the blocked read or write
            } catch (IOException ignored) {
                // closed either way
            }
        }, deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
            return io.run();
        } catch (IOException e) {
            throw expiry.isDone() ? new DeadlinePassed(deadline) : e;
        } finally {
            expiry.cancel(false);
        }
    }

    private static final class DeadlinePassed extends IOException {
        DeadlinePassed(Duration deadline) {
            super("closed a control connection idle for " + deadline.toMillis() + " ms");
        }
    }

    private static void warn(String message) {
        try {
            LOG.log(WARNING, message);
        } catch (Throwable ignored) {
            // logging itself may need a descriptor we do not have
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
