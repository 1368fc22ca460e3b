package dev.stigmer.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stigmer.daemon.StackApi;
import dev.stigmer.process.PortOwner;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.state.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The dashboard: the page and its HTTP API on 127.0.0.1, served by the daemon with the JDK's own
 * HTTP server (module jdk.httpserver: no dependency), each exchange on a virtual thread. Every
 * request passes {@link Access} first; the routes ({@link ApiRoutes}) call the {@link StackApi}
 * only. A port that is taken never stops the stack: the dashboard is then unavailable, and status
 * says why and who holds the port.
 */
public final class DashboardServer implements AutoCloseable {
    /** Where the dashboard listens: a port, 0 (any free port) or off; read from the daemon's environment. */
    public static final String PORT_VARIABLE = DashboardPort.VARIABLE;
    private static final System.Logger LOG = System.getLogger("stigmer.dashboard");
    /** Held so the setting sticks: the JDK's server must never log a request line (it may carry the token). */
    private static final Logger JDK_SERVER_LOG = Logger.getLogger("com.sun.net.httpserver");

    private final HttpServer server;
    private final ExecutorService exchanges;
    private final String url;

    private DashboardServer(HttpServer server, ExecutorService exchanges, String url) {
        this.server = server;
        this.exchanges = exchanges;
        this.url = url;
    }

    /** What became of the dashboard at start-up: listening at a URL, off, or unavailable (and why). */
    public sealed interface Outcome {
        record Listening(DashboardServer server) implements Outcome {
        }

        record Off() implements Outcome {
        }

        record Unavailable(String reason) implements Outcome {
        }
    }

    /**
     * The daemon's dashboard: the port from {@code STIGMER_DASHBOARD_PORT} ({@code variable}, null when
     * unset) or derived from Temporal's, the token from {@code tokenFile}. Never throws: whatever goes
     * wrong leaves the dashboard unavailable, never the stack.
     */
    public static Outcome start(StackApi api, java.nio.file.Path tokenFile, String variable, int temporalPort,
                                Integer uiPort) {
        DashboardPort port;
        try {
            port = DashboardPort.resolve(variable, temporalPort, uiPort);
        } catch (IllegalArgumentException e) {
            LOG.log(WARNING, "dashboard unavailable: " + e.getMessage());
            return new Outcome.Unavailable("dashboard unavailable: " + e.getMessage());
        }
        if (port.off()) {
            return new Outcome.Off();
        }
        DashboardToken token;
        try {
            token = DashboardToken.loadOrCreate(tokenFile);
        } catch (IOException | RuntimeException e) {
            LOG.log(WARNING, "dashboard unavailable: cannot keep its token in " + tokenFile, e);
            return new Outcome.Unavailable("dashboard unavailable: cannot write " + tokenFile + ": " + e.getMessage());
        }
        return start(api, port, token);
    }

    /** Binds 127.0.0.1:{@code port} and serves; never throws for the stack's sake. */
    public static Outcome start(StackApi api, DashboardPort port, DashboardToken token) {
        if (port.off()) {
            return new Outcome.Off();
        }
        JDK_SERVER_LOG.setLevel(Level.WARNING);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port.port()), 64);
        } catch (BindException e) {
            String holder = PortOwner.listenerOf(port.port()).map(ProcessIdentity::describe).orElse("another process");
            String reason = "dashboard unavailable: port " + port.port() + " is in use by " + holder + "; set "
                    + DashboardPort.VARIABLE + " to another port (0: any free one) and run `stigmer local restart`";
            LOG.log(WARNING, reason);
            return new Outcome.Unavailable(reason);
        } catch (IOException | RuntimeException e) {
            String reason = "dashboard unavailable: cannot listen on 127.0.0.1:" + port.port() + ": " + e.getMessage();
            LOG.log(WARNING, reason, e);
            return new Outcome.Unavailable(reason);
        }
        int bound = server.getAddress().getPort();
        String url = "http://127.0.0.1:" + bound + "/";
        ExecutorService exchanges = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("dashboard-", 0).factory());
        Access access = new Access(token, bound);
        ApiRoutes routes = new ApiRoutes(api, PageAssets.load());
        server.createContext("/", exchange -> serve(exchange, access, routes));
        server.setExecutor(exchanges);
        server.start();
        LOG.log(INFO, "dashboard at " + url + " (`stigmer local ui` opens it)");
        return new Outcome.Listening(new DashboardServer(server, exchanges, url));
    }

    /** The URL without the token. */
    public String url() {
        return url;
    }

    private static void serve(HttpExchange exchange, Access access, ApiRoutes routes) {
        try (exchange) {
            Access.secureHeaders(exchange.getResponseHeaders());
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String path = exchange.getRequestURI().getPath();
            String pageToken = path.equals("/") && exchange.getRequestMethod().equals("GET") ? query.get("token") : null;
            switch (access.check(exchange, pageToken)) {
                case FOREIGN_HOST -> text(exchange, 403, "stigmer dashboard: the Host header must be 127.0.0.1 or localhost "
                        + "with this port\n");
                case NO_TOKEN -> text(exchange, 401, Access.UNAUTHORIZED_LINE);
                case FOREIGN_ORIGIN -> text(exchange, 403, "stigmer dashboard: a request that changes something must come "
                        + "from the dashboard's own page\n");
                case ALLOWED -> {
                    if (pageToken != null) {
                        exchange.getResponseHeaders().add("Set-Cookie", access.sessionCookie());
                    }
                    routes.handle(exchange, path, query);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "a dashboard exchange ended: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The path only, never the query: it may hold the token.
            LOG.log(WARNING, "dashboard: " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    + " failed", e);
        }
    }

    static void text(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    static void json(HttpExchange exchange, int status, Object value) throws IOException {
        send(exchange, status, "application/json", Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return query;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            try {
                query.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformed) {
                // ignored, as a browser would
            }
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        exchanges.shutdownNow();
    }
}
