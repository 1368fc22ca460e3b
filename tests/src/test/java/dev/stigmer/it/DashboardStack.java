package dev.stigmer.it;

import com.google.gson.JsonObject;
import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessSignals;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One running stack for a whole test class of the dashboard (starting Temporal takes seconds):
 * Temporal, an HTTP service ({@code web}), a worker-like service that logs a line a second
 * ({@code worker}) and a one-shot ({@code migrate}); the dashboard on a free port.
 */
final class DashboardStack implements AutoCloseable {
    final Stack stack;
    final int webPort;
    final Path project;

    private DashboardStack(Stack stack, int webPort, Path project) {
        this.stack = stack;
        this.webPort = webPort;
        this.project = project;
    }

    static DashboardStack start() throws IOException {
        return start("0");
    }

    /** @param dashboardPort STIGMER_DASHBOARD_PORT: a fixed one lets a page reconnect to the next daemon */
    static DashboardStack start(String dashboardPort) throws IOException {
        Stack stack = new Stack(Files.createTempDirectory(Path.of("/tmp"), "stg-").resolve("home"));
        stack.env.put("STIGMER_DASHBOARD_PORT", dashboardPort);
        int webPort = Stack.freePort();
        Path project = stack.project("""
                services:
                  migrate:
                    command: echo "migrated the schema"
                    restart: "no"
                  web:
                    command: [/usr/bin/python3, -m, http.server, "%d", --bind, 127.0.0.1]
                    port: %d
                    depends_on:
                      migrate: {condition: completed}
                    ready: {http: "http://127.0.0.1:%d/"}
                  worker:
                    command: i=0; while true; do i=$((i+1)); echo "worker tick $i"; sleep 1; done
                    watch: {paths: [src], rebuild: sh src/build.sh, debounce: 100ms}
                    depends_on:
                      web: {condition: healthy}
                      temporal: {condition: healthy, restart: true}
                """.formatted(webPort, webPort, webPort));
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("src/build.sh"), "echo built\n");
        stack.start();
        return new DashboardStack(stack, webPort, project);
    }

    /** The dashboard's URL as status --json gives it (no token). */
    URI url() {
        return URI.create(stack.status().getAsJsonObject("daemon").get("dashboard").getAsString());
    }

    int port() {
        return url().getPort();
    }

    String token() throws IOException {
        return Files.readString(stack.stigmerHome().dashboardToken()).strip();
    }

    /** The URL `stigmer local ui --no-open` prints as its last line. */
    String uiUrl() {
        CliResult ui = stack.run("local", "ui", "--no-open");
        if (ui.exitCode() != 0) {
            throw new AssertionError("ui failed: " + ui);
        }
        List<String> lines = ui.stdout().lines().toList();
        return lines.getLast();
    }

    JsonObject component(String name) {
        return stack.component(name);
    }

    @Override
    public void close() throws IOException {
        CliResult stop = stack.run("local", "stop");
        List<ProcStat> left = stack.ownedProcesses();
        for (ProcStat process : left) {
            ProcessSignals.send(process, Linux.SIGKILL);
        }
        try (Stream<Path> files = Files.walk(stack.home.getParent())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        if (stop.exitCode() != 0) {
            throw new AssertionError("stop after the tests failed: " + stop);
        }
        if (!left.isEmpty()) {
            throw new AssertionError("the tests left processes of their home alive after stop: " + left);
        }
    }
}
