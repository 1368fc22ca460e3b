package dev.stigmer.dashboard;

import com.sun.net.httpserver.HttpExchange;
import dev.stigmer.control.TemporalClientVariables;
import dev.stigmer.daemon.StackApi;
import dev.stigmer.state.Json;
import dev.stigmer.supervision.ComponentSnapshot;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.stigmer.dashboard.DashboardServer.json;

/**
 * The dashboard's HTTP API (JSON; the page uses nothing else) and its page:
 * <ul>
 *   <li>{@code GET /api/v1/status}: what `stigmer local status --json` prints</li>
 *   <li>{@code GET /api/v1/temporal}: mode, address, namespace, `stigmer local env`'s lines, Temporal's UI</li>
 *   <li>{@code GET /api/v1/graph}: each member's dependencies with their conditions, and its web address</li>
 *   <li>{@code GET /api/v1/events}: Server-Sent Events, one per transition and stack change</li>
 *   <li>{@code GET /api/v1/logs/NAME?tail=N&follow=true}, and {@code /api/v1/logs} for every component's log</li>
 *   <li>{@code POST /api/v1/components/NAME/start|stop|restart}, {@code POST /api/v1/stack/start|stop|restart}</li>
 * </ul>
 * An unknown name is 404 with a JSON error, a known path with another method 405.
 */
final class ApiRoutes {
    private static final Pattern COMPONENT_ACTION = Pattern.compile("/api/v1/components/([^/]+)/(start|stop|restart)");
    private static final Pattern STACK_ACTION = Pattern.compile("/api/v1/stack/(start|stop|restart)");
    private static final Pattern LOG = Pattern.compile("/api/v1/logs(?:/([^/]+))?");
    private static final int DEFAULT_TAIL = 200;
    /** How long an action's answer waits for a refusal before saying it was taken. */
    private static final long ACTION_ANSWER_MILLIS = 300;

    /** A JSON error: {@code {"error": "one line"}}. */
    record Error(String error) {
    }

    /** An action's answer: taken (it goes on; events and status show the rest) or done. */
    record Accepted(String action, List<String> names, boolean done) {
    }

    private final StackApi api;
    private final PageAssets assets;
    private final LogFollowers followers = new LogFollowers();

    ApiRoutes(StackApi api, PageAssets assets) {
        this.api = api;
        this.assets = assets;
    }

    void handle(HttpExchange exchange, String path, Map<String, String> query) throws IOException, InterruptedException {
        var asset = assets.get(path);
        if (asset.isPresent()) {
            if (allowed(exchange, "GET")) {
                DashboardServer.send(exchange, 200, asset.get().contentType(), asset.get().bytes());
            }
            return;
        }
        switch (path) {
            case "/api/v1/status" -> {
                if (allowed(exchange, "GET")) {
                    json(exchange, 200, api.status());
                }
                return;
            }
            case "/api/v1/graph" -> {
                if (allowed(exchange, "GET")) {
                    json(exchange, 200, api.wiring());
                }
                return;
            }
            case "/api/v1/temporal" -> {
                if (allowed(exchange, "GET")) {
                    json(exchange, 200, temporal());
                }
                return;
            }
            case "/api/v1/events" -> {
                if (allowed(exchange, "GET")) {
                    events(exchange);
                }
                return;
            }
            default -> {
            }
        }
        Matcher log = LOG.matcher(path);
        if (log.matches()) {
            if (allowed(exchange, "GET")) {
                logs(exchange, log.group(1), query);
            }
            return;
        }
        Matcher component = COMPONENT_ACTION.matcher(path);
        if (component.matches()) {
            if (allowed(exchange, "POST")) {
                String name = component.group(1);
                if (!memberNames().contains(name)) {
                    json(exchange, 404, new Error(unknown(name)));
                    return;
                }
                act(exchange, component.group(2), List.of(name));
            }
            return;
        }
        Matcher stack = STACK_ACTION.matcher(path);
        if (stack.matches()) {
            if (allowed(exchange, "POST")) {
                act(exchange, stack.group(1), List.of());
            }
            return;
        }
        json(exchange, 404, new Error(path.startsWith("/api/") ? "no such API: " + path : "no such page: " + path));
    }

    /** 405 with the one method the path takes, when the request used another. */
    private static boolean allowed(HttpExchange exchange, String method) throws IOException {
        if (exchange.getRequestMethod().equals(method)) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", method);
        json(exchange, 405, new Error(exchange.getRequestMethod() + " is not allowed here; use " + method));
        return false;
    }

    private void act(HttpExchange exchange, String action, List<String> names) throws IOException {
        CompletableFuture<?> future;
        try {
            future = switch (action) {
                case "start" -> api.start(null, names);
                case "stop" -> api.stop(names);
                default -> api.restart(names);
            };
        } catch (StackApi.Refused refused) {
            json(exchange, 409, new Error(refused.getMessage()));
            return;
        }
        try {
            future.get(ACTION_ANSWER_MILLIS, TimeUnit.MILLISECONDS);
            json(exchange, 200, new Accepted(action, names, true));
        } catch (TimeoutException stillGoing) {
            json(exchange, 202, new Accepted(action, names, false));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            if (cause instanceof StackApi.Refused refused) {
                json(exchange, 409, new Error(refused.getMessage()));
            } else {
                throw new IllegalStateException(action + " failed", cause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every event from now on, until the page goes away (a write fails: seen at the next event or keep-alive). */
    private void events(HttpExchange exchange) throws IOException, InterruptedException {
        Sse sse = Sse.open(exchange);
        CountDownLatch gone = new CountDownLatch(1);
        try (StackApi.Subscription ignored = api.subscribe(event -> {
            try {
                sse.send(Json.write(event));
            } catch (IOException e) {
                gone.countDown();
                throw new java.io.UncheckedIOException(e); // ends this subscription
            }
        })) {
            while (!gone.await(Sse.KEEP_ALIVE_MILLIS, TimeUnit.MILLISECONDS)) {
                sse.keepAlive();
            }
        }
    }

    private void logs(HttpExchange exchange, String name, Map<String, String> query) throws IOException, InterruptedException {
        int tail;
        try {
            tail = Math.clamp(Long.parseLong(query.getOrDefault("tail", Integer.toString(DEFAULT_TAIL))), 0, LogStream.MAX_TAIL);
        } catch (NumberFormatException e) {
            json(exchange, 400, new Error("tail must be a number of lines"));
            return;
        }
        List<LogStream.Source> sources = new ArrayList<>();
        if (name == null) {
            for (String member : memberNames()) {
                sources.add(new LogStream.Source(member, api.log(member)));
            }
        } else {
            try {
                sources.add(new LogStream.Source(name, api.log(name)));
            } catch (StackApi.Refused unknown) {
                json(exchange, 404, new Error("no log named '" + name + "'; there are: daemon, "
                        + String.join(", ", memberNames())));
                return;
            }
        }
        if ("true".equals(query.get("follow"))) {
            LogStream.follow(Sse.open(exchange), sources, tail, followers);
        } else {
            json(exchange, 200, Map.of("lines", LogStream.tail(sources, tail)));
        }
    }

    /** Temporal as the page's panel shows it: mode, address, namespace and `stigmer local env`'s lines. */
    record Temporal(String mode, String address, String namespace, List<String> env, String ui) {
    }

    private Temporal temporal() {
        var status = api.status();
        var settings = status.daemon().settings();
        Map<String, String> variables = TemporalClientVariables.of(settings);
        List<String> lines = new ArrayList<>();
        variables.forEach((name, value) -> lines.add("export " + name + "=" + shellQuote(value)));
        if (settings.external() != null && settings.external().apiKey()) {
            lines.add("# and TEMPORAL_API_KEY: `stigmer local env` prints how to set it (never the key itself)");
        }
        String ui = status.components().stream().filter(c -> c.kind().equals("temporal")).findFirst()
                .map(c -> c.links().get("ui")).orElse(null);
        return new Temporal(settings.mode(), settings.temporalAddress(), variables.get(TemporalClientVariables.NAMESPACE),
                lines, ui);
    }

    private static String shellQuote(String value) {
        return value.matches("[A-Za-z0-9_./:@%+=,-]+") ? value : "'" + value.replace("'", "'\\''") + "'";
    }

    private List<String> memberNames() {
        return api.status().components().stream().map(ComponentSnapshot::name).toList();
    }

    private String unknown(String name) {
        return "no component named '" + name + "'; there are: " + String.join(", ", memberNames());
    }
}
