package dev.stigmer.cli;

import dev.stigmer.control.ControlResponse;
import dev.stigmer.control.ControlServer;
import dev.stigmer.control.LocalSettings;
import dev.stigmer.control.StatusReport;
import dev.stigmer.state.StigmerHome;
import dev.stigmer.supervision.ComponentSnapshot;
import dev.stigmer.supervision.ComponentState;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The training run for the CLI's AOT cache (scripts/train-aot.sh): the commands a user runs
 * most, against a stand-in control server in this same JVM, so the cache holds the classes of
 * the whole client path (parse, connect, request, render) and not just start-up.
 * Run with STIGMER_HOME pointing at a throw-away directory.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        StigmerHome home = StigmerHome.fromEnvironment().ensureCreated();
        LocalSettings settings = new LocalSettings(7233, false, null, false, 60_000, 5_000, 2_000, 10_000);
        ComponentSnapshot temporal = new ComponentSnapshot("temporal", ComponentState.RUNNING, 1L, "127.0.0.1:7233",
                "embedded", false, Map.of(), 0, false, System.currentTimeMillis(), null, null, List.of());
        StatusReport report = new StatusReport(new StatusReport.DaemonInfo(ProcessHandle.current().pid(),
                System.currentTimeMillis(), "training", home.root().toString(), home.socket().toString(), settings),
                List.of(temporal));
        PrintStream out = System.out;
        System.setOut(new PrintStream(PrintStream.nullOutputStream()));
        try (ControlServer ignored = ControlServer.start(home.socket(), request -> ControlResponse.ok(report))) {
            for (String[] command : List.of(new String[]{"local"}, new String[]{"local", "start"},
                    new String[]{"local", "status"}, new String[]{"local", "status", "--json"}, new String[]{"--help"})) {
                Main.execute(command);
            }
        } finally {
            System.setOut(out);
        }
        Main.execute("local", "stop", "--help");
    }
}
