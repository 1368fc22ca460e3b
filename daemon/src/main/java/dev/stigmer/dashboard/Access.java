package dev.stigmer.dashboard;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.util.Set;

/**
 * Who may use the dashboard: a browser page or a script on this machine that holds the token.
 * Local dashboards are attacked through the browser, so besides the token every request must name
 * us in {@code Host} (a DNS-rebound name does not: 403), and a state-changing request from a
 * browser must come from our own origin (CSRF: 403). No CORS header is ever sent, so no other
 * origin can read an answer.
 */
final class Access {
    static final String UNAUTHORIZED_LINE = "stigmer dashboard: no valid access token; open the URL `stigmer local ui` prints\n";
    /** Every answer carries these (the page's own assets only, nothing cached, no referrer with a token). */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final DashboardToken token;
    private final Set<String> hosts;
    private final Set<String> origins;
    private final String cookieName;

    Access(DashboardToken token, int port) {
        this.token = token;
        this.hosts = Set.of("127.0.0.1:" + port, "localhost:" + port);
        this.origins = Set.of("http://127.0.0.1:" + port, "http://localhost:" + port);
        // Cookies are per host, not per port: another home's dashboard on 127.0.0.1 must not overwrite ours.
        this.cookieName = "stigmer_session_" + port;
    }

    /** What a request is allowed, decided before any route sees it. */
    enum Verdict { ALLOWED, FOREIGN_HOST, NO_TOKEN, FOREIGN_ORIGIN }

    static void secureHeaders(Headers headers) {
        headers.set("Cache-Control", "no-store");
        headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("X-Frame-Options", "DENY");
    }

    Verdict check(HttpExchange exchange, String queryToken) {
        Headers request = exchange.getRequestHeaders();
        String host = request.getFirst("Host");
        if (host == null || !hosts.contains(host.toLowerCase(java.util.Locale.ROOT))) {
            return Verdict.FOREIGN_HOST;
        }
        boolean bearer = token.matches(bearer(request.getFirst("Authorization")));
        boolean cookie = token.matches(cookie(request.get("Cookie")));
        boolean fromUrl = queryToken != null && token.matches(queryToken);
        if (!bearer && !cookie && !fromUrl) {
            return Verdict.NO_TOKEN;
        }
        if (!exchange.getRequestMethod().equals("GET")) {
            String origin = request.getFirst("Origin");
            // Browsers send Origin on every POST; a script without one must hold the token itself (Bearer).
            if (origin == null ? !bearer : !origins.contains(origin)) {
                return Verdict.FOREIGN_ORIGIN;
            }
        }
        return Verdict.ALLOWED;
    }

    /** The session cookie the page gets from the URL `stigmer local ui` printed: the page's scripts cannot read it. */
    String sessionCookie() {
        return cookieName + "=" + token.value() + "; Path=/; HttpOnly; SameSite=Strict";
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).strip();
    }

    private String cookie(java.util.List<String> headers) {
        if (headers == null) {
            return null;
        }
        for (String header : headers) {
            for (String pair : header.split(";")) {
                String trimmed = pair.strip();
                if (trimmed.startsWith(cookieName + "=")) {
                    return trimmed.substring(cookieName.length() + 1);
                }
            }
        }
        return null;
    }
}
