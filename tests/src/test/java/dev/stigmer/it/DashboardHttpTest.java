package dev.stigmer.it;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard's HTTP API and its access rules, by plain HTTP against a real daemon and stack. */
class DashboardHttpTest {
    private static DashboardStack stack;
    private static int port;
    private static String token;

    @BeforeAll
    static void startStack() throws IOException {
        stack = DashboardStack.start();
        port = stack.port();
        token = stack.token();
    }

    @AfterAll
    static void stopStack() throws IOException {
        if (stack != null) {
            stack.close();
        }
    }

    private static Map<String, String> bearer() {
        return Map.of("Authorization", "Bearer " + token);
    }

    private static RawHttp.Response get(String path, Map<String, String> headers) throws IOException {
        return RawHttp.send(port, "GET", path, headers);
    }

    private static RawHttp.Response post(String path, Map<String, String> headers) throws IOException {
        return RawHttp.send(port, "POST", path, headers);
    }

    @Test
    void withoutTheTokenEveryRequestIs401WithOneLineNamingStigmerLocalUi() throws IOException {
        String wrong = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        for (String path : new String[]{"/", "/app.js", "/api/v1/status", "/api/v1/events", "/api/v1/logs/web", "/nothing"}) {
            for (Map<String, String> headers : java.util.List.of(Map.<String, String>of(),
                    Map.of("Authorization", "Bearer " + wrong),
                    Map.of("Cookie", "stigmer_session_" + port + "=" + wrong))) {
                RawHttp.Response answer = get(path, headers);
                assertThat(answer.status()).as(path + " " + headers).isEqualTo(401);
                assertThat(answer.body().lines().toList()).as(path).hasSize(1);
                assertThat(answer.body()).contains("`stigmer local ui`");
            }
        }
        assertThat(get("/?token=" + wrong, Map.of()).status()).isEqualTo(401);
        assertThat(post("/api/v1/components/web/restart", Map.of()).status()).isEqualTo(401);
        // The token in a query counts for the page only, not for the API.
        assertThat(get("/api/v1/status?token=" + token, Map.of()).status()).isEqualTo(401);
    }

    @Test
    void aForeignHostIs403EvenWithTheToken() throws IOException {
        for (String host : new String[]{"evil.example:" + port, "evil.example", "127.0.0.1:" + (port + 1), "127.0.0.2:" + port}) {
            Map<String, String> headers = new java.util.HashMap<>(bearer());
            headers.put("Host", host);
            assertThat(get("/api/v1/status", headers).status()).as(host).isEqualTo(403);
        }
        Map<String, String> localhost = new java.util.HashMap<>(bearer());
        localhost.put("Host", "localhost:" + port);
        assertThat(get("/api/v1/status", localhost).status()).isEqualTo(200);
    }

    @Test
    void aPostFromAForeignOriginIs403AndFromItsOwnPageIsTaken() throws IOException {
        String cookie = "stigmer_session_" + port + "=" + token;
        assertThat(post("/api/v1/components/migrate/start", Map.of("Cookie", cookie, "Origin", "http://evil.example"))
                .status()).isEqualTo(403);
        assertThat(post("/api/v1/components/migrate/start", Map.of("Cookie", cookie, "Origin", "http://127.0.0.1:" + (port + 1)))
                .status()).isEqualTo(403);
        assertThat(post("/api/v1/components/migrate/start", Map.of("Authorization", "Bearer " + token, "Origin", "null"))
                .status()).isEqualTo(403);
        // A browser always sends Origin on a POST: a cookie without one is not from our page.
        assertThat(post("/api/v1/components/migrate/start", Map.of("Cookie", cookie)).status()).isEqualTo(403);
        RawHttp.Response ours = post("/api/v1/components/migrate/start", Map.of("Cookie", cookie, "Origin", "http://127.0.0.1:" + port));
        assertThat(ours.status()).as(ours.body()).isIn(200, 202);
        // A script holding the token itself needs no Origin.
        assertThat(post("/api/v1/components/migrate/start", bearer()).status()).isIn(200, 202);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeadersAndNoCors() throws IOException {
        Map<String, String> withOrigin = new java.util.HashMap<>(bearer());
        withOrigin.put("Origin", "http://evil.example");
        for (RawHttp.Response answer : new RawHttp.Response[]{
                get("/", bearer()), get("/app.js", bearer()), get("/api/v1/status", withOrigin), get("/api/v1/status", Map.of()),
                get("/api/v1/nothing", bearer()), get("/api/v1/status", Map.of("Host", "evil.example"))}) {
            assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
            assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(answer.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(answer.header("Content-Security-Policy")).contains("default-src 'none'").contains("script-src 'self'")
                    .contains("connect-src 'self'").doesNotContain("unsafe").doesNotContain("http:");
            assertThat(answer.headers().keySet()).noneMatch(name -> name.startsWith("access-control-"));
        }
        // No preflight is ever granted: a foreign one is refused as such, and OPTIONS is no method of ours.
        RawHttp.Response preflight = RawHttp.send(port, "OPTIONS", "/api/v1/status", withOrigin);
        assertThat(preflight.status()).isEqualTo(403);
        assertThat(preflight.headers().keySet()).noneMatch(name -> name.startsWith("access-control-"));
        assertThat(RawHttp.send(port, "OPTIONS", "/api/v1/status", bearer()).status()).isEqualTo(405);
    }

    @Test
    void anUnknownNameIs404WithAJsonErrorAndABadMethodIs405() throws IOException {
        Map<String, String> post = new java.util.HashMap<>(bearer());
        RawHttp.Response unknown = post("/api/v1/components/nosuch/restart", post);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("Content-Type")).startsWith("application/json");
        assertThat(JsonParser.parseString(unknown.body()).getAsJsonObject().get("error").getAsString())
                .contains("nosuch").contains("web");
        RawHttp.Response unknownLog = get("/api/v1/logs/nosuch", bearer());
        assertThat(unknownLog.status()).isEqualTo(404);
        assertThat(JsonParser.parseString(unknownLog.body()).getAsJsonObject().has("error")).isTrue();
        assertThat(get("/api/v1/nothing", bearer()).status()).isEqualTo(404);
        RawHttp.Response wrongMethod = get("/api/v1/components/web/restart", bearer());
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.header("Allow")).isEqualTo("POST");
        assertThat(post("/api/v1/status", bearer()).status()).isEqualTo(405);
        assertThat(RawHttp.send(port, "DELETE", "/api/v1/components/web/stop", bearer()).status()).isEqualTo(405);
    }

    @Test
    void theUrlStigmerLocalUiPrintsGivesTheBrowserAnHttpOnlyStrictSessionCookie() throws IOException {
        String printed = stack.uiUrl();
        assertThat(printed).isEqualTo("http://127.0.0.1:" + port + "/?token=" + token);
        assertThat(Base64.getUrlDecoder().decode(token)).hasSizeGreaterThanOrEqualTo(16); // 128 bits or more
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(stack.stack.stigmerHome().dashboardToken())))
                .isEqualTo("rw-------");
        URI uri = URI.create(printed);
        RawHttp.Response page = get(uri.getPath() + "?" + uri.getQuery(), Map.of());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<title>stigmer local</title>").doesNotContain("https://").doesNotContain("//cdn");
        String setCookie = page.header("Set-Cookie");
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        assertThat(get("/api/v1/status", Map.of("Cookie", "other=1; " + cookie)).status()).isEqualTo(200);
    }

    @Test
    void theApiStatusIsTheObjectStatusJsonPrints() throws IOException {
        JsonObject cli = stack.stack.status();
        JsonObject api = JsonParser.parseString(get("/api/v1/status", bearer()).body()).getAsJsonObject();
        assertThat(cli.getAsJsonObject("daemon").get("dashboard").getAsString()).isEqualTo("http://127.0.0.1:" + port + "/");
        for (JsonObject report : new JsonObject[]{cli, api}) {
            report.getAsJsonObject("daemon").remove("uptimeMillis");
            report.getAsJsonObject("daemon").remove("reportedAtMillis");
        }
        assertThat(api).isEqualTo(cli);
    }

    @Test
    void logsGiveTheLastLinesOfOneLogOrEveryComponentsLog() throws IOException {
        JsonObject one = JsonParser.parseString(get("/api/v1/logs/migrate?tail=5", bearer()).body()).getAsJsonObject();
        assertThat(one.getAsJsonArray("lines").asList()).extracting(l -> l.getAsJsonObject().get("line").getAsString())
                .contains("migrated the schema");
        JsonObject all = JsonParser.parseString(get("/api/v1/logs?tail=1", bearer()).body()).getAsJsonObject();
        assertThat(all.getAsJsonArray("lines").asList()).extracting(l -> l.getAsJsonObject().get("name").getAsString())
                .contains("temporal", "migrate", "web", "worker");
        assertThat(get("/api/v1/logs/daemon?tail=3", bearer()).status()).isEqualTo(200);
        assertThat(get("/api/v1/logs/web?tail=x", bearer()).status()).isEqualTo(400);
    }

    @Test
    void theTokenNeverAppearsInALog() throws IOException {
        get("/?token=" + token, Map.of());
        get("/api/v1/status", bearer());
        post("/api/v1/components/nosuch/start", bearer());
        try (Stream<java.nio.file.Path> logs = Files.list(stack.stack.stigmerHome().logsDir())) {
            for (java.nio.file.Path log : logs.toList()) {
                assertThat(Files.readString(log)).as(log.toString()).doesNotContain(token);
            }
        }
    }

    @Test
    void statusTextNamesTheDashboard() {
        CliResult status = stack.stack.run("local", "status");
        assertThat(status.stdout()).contains("dashboard: http://127.0.0.1:" + port + "/").doesNotContain(token);
        JsonElement dashboard = stack.stack.status().getAsJsonObject("daemon").get("dashboard");
        assertThat(dashboard.getAsString()).doesNotContain("token");
    }
}
