package dev.stigmer.cli;

import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.ControlServer;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StatusReport;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The training run for the CLI's AOT cache (scripts/train-aot.sh). {@code serve} answers on the
 * control socket as a healthy daemon would, in a JVM of its own: the cache (whose classes are all
 * loaded at every start) then holds the client path only, not the server's. Without arguments it
 * runs the calls people repeat most against that stand-in: `local`, `local start`, `local status
 * [--json]`, then `local` and `local config` with a stack file. Help and errors go through
 * picocli, whose class files cannot be cached anyway. With {@code status} it runs `local status
 * [--json]` only, for the cache the launcher gives those two.
 * Run both with STIGMER_HOME pointing at the same throw-away directory. {@code daemon-command}
 * prints the daemon's command line, one argument a line, for the daemon's training run.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        StigmerHome home = StigmerHome.fromEnvironment().ensureCreated();
        if (args.length == 1 && args[0].equals("serve")) {
            serve(home);
            return;
        }
        if (args.length == 1 && args[0].equals("daemon-command")) {
            // One argument a line, for the daemon's own training run (the very line the CLI spawns).
            Daemon.command(dev.stigmer.state.Installation.current(), home).forEach(System.out::println);
            return;
        }
        PrintStream out = System.out;
        System.setOut(new PrintStream(PrintStream.nullOutputStream()));
        try {
            if (args.length == 1 && args[0].equals("status")) {
                // status.aot: `local status [--json]` alone (the launcher picks it for them). Every
                // class in a cache is loaded at start-up, and status needs neither the stack file's
                // parsers nor the start's: 14 % less CPU per call than with the whole client's cache.
                Main.execute("local", "status");
                Main.execute("local", "status", "--json");
                return;
            }
            for (String[] command : List.of(new String[]{"local"}, new String[]{"local", "start"},
                    new String[]{"local", "status"}, new String[]{"local", "status", "--json"})) {
                Main.execute(command);
            }
            // A stack file: reading, checking and resolving it (YAML, durations, hashes), and the
            // start request that carries it. The stand-in knows no services, so that start ends
            // in an error line, after the path worth caching.
            String file = trainingStack(home).toString();
            for (String[] command : List.of(new String[]{"local", "-f", file}, new String[]{"local", "config", "-f", file})) {
                Main.execute(command);
            }
        } finally {
            System.setOut(out);
        }
    }

    private static Path trainingStack(StigmerHome home) throws IOException {
        Path dir = Files.createDirectories(home.root().resolve("training"));
        Files.writeString(dir.resolve(".env"), "# training\nGREETING=hello\n");
        return Files.writeString(dir.resolve("stigmer.yaml"), """
                temporal:
                  port: 7233
                services:
                  migrate:
                    command: [sh, -c, "exit 0"]
                    restart: "no"
                  api:
                    command: exec sleep 600
                    env: {LOG_LEVEL: "${LOG_LEVEL:-debug}"}
                    env_file: .env
                    port: 18080
                    depends_on:
                      migrate: {condition: completed}
                      temporal: {condition: healthy}
                    ready: {http: "http://127.0.0.1:18080/", interval: 250ms, timeout: 1s}
                    health: {tcp: 18080, interval: 5s, timeout: 2s, failures: 3}
                  worker:
                    command: [sleep, "600"]
                    depends_on: [temporal, api]
                    ready: {log: "Worker started"}
                    restart: on-failure
                    stop_signal: INT
                    stop_grace: 20s
                """);
    }

    /** Answers every request with a running Temporal until killed. */
    private static void serve(StigmerHome home) throws Exception {
        LocalSettings settings = new LocalSettings(7233, false, null, false, 60_000, 5_000, 2_000, 10_000);
        ComponentSnapshot temporal = new ComponentSnapshot("temporal", ComponentState.RUNNING, 1L, "127.0.0.1:7233",
                "embedded", false, Map.of(), 0, false, System.currentTimeMillis(), null, null, List.of());
        StatusReport report = new StatusReport(new StatusReport.DaemonInfo(ProcessHandle.current().pid(),
                System.currentTimeMillis(), "training", home.root().toString(), home.socket().toString(), settings,
                1L, System.currentTimeMillis()),
                List.of(temporal));
        try (ControlServer ignored = ControlServer.start(home.socket(), request -> ControlResponse.ok(report).with(List.of("temporal"), 1, Map.of()))) {
            System.out.println("serving on " + home.socket());
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
