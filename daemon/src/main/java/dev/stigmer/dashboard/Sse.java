package dev.stigmer.dashboard;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A Server-Sent Events response kept open: one {@code data:} line per message. Writes are
 * serialised (the stack's events and the keep-alive come from different threads); a failed write
 * means the page went away, and every later one fails at once.
 */
final class Sse {
    /** A comment this often: a page that went away is noticed, and nothing between closes an idle stream. */
    static final long KEEP_ALIVE_MILLIS = 25_000;
    /** How soon a browser reconnects after the stream ends (the daemon stopped or restarted). */
    private static final int RETRY_MILLIS = 1_000;

    private final OutputStream body;
    private boolean broken;

    private Sse(OutputStream body) {
        this.body = body;
    }

    static Sse open(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.sendResponseHeaders(200, 0);
        Sse sse = new Sse(exchange.getResponseBody());
        sse.write("retry: " + RETRY_MILLIS + "\n\n");
        return sse;
    }

    /** One message; {@code json} holds no newline (JSON escapes them). */
    void send(String json) throws IOException {
        write("data: " + json + "\n\n");
    }

    void keepAlive() throws IOException {
        write(":\n\n");
    }

    private synchronized void write(String text) throws IOException {
        if (broken) {
            throw new IOException("the stream is closed");
        }
        try {
            body.write(text.getBytes(StandardCharsets.UTF_8));
            body.flush();
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }
}
