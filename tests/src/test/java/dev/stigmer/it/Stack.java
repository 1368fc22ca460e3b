package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcStat;
import dev.stigmer.state.StigmerHome;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * One test's own stigmer installation state: a fresh STIGMER_HOME, a free port (and port+1000
 * for a real CLI's UI), and a way to run the built CLI as a real process against them.
 */
final class Stack {
    static final Path ROOT = Path.of(System.getProperty("stigmer.dist", "..")).toAbsolutePath().normalize();
    static final Path JAVA = Path.of(ProcessHandle.current().info().command().orElseThrow());
    private static final Duration CLI_LIMIT = Duration.ofSeconds(120);

    final Path home;
    final int port;
    final Map<String, String> env = new HashMap<>();
    /** Put before the CLI's java (e.g. a sandbox it runs in); empty: the CLI runs as it is. */
    final List<String> launcher = new ArrayList<>();
    /** The directory the CLI runs in (where it looks for stigmer.yaml); null: the test JVM's. */
    Path cwd;

    Stack(Path home) throws IOException {
        this.home = home;
        this.port = freePortPair();
        env.put("STIGMER_HOME", home.toString());
        env.put("STIGMER_TEMPORAL_PORT", Integer.toString(port));
        env.put("PATH", "/usr/bin:/bin"); // no `temporal` found by accident: embedded unless a test says otherwise
        // Fast liveness checks and short grace keep the suite quick; the defaults are tested in core.
        env.put("STIGMER_HEALTH_INTERVAL", "500ms");
        env.put("STIGMER_HEALTH_TIMEOUT", "1s");
        env.put("STIGMER_STOP_GRACE", "3s");
    }

    StigmerHome stigmerHome() {
        return new StigmerHome(home);
    }

    /** Runs `stigmer ARGS` and waits for it. */
    CliResult run(String... args) {
        return run(Map.of(), args);
    }

    CliResult run(Map<String, String> extraEnv, String... args) {
        try {
            // In this test's own directory, not /tmp at large: nothing else may touch them.
            Path out = Files.createTempFile(home.getParent(), "stigmer-out", ".txt");
            Path err = Files.createTempFile(home.getParent(), "stigmer-err", ".txt");
            try {
                long started = System.nanoTime();
                Process process = builder(extraEnv, args)
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!process.waitFor(CLI_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError("stigmer " + String.join(" ", args) + " did not finish within " + CLI_LIMIT);
                }
                return new CliResult(process.exitValue(), Files.readString(out), Files.readString(err),
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts `stigmer ARGS` without waiting (for concurrent starts), output to {@code log}. */
    Process spawn(Path log, String... args) throws IOException {
        return builder(Map.of(), args).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Like {@link #spawn} but in a session of its own, so a test can Ctrl-C its whole group. */
    Process spawnInOwnSession(Path log, String... args) throws IOException {
        ProcessBuilder builder = builder(Map.of(), args).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.command().addFirst("setsid");
        return builder.start();
    }

    /** Starts `stigmer ARGS` without waiting, stdout to {@code out} and stderr to {@code err}. */
    Process spawn(Path out, Path err, String... args) throws IOException {
        return builder(Map.of(), args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** Starts `stigmer ARGS` with its stdout a pipe the test reads (and may close), stderr to {@code log}. */
    Process spawnWithPipedOutput(Path log, String... args) throws IOException {
        return builder(Map.of(), args).redirectError(log.toFile()).start();
    }

    private ProcessBuilder builder(Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED", "-Dstigmer.dist=" + ROOT,
                "-cp", ROOT.resolve("build/lib/cli") + "/*", "dev.stigmer.cli.Main"));
        command.addAll(List.of(args));
        command.addAll(0, launcher);
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (cwd != null) {
            builder.directory(cwd.toFile());
        }
        builder.environment().keySet().removeIf(k -> k.startsWith("STIGMER_"));
        builder.environment().putAll(env);
        builder.environment().putAll(extraEnv);
        return builder;
    }

    /** `stigmer local start`, asserting it succeeded. */
    CliResult start(String... extra) {
        List<String> args = new ArrayList<>(List.of("local", "start"));
        args.addAll(List.of(extra));
        CliResult result = run(args.toArray(String[]::new));
        if (result.exitCode() != 0) {
            throw new AssertionError("start failed: " + result + "\n--- daemon log\n" + log("daemon")
                    + "\n--- temporal log\n" + log("temporal"));
        }
        return result;
    }

    JsonObject status() {
        CliResult result = run("local", "status", "--json");
        try {
            return JsonParser.parseString(result.stdout()).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new AssertionError("status --json printed no JSON object: " + result, e);
        }
    }

    JsonObject temporal() {
        return status().getAsJsonArray("components").get(0).getAsJsonObject();
    }

    /** The pid status reports for Temporal, or -1 when null. */
    long temporalPid() {
        JsonElement pid = temporal().get("pid");
        return pid == null || pid.isJsonNull() ? -1 : pid.getAsLong();
    }

    String temporalState() {
        return temporal().get("state").getAsString();
    }

    /** kill -9 of {@code pid} (a daemon), returning once it is gone (a zombie counts as gone). */
    static void killAndAwaitGone(long pid) throws IOException {
        Linux.kill(pid, Linux.SIGKILL);
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessIdentity.of(pid).isEmpty());
    }

    long daemonPid() {
        JsonElement daemon = status().get("daemon");
        return daemon.isJsonNull() ? -1 : daemon.getAsJsonObject().get("pid").getAsLong();
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    String log(String name) {
        try {
            Path file = stigmerHome().logFile(name);
            return Files.exists(file) ? Files.readString(file) : "(no " + name + " log)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Live processes that carry this home's ownership mark, any component. */
    List<ProcStat> ownedProcesses() {
        return Ownership.scan(home).values().stream().flatMap(List::stream).toList();
    }

    List<ProcStat> owned(String component) {
        return Ownership.scan(home).getOrDefault(component, List.of());
    }

    /** Until a daemon reports Temporal running (its readiness probe saw gRPC health SERVING). */
    void awaitServing() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonObject status = status();
            // A daemon that listens has no member until the first START reaches it.
            return !status.get("daemon").isJsonNull() && !status.getAsJsonArray("components").isEmpty()
                    && "running".equals(status.getAsJsonArray("components").get(0).getAsJsonObject().get("state").getAsString());
        });
    }

    private static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            if (port <= 64535 && isFree(port) && isFree(port + 1000)) {
                return port;
            }
        }
        throw new IOException("no free port pair found");
    }

    /** A port free on 127.0.0.1 now (for a service of a test's stack). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Writes {@code yaml} as stigmer.yaml in a project directory of this test and runs the CLI there. */
    Path project(String yaml) throws IOException {
        Path dir = Files.createDirectories(home.resolveSibling("project"));
        Files.writeString(dir.resolve("stigmer.yaml"), yaml);
        cwd = dir;
        return dir;
    }

    /** The named component in `status --json`. */
    JsonObject component(String name) {
        for (JsonElement component : status().getAsJsonArray("components")) {
            if (component.getAsJsonObject().get("name").getAsString().equals(name)) {
                return component.getAsJsonObject();
            }
        }
        throw new AssertionError("status shows no component " + name + ": " + status());
    }

    String state(String name) {
        return component(name).get("state").getAsString();
    }

    /** The pid status shows for {@code name}, or -1. */
    long pid(String name) {
        JsonElement pid = component(name).get("pid");
        return pid == null || pid.isJsonNull() ? -1 : pid.getAsLong();
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
