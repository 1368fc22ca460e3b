package dev.stigmer.control;

import dev.stigmer.state.Json;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The CLI's side of the control socket: one request, one response, one connection. */
public final class ControlClient {
    private final Path socket;

    public ControlClient(Path socket) {
        this.socket = socket;
    }

    /**
     * Starts the one-time costs of a first exchange on other threads while the caller does other
     * work: the JDK's Unix-socket support seeds a SecureRandom (security providers: ~20 ms, the
     * longest part of a call after the JVM's own start) and Gson builds its adapters for the
     * request and the answer (~10 ms). Two threads, so that Gson is ready when the socket is: one
     * after the other, the exchange waited ~5 ms more for its request's JSON. For a short-lived CLI
     * that is a fifth of a call.
     */
    public static void warmUp() {
        Thread.ofPlatform().daemon().name("control-warm-up").start(() -> {
            try (SocketChannel ignored = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                // opened: that was the cost
            } catch (IOException | RuntimeException ignored) {
                // only a head start: the real exchange reports any problem
            }
        });
        Thread.ofPlatform().daemon().name("control-warm-up-json").start(() -> {
            try {
                Json.write(ControlRequest.of(ControlRequest.Command.PING));
                Json.read("{\"ok\":true}", ControlResponse.class);
            } catch (RuntimeException ignored) {
                // only a head start
            }
        });
    }

    /**
     * Sends {@code request}; empty when no daemon listens (no socket file, or a stale one) or when
     * the one that accepted closed the connection without answering: a daemon on its way out drops
     * what it has not answered (or not yet accepted) when it exits. Callers treat both alike: the
     * instance lock tells them whether a daemon is still there.
     * <p>
     * {@code timeout} bounds the whole exchange, the connect included: a daemon frozen with
     * SIGSTOP accepts nothing, and once its backlog is full a connect would block for ever.
     *
     * @throws IOException when a daemon did not take the connection and answer within
     *                     {@code timeout}, or answered something that is not a response
     */
    public Optional<ControlResponse> send(ControlRequest request, Duration timeout) throws IOException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new IOException("cannot open a Unix socket: " + e.getMessage(), e);
        }
        FutureTask<ControlResponse> exchange = new FutureTask<>(() -> exchange(channel, socket, request));
        // A platform thread, not a virtual one: virtual threads start the JDK's I/O poller, a thread
        // parked in epoll_wait that makes the JVM's exit wait ~300 ms for it (VM_Exit).
        Thread.ofPlatform().daemon().name("control-exchange").start(exchange);
        try {
            return Optional.of(exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            throw new IOException("the daemon did not answer within " + format(timeout));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException) {
                // ENOENT or ECONNREFUSED on connect: nobody home. EOF, ECONNRESET or EPIPE
                // before an answer: it went away.
                return Optional.empty();
            }
            throw new IOException("the daemon answered garbage: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            channel.close(); // also ends a connect or read still blocked in the exchange thread
        }
    }

    /**
     * Sends a request answered by a stream of lines (EVENTS): the daemon's first line (its answer)
     * must come within {@code timeout}; then {@link LineStream#readLine()} gives one JSON line per
     * event, null when the daemon went away. Empty when no daemon listens.
     */
    public Optional<LineStream> stream(ControlRequest request, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        FutureTask<LineStream> opening = new FutureTask<>(() -> {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap((Json.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            LineStream stream = new LineStream(channel);
            String first = stream.readLine();
            if (first == null) {
                throw new EOFException("closed without an answer");
            }
            ControlResponse answer = Json.read(first, ControlResponse.class);
            if (!answer.ok()) {
                throw new IllegalStateException(answer.error());
            }
            return stream;
        });
        Thread.ofPlatform().daemon().name("control-stream").start(opening);
        try {
            return Optional.of(opening.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            channel.close();
            throw new IOException("the daemon did not answer within " + format(timeout));
        } catch (ExecutionException e) {
            channel.close();
            if (e.getCause() instanceof IOException) {
                return Optional.empty();
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            channel.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /** The lines of a stream; closing it ends the stream on the daemon's side too. */
    public static final class LineStream implements AutoCloseable {
        private final SocketChannel channel;
        private final BufferedReader in;

        private LineStream(SocketChannel channel) {
            this.channel = channel;
            this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        }

        /** The next line, or null once the daemon closed the stream (or it was closed here). */
        public String readLine() throws IOException {
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static ControlResponse exchange(SocketChannel channel, Path socket, ControlRequest request) throws IOException {
        channel.connect(UnixDomainSocketAddress.of(socket));
        ByteBuffer out = ByteBuffer.wrap((Json.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null) {
            throw new EOFException("closed without an answer");
        }
        return Json.read(line, ControlResponse.class);
    }

    private static String format(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
