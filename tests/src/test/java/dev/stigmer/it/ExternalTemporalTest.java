package dev.stigmer.it;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An external Temporal (temporal.external or a temporal.toml profile): nothing of Temporal runs
 * here; the daemon checks it on schedule, services that depend on it wait for it and get its
 * client variables, and stop never touches it. The external Temporal is the embedded one,
 * started by the test on its own port, plain or behind TLS (certificates made by keytool) and
 * an API key: no real Temporal Cloud is reachable from here.
 */
@ExtendWith(StackExtension.class)
class ExternalTemporalTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String KEY_VARIABLE = "STIGMER_TEST_TEMPORAL_KEY";
    private static final String KEY = "sk-test-4f1d-correct-horse";

    /** The stack file of these tests: the service `dump` waits for Temporal, then writes its TEMPORAL_* variables. */
    private static String stackFile(String temporal) {
        return temporal + """
                services:
                  dump:
                    command: env | grep '^TEMPORAL_' | sort > temporal.env; exec sleep 600
                    depends_on: [temporal]
                """;
    }

    private static Map<String, String> variables(Path project) throws Exception {
        Path file = project.resolve("temporal.env");
        await().atMost(PATIENCE).until(() -> Files.exists(file) && Files.readString(file).endsWith("\n"));
        Map<String, String> variables = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(file)) {
            variables.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        return variables;
    }

    /** No local port of ours: the external Temporal is named by the stack file alone. */
    private static void external(Stack stack) {
        stack.env.remove("STIGMER_TEMPORAL_PORT");
    }

    @Test
    void aPlainExternalTemporalIsWatchedNotRunAndStopLeavesItServing(Stack stack) throws Exception {
        external(stack);
        try (ExternalServer server = ExternalServer.start(Stack.freePort(), stack.home.getParent(), List.of(), Map.of())) {
            Path project = stack.project(stackFile("temporal:\n  external: {address: \"127.0.0.1:" + server.port + "\"}\n"));
            // A shell that still points at another Temporal (an earlier eval, a Cloud key) must not leak into services.
            CliResult start = stack.run(Map.of("TEMPORAL_API_KEY", "from-another-shell", "TEMPORAL_TLS_SERVER_NAME", "elsewhere",
                    "TEMPORAL_TLS", "true"), "local");
            assertThat(start.exitCode()).as(start + "\n" + stack.log("daemon")).isZero();
            assertThat(start.stdout()).contains("Temporal is running at " + server.address() + " (external, round trip ")
                    .contains("dump is running");

            JsonObject temporal = stack.component("temporal");
            assertThat(temporal.get("mode").getAsString()).isEqualTo("external");
            assertThat(temporal.get("state").getAsString()).isEqualTo("running");
            assertThat(temporal.get("address").getAsString()).isEqualTo(server.address());
            assertThat(stack.pid("temporal")).as("not ours: no pid").isEqualTo(-1);
            assertThat(temporal.get("roundTripMicros").getAsLong()).isPositive();
            assertThat(stack.owned("temporal")).as("no local Temporal runs").isEmpty();
            assertThat(stack.run("local", "status").stdout()).contains("external").contains("last check took");

            assertThat(variables(project)).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                    "TEMPORAL_ADDRESS", server.address(), "TEMPORAL_NAMESPACE", "default", "TEMPORAL_TLS", "false")));

            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(stack.ownedProcesses()).isEmpty();
            assertThat(server.isAlive()).as("stop never touches an external Temporal").isTrue();
            assertThat(Workflows.runGreeting(server.address(), "still serving")).isEqualTo("HELLO STILL SERVING");
        }
    }

    @Test
    void anUnreachableTemporalHoldsItsDependentsUntilItAnswers(Stack stack) throws Exception {
        external(stack);
        int port = Stack.freePort();
        Path project = stack.project(stackFile("temporal:\n  external: {address: \"127.0.0.1:" + port + "\"}\n"));

        CliResult start = stack.run("local");
        assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
        assertThat(start.errorLines().getFirst()).isEqualTo("stigmer: Temporal (external) is unreachable: 127.0.0.1:" + port
                + ": UNAVAILABLE (Connection refused); is it running, and is the address right?");
        assertThat(start.showsJavaInternals()).as("one line, no stack trace").isFalse();
        assertThat(stack.state("temporal")).isEqualTo("unreachable");
        assertThat(stack.state("dump")).isEqualTo("waiting");
        assertThat(stack.component("dump").get("lastError").getAsString()).startsWith("waiting for temporal (healthy)");
        assertThat(stack.run("local", "status").exitCode()).isEqualTo(1);

        try (ExternalServer server = ExternalServer.start(port, stack.home.getParent(), List.of(), Map.of())) {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> stack.state("temporal").equals("running"));
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> stack.state("dump").equals("running"));
            assertThat(variables(project)).containsEntry("TEMPORAL_ADDRESS", server.address());
            assertThat(stack.run("local", "status").exitCode()).isZero();

            server.close(); // gone again: three failed checks in a row
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> stack.state("temporal").equals("unreachable"));
            assertThat(stack.component("temporal").get("lastError").getAsString()).contains("Connection refused");
        }
    }

    /** The README's promise: the key travels over the socket only, so the daemon never holds it in its environment. */
    @Test
    void theVariableApiKeyEnvNamesIsKeptOutOfTheDaemonsEnvironment(Stack stack) throws Exception {
        external(stack);
        Path project = stack.project(stackFile("""
                temporal:
                  external:
                    address: "127.0.0.1:%d"
                    api_key_env: %s
                """.formatted(Stack.freePort(), KEY_VARIABLE)));
        CliResult start = stack.run(Map.of(KEY_VARIABLE, KEY), "local"); // nobody listens there: exits 1, the daemon stays
        assertThat(start.exitCode()).as(start.toString()).isEqualTo(1);
        long daemon = stack.daemonPid();
        assertThat(daemon).isPositive();
        assertThat(Files.readString(Path.of("/proc/" + daemon + "/environ"))).as("the daemon's environment")
                .doesNotContain(KEY).doesNotContain(KEY_VARIABLE + "=");
        assertThat(Files.readString(Path.of("/proc/" + daemon + "/environ"))).as("the caller's environment reached it")
                .contains("STIGMER_HOME=");
        assertThat(project).exists();
    }

    @Test
    void tlsWithItsCaAndServerNameAndAnApiKeyThatNeverReachesADiskOrAnArgv(Stack stack) throws Exception {
        external(stack);
        TestCertificates certs = TestCertificates.create(stack.home.resolveSibling("certs"));
        try (ExternalServer server = ExternalServer.start(Stack.freePort(), stack.home.getParent(),
                List.of("--tls-cert", certs.serverCert().toString(), "--tls-key", certs.serverKey().toString(),
                        "--api-key-env", KEY_VARIABLE), Map.of(KEY_VARIABLE, KEY))) {
            Path project = stack.project(stackFile("""
                    temporal:
                      external:
                        address: "127.0.0.1:%d"
                        tls: {ca: %s, server_name: %s}
                        api_key_env: %s
                    """.formatted(server.port, certs.ca(), TestCertificates.SERVER_NAME, KEY_VARIABLE)));

            CliResult start = stack.run(Map.of(KEY_VARIABLE, KEY), "local");
            assertThat(start.exitCode()).as(start + "\n" + stack.log("daemon")).isZero();
            assertThat(start.stdout()).contains("namespace default, TLS, API key");
            assertThat(stack.state("temporal")).isEqualTo("running");
            assertThat(variables(project)).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                    "TEMPORAL_ADDRESS", server.address(), "TEMPORAL_NAMESPACE", "default", "TEMPORAL_TLS", "true",
                    "TEMPORAL_TLS_SERVER_CA_CERT_PATH", certs.ca().toString(),
                    "TEMPORAL_TLS_SERVER_NAME", TestCertificates.SERVER_NAME, "TEMPORAL_API_KEY", KEY)));

            // The key: in the service's environment (it needs it), never in a file of the home, nor an argv.
            try (Stream<Path> files = Files.walk(stack.home)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(file)).as(file.toString()).doesNotContain(KEY);
                }
            }
            for (long pid : List.of(stack.daemonPid(), stack.pid("dump"))) {
                assertThat(Files.readString(Path.of("/proc/" + pid + "/cmdline"))).as("argv of " + pid).doesNotContain(KEY);
            }
            assertThat(stack.run(Map.of(KEY_VARIABLE, KEY), "local", "env").stdout()).doesNotContain(KEY)
                    .contains("export TEMPORAL_API_KEY=\"${" + KEY_VARIABLE + "}\"\n");
            assertThat(stack.run(Map.of(KEY_VARIABLE, KEY), "local", "config", "--json").stdout()).doesNotContain(KEY);

            CliResult wrongKey = stack.run(Map.of(KEY_VARIABLE, "sk-wrong"), "local");
            assertThat(wrongKey.exitCode()).as(wrongKey.toString()).isEqualTo(1);
            assertThat(wrongKey.stderr()).contains("UNAUTHENTICATED Request unauthorized.; the server refused the credentials: "
                    + "check the API key");
            assertThat(stack.component("temporal").get("lastError").getAsString()).contains("UNAUTHENTICATED");

            CliResult noKey = stack.run("local");
            assertThat(noKey.exitCode()).isEqualTo(2);
            assertThat(noKey.stderr()).contains(project.resolve("stigmer.yaml") + ":5:18: temporal.external.api_key_env names "
                    + KEY_VARIABLE + ", which is not set here");

            CliResult again = stack.run(Map.of(KEY_VARIABLE, KEY), "local");
            assertThat(again.exitCode()).as("the right key again: answered again " + again).isZero();
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void aWrongCaOrAMissingServerNameIsAClearLastError(Stack stack) throws Exception {
        external(stack);
        TestCertificates certs = TestCertificates.create(stack.home.resolveSibling("certs"));
        try (ExternalServer server = ExternalServer.start(Stack.freePort(), stack.home.getParent(),
                List.of("--tls-cert", certs.serverCert().toString(), "--tls-key", certs.serverKey().toString()), Map.of())) {
            stack.project(stackFile("temporal:\n  external: {address: \"127.0.0.1:%d\", tls: {ca: %s, server_name: %s}}\n"
                    .formatted(server.port, certs.otherCa(), TestCertificates.SERVER_NAME)));
            CliResult wrongCa = stack.run("local");
            assertThat(wrongCa.exitCode()).as(wrongCa.toString()).isEqualTo(1);
            assertThat(wrongCa.stderr()).contains("is unreachable").contains("the server's certificate is not trusted: "
                    + "give its CA as tls.ca");
            assertThat(stack.component("temporal").get("lastError").getAsString()).contains("not trusted");

            stack.project(stackFile("temporal:\n  external: {address: \"127.0.0.1:%d\", tls: {ca: %s}}\n"
                    .formatted(server.port, certs.ca())));
            CliResult noName = stack.run("local");
            assertThat(noName.exitCode()).as(noName.toString()).isEqualTo(1);
            assertThat(noName.stdout()).as("another external Temporal: the stack restarts with it")
                    .contains("temporal: changed in");
            assertThat(noName.stderr()).contains("the server's certificate does not name this host: set tls.server_name");
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void mutualTlsWithAClientCertificate(Stack stack) throws Exception {
        external(stack);
        TestCertificates certs = TestCertificates.create(stack.home.resolveSibling("certs"));
        try (ExternalServer server = ExternalServer.start(Stack.freePort(), stack.home.getParent(),
                List.of("--tls-cert", certs.serverCert().toString(), "--tls-key", certs.serverKey().toString(),
                        "--tls-client-ca", certs.ca().toString()), Map.of())) {
            Path project = stack.project(stackFile("""
                    temporal:
                      external:
                        address: "127.0.0.1:%d"
                        tls: {ca: %s, cert: %s, key: %s, server_name: %s}
                    """.formatted(server.port, certs.ca(), certs.clientCert(), certs.clientKey(), TestCertificates.SERVER_NAME)));
            CliResult start = stack.run("local");
            assertThat(start.exitCode()).as(start + "\n" + stack.log("daemon")).isZero();
            assertThat(variables(project)).containsEntry("TEMPORAL_TLS_CLIENT_CERT_PATH", certs.clientCert().toString())
                    .containsEntry("TEMPORAL_TLS_CLIENT_KEY_PATH", certs.clientKey().toString());
        }
    }

    @Test
    void aProfileOfTemporalTomlNamesTheExternalTemporal(Stack stack) throws Exception {
        external(stack);
        try (ExternalServer server = ExternalServer.start(Stack.freePort(), stack.home.getParent(), List.of(), Map.of())) {
            Path toml = stack.home.resolveSibling("temporal.toml");
            Files.writeString(toml, """
                    [profile.default]
                    address = "127.0.0.1:1"

                    [profile.team]
                    address = "%s"
                    namespace = "default"
                    """.formatted(server.address()));
            Path project = stack.project(stackFile("temporal:\n  profile: team\n"));
            Map<String, String> env = Map.of("TEMPORAL_CONFIG_FILE", toml.toString());

            CliResult start = stack.run(env, "local");
            assertThat(start.exitCode()).as(start + "\n" + stack.log("daemon")).isZero();
            assertThat(start.stdout()).contains("declared in profile team of " + toml);
            assertThat(variables(project)).containsEntry("TEMPORAL_ADDRESS", server.address());
            assertThat(stack.run(env, "local", "env").stdout()).contains("export TEMPORAL_PROFILE=team\n")
                    .contains("export TEMPORAL_CONFIG_FILE=" + toml + "\n");

            Path file = stack.project(stackFile("temporal:\n  profile: staging\n")).resolve("stigmer.yaml");
            CliResult missing = stack.run(env, "local");
            assertThat(missing.exitCode()).isEqualTo(2);
            assertThat(missing.errorLines()).containsExactly("stigmer: " + file + ":2:12: profile 'staging' (from "
                    + "temporal.profile) is not in " + toml + " (its profiles: default, team); fix the name or add it");
            assertThat(stack.state("temporal")).as("nothing changed").isEqualTo("running");
        }
    }

    @Test
    void switchingTheFileBetweenALocalAndAnExternalTemporalReplacesTheStack(Stack stack) throws Exception {
        external(stack);
        try (ExternalServer server = ExternalServer.start(Stack.freePort(), stack.home.getParent(), List.of(), Map.of())) {
            String local = "temporal:\n  port: " + stack.port + "\n";
            stack.project(stackFile(local));
            stack.start();
            long localTemporal = stack.pid("temporal");
            assertThat(stack.component("temporal").get("mode").getAsString()).isEqualTo("embedded");

            Path project = stack.project(stackFile("temporal:\n  external: {address: \"" + server.address() + "\"}\n"));
            Files.deleteIfExists(project.resolve("temporal.env"));
            CliResult toExternal = stack.start();
            assertThat(toExternal.stdout()).contains("temporal: changed in " + project.resolve("stigmer.yaml") + ", replaced");
            assertThat(stack.component("temporal").get("mode").getAsString()).isEqualTo("external");
            assertThat(ProcessHandle.of(localTemporal).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(stack.owned("temporal")).isEmpty();
            assertThat(variables(project)).containsEntry("TEMPORAL_ADDRESS", server.address());

            stack.project(stackFile(local));
            Files.deleteIfExists(project.resolve("temporal.env"));
            CliResult toLocal = stack.start();
            assertThat(toLocal.stdout()).contains("temporal: changed in");
            assertThat(stack.component("temporal").get("mode").getAsString()).isEqualTo("embedded");
            assertThat(variables(project)).containsEntry("TEMPORAL_ADDRESS", stack.address());
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void aLocalTemporalLeftByAKilledDaemonIsStoppedWhenTheTemporalBecomesExternal(Stack stack) throws Exception {
        external(stack);
        try (ExternalServer server = ExternalServer.start(Stack.freePort(), stack.home.getParent(), List.of(), Map.of())) {
            stack.project(stackFile("temporal:\n  port: " + stack.port + "\n"));
            stack.start();
            long localTemporal = stack.pid("temporal");
            dev.stigmer.os.Linux.kill(stack.daemonPid(), dev.stigmer.os.Linux.SIGKILL);

            stack.project(stackFile("temporal:\n  external: {address: \"" + server.address() + "\"}\n"));
            stack.start();
            assertThat(stack.component("temporal").get("mode").getAsString()).isEqualTo("external");
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> stack.owned("temporal").isEmpty());
            assertThat(Files.exists(Path.of("/proc/" + localTemporal + "/stat"))
                    && !Files.readString(Path.of("/proc/" + localTemporal + "/stat")).contains(") Z ")).isFalse();
            assertThat(stack.stigmerHome().componentRecord("temporal")).doesNotExist();
        }
    }

    @Test
    void envPrintsTheClientVariablesInEveryMode(Stack stack) throws Exception {
        CliResult embedded = stack.run("local", "env");
        assertThat(embedded.exitCode()).as(embedded.toString()).isZero();
        assertThat(embedded.stdout()).contains("export TEMPORAL_ADDRESS=127.0.0.1:" + stack.port + "\n"
                + "export TEMPORAL_NAMESPACE=default\nexport TEMPORAL_TLS=false\n")
                .contains("unset TEMPORAL_TLS_SERVER_CA_CERT_PATH TEMPORAL_TLS_CLIENT_CERT_PATH TEMPORAL_TLS_CLIENT_KEY_PATH "
                        + "TEMPORAL_TLS_SERVER_NAME TEMPORAL_API_KEY TEMPORAL_PROFILE\n");
        Path bin = StandIns.serving(stack.home.resolveSibling("bin"), stack.home.resolveSibling("args.txt"));
        assertThat(stack.run(Map.of("STIGMER_TEMPORAL_BIN", bin.toString()), "local", "env").stdout())
                .contains("(cli)").contains("export TEMPORAL_ADDRESS=127.0.0.1:" + stack.port + "\n");

        external(stack);
        Path certs = Files.createDirectories(stack.home.resolveSibling("my certs"));
        Files.writeString(certs.resolve("ca.pem"), "a CA");
        stack.project("""
                temporal:
                  external: {address: "ns.acct.tmprl.cloud:7233", namespace: "ns.acct", tls: {ca: "../my certs/ca.pem"},
                             api_key_env: %s}
                """.formatted(KEY_VARIABLE));
        CliResult external = stack.run(Map.of(KEY_VARIABLE, KEY), "local", "env");
        assertThat(external.stdout()).doesNotContain(KEY).contains("(external)")
                .contains("export TEMPORAL_ADDRESS=ns.acct.tmprl.cloud:7233\n")
                .contains("export TEMPORAL_TLS_SERVER_CA_CERT_PATH='" + certs.resolve("ca.pem") + "'\n");
        // What a shell makes of it: the quoted path intact, the key taken from the shell's own variable.
        ProcessBuilder shell = new ProcessBuilder("/bin/sh", "-c", "eval \"$STIGMER_ENV\"; printf '%s|%s|%s' "
                + "\"$TEMPORAL_TLS_SERVER_CA_CERT_PATH\" \"$TEMPORAL_API_KEY\" \"$TEMPORAL_NAMESPACE\"").redirectErrorStream(true);
        shell.environment().putAll(Map.of("STIGMER_ENV", external.stdout(), KEY_VARIABLE, KEY));
        Process evaluated = shell.start();
        assertThat(new String(evaluated.getInputStream().readAllBytes())).isEqualTo(certs.resolve("ca.pem") + "|" + KEY + "|ns.acct");
    }
}
