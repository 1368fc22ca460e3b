package dev.stigmer.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stigmer.process.Ownership;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** stigmer local, driven through the ./stigmer launcher exactly as a user would. */
final class StigmerPeer implements Peer {
    private final Path home;
    private final int port;
    private final Map<String, String> env;

    StigmerPeer(Path home, int port, Map<String, String> extraEnv) {
        this.home = home;
        this.port = port;
        this.env = new java.util.HashMap<>(Map.of("STIGMER_HOME", home.toString(),
                "STIGMER_TEMPORAL_PORT", Integer.toString(port), "PATH", "/usr/bin:/bin"));
        this.env.putAll(extraEnv);
    }

    @Override
    public String name() {
        return "stigmer";
    }

    @Override
    public int port() {
        return port;
    }

    Path home() {
        return home;
    }

    List<String> cli(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(Bench.ROOT.resolve("stigmer").toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Override
    public void coldStart() {
        Bench.runChecked(env, cli("local", "start"));
    }

    @Override
    public Bench.Run idempotentCall() {
        return Bench.runChecked(env, cli("local"));
    }

    @Override
    public List<String> statusCommand() {
        return cli("local", "status");
    }

    Map<String, String> env() {
        return env;
    }

    /** From run/daemon.json (cheap enough to poll), checked against the live process. */
    @Override
    public long supervisorPid() {
        return dev.stigmer.state.Json.readFile(home.resolve("run/daemon.json"), dev.stigmer.control.DaemonRecord.class)
                .filter(dev.stigmer.control.DaemonRecord::isComplete)
                .filter(r -> r.identity().isAlive())
                .map(dev.stigmer.control.DaemonRecord::pid).orElse(-1L);
    }

    @Override
    public long temporalPid() {
        long daemon = supervisorPid();
        return daemon < 0 ? -1 : Bench.children(daemon).stream().findFirst().orElse(-1L);
    }

    /** The exact command line stigmer runs for Temporal (from its identity record). */
    List<String> temporalCommand() throws IOException {
        JsonObject record = JsonParser.parseString(Files.readString(home.resolve("run/temporal.json"))).getAsJsonObject();
        return record.getAsJsonArray("command").asList().stream().map(e -> e.getAsString()).toList();
    }

    @Override
    public void stop() {
        Bench.runChecked(env, cli("local", "stop"));
    }

    @Override
    public boolean nothingLeft() {
        return Ownership.scan(home).isEmpty();
    }

    @Override
    public void close() {
        Bench.run(env, cli("local", "stop"));
    }
}
