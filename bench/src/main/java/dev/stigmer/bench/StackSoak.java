package dev.stigmer.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.stigmer.os.Linux;
import dev.stigmer.process.ExitKeeper;
import dev.stigmer.process.ProcFs;
import dev.stigmer.process.ProcStat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The stack under chaos: Temporal plus five services (a TCP one, a one-shot, an HTTP one that
 * depends on both, healthy and completed, and on Temporal with restart: true; one that traps its
 * stop signal; one that counts lines into its log), faults on the services and on the daemon
 * from a seeded schedule, and invariants checked continuously. Exits 1 on any violation.
 * <p>
 * Usage: {@code bench/soak --stack [--minutes N] [--seed S] [--recovery-bound-seconds B]}
 */
final class StackSoak {
    enum Fault { KILL_SERVICE, SIGSTOP_SERVICE, EXIT_NON_ZERO, ESCAPEE, LOG_FLOOD, EDIT_FILE, RESTART_BURST, STOP_START, KILL_DAEMON }

    private static final List<String> LONG_RUNNING = List.of("db", "api", "trap", "counter");
    private static final String ESCAPEE = "sleep 1001";

    private final Random random;
    private final Duration bound;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private final Map<Fault, Stats> recoveries = new EnumMap<>(Fault.class);
    private final Map<String, Boolean> reported = new ConcurrentHashMap<>();
    private final Stats all = new Stats();
    private Path work;
    private Path stackFile;
    private StigmerPeer peer;
    private int dbPort;
    private int apiPort;
    private int edits;
    private volatile boolean checking = true;
    private volatile Process follower;

    private StackSoak(long seed, Duration bound) {
        this.random = new Random(seed);
        this.bound = bound;
    }

    static int run(long seed, Duration bound, Duration length) throws Exception {
        return new StackSoak(seed, bound).run(length);
    }

    private int run(Duration length) throws Exception {
        work = Files.createTempDirectory(Path.of("/tmp"), "stigmer-stack-soak-");
        for (String script : List.of("db.py", "api.py", "migrate.py", "trap.py", "counter.py")) {
            try (InputStream in = StackSoak.class.getResourceAsStream("/stack-soak/" + script)) {
                Files.copy(in, work.resolve(script));
            }
        }
        dbPort = Bench.freePort();
        apiPort = Bench.freePort();
        stackFile = work.resolve("stigmer.yaml");
        writeStackFile();
        peer = new StigmerPeer(work.resolve("home"), Bench.freePort(), Map.of("STIGMER_FILE", stackFile.toString(),
                "STIGMER_HEALTH_INTERVAL", "1s", "STIGMER_HEALTH_TIMEOUT", "1s", "STIGMER_STOP_GRACE", "3s"));
        Thread checker = Thread.ofPlatform().daemon().name("invariants").start(this::checkContinuously);
        // A soak ended early (Ctrl-C, kill) skips the finally below: stop the stack and the
        // follower anyway, or `logs -f` and the services outlive it.
        Thread interrupted = new Thread(() -> {
            Bench.run(peer.env(), peer.cli("local", "stop"));
            Process f = follower;
            if (f != null) {
                f.destroy();
            }
        });
        Runtime.getRuntime().addShutdownHook(interrupted);
        try {
            firstStartWithTheDaemonKilledWhileTheOneShotRuns();
            ProcessBuilder follow = new ProcessBuilder(peer.cli("local", "logs", "-f", "-n", "0", "counter"))
                    .redirectOutput(work.resolve("follow.txt").toFile()).redirectError(work.resolve("follow-err.txt").toFile());
            follow.environment().putAll(peer.env());
            follower = follow.start();
            long deadline = System.nanoTime() + length.toNanos();
            while (System.nanoTime() < deadline) {
                Bench.sleep(1000 + random.nextInt(2000));
                Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
                log("fault " + fault);
                long at = System.nanoTime();
                inject(fault);
                injected.merge(fault, 1, Integer::sum);
                double seconds = awaitAllReady(at + bound.toNanos());
                if (seconds < 0) {
                    violation("not every service ready within " + bound.toSeconds() + " s of " + fault + ": " + states());
                    Bench.run(peer.env(), peer.cli("local"));
                } else {
                    recoveries.computeIfAbsent(fault, f -> new Stats()).add(seconds);
                    all.add(seconds);
                }
            }
        } finally {
            checking = false;
            checker.join(5000);
            Bench.run(peer.env(), peer.cli("local", "stop"));
            if (follower != null) {
                follower.destroy();
                follower.waitFor();
            }
            Runtime.getRuntime().removeShutdownHook(interrupted);
            finalChecks();
        }
        report();
        return violations.size();
    }

    /** `stigmer local` in the background; kill -9 of the daemon while migrate runs (and api waits on it); then `local` again. */
    private void firstStartWithTheDaemonKilledWhileTheOneShotRuns() throws Exception {
        ProcessBuilder start = new ProcessBuilder(peer.cli("local")).redirectErrorStream(true)
                .redirectOutput(work.resolve("first-start.txt").toFile());
        start.environment().putAll(peer.env());
        Process first = start.start();
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (processesOf("migrate").isEmpty() && System.nanoTime() < until) {
            Bench.sleep(20);
        }
        if (processesOf("migrate").isEmpty()) {
            violation("migrate never ran on the first start");
        } else {
            long daemon = peer.supervisorPid();
            if (daemon > 0) {
                Linux.kill(daemon, Linux.SIGKILL);
                log("killed the daemon while migrate runs and api waits");
            }
        }
        first.waitFor();
        Bench.Run again = Bench.run(peer.env(), peer.cli("local"));
        if (again.exitCode() != 0) {
            violation("the start after the daemon's kill -9 exited " + again.exitCode() + ": " + again.output().strip());
        }
        if (awaitAllReady(System.nanoTime() + bound.toNanos()) < 0) {
            violation("not every service ready after the first start: " + states());
            Bench.run(peer.env(), peer.cli("local"));
        }
    }

    private void inject(Fault fault) throws Exception {
        String victim = LONG_RUNNING.get(random.nextInt(LONG_RUNNING.size()));
        switch (fault) {
            case KILL_SERVICE -> processesOf(victim).forEach(p -> signal(p, Linux.SIGKILL));
            case SIGSTOP_SERVICE -> {
                List<Long> stopped = processesOf(victim);
                stopped.forEach(p -> signal(p, Linux.SIGSTOP));
                Bench.sleep(2000);
                stopped.forEach(p -> signal(p, Linux.SIGCONT));
            }
            case EXIT_NON_ZERO -> Files.writeString(work.resolve("exit"), "");
            case ESCAPEE -> {
                Files.writeString(work.resolve("escape"), "");
                Bench.sleep(500);
                Bench.run(peer.env(), peer.cli("local", "restart", "trap"));
                Bench.sleep(500); // the restart's stop is over: what it left is checked below
                List<Long> left = processesMatching(ESCAPEE);
                if (!left.isEmpty()) {
                    violation("the escapee trap spawned survived its restart: pids " + left);
                    left.forEach(p -> signal(p, Linux.SIGKILL));
                }
            }
            case LOG_FLOOD -> Files.writeString(work.resolve("flood"), "");
            case EDIT_FILE -> {
                edits++;
                writeStackFile();
                processesOf("counter").forEach(p -> signal(p, Linux.SIGKILL)); // a fault while the edit lands
                command("local");
            }
            case RESTART_BURST -> {
                List<Thread> burst = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    String name = i == 2 ? "trap" : "api";
                    burst.add(Thread.ofPlatform().start(() -> command("local", "restart", name)));
                }
                for (Thread thread : burst) {
                    thread.join();
                }
            }
            case STOP_START -> {
                command("local", "stop", victim);
                List<Long> left = processesOf(victim);
                if (!left.isEmpty()) {
                    violation("`stop " + victim + "` returned while its processes live: " + left);
                }
                command("local");
            }
            case KILL_DAEMON -> {
                long daemon = peer.supervisorPid();
                if (daemon > 0) {
                    Linux.kill(daemon, Linux.SIGKILL);
                }
                Bench.sleep(random.nextInt(1000));
                command("local");
            }
        }
    }

    /** The invariants that hold at every moment, checked every 100 ms. */
    private void checkContinuously() {
        while (checking) {
            for (String service : List.of("db", "api", "trap", "counter", "migrate")) {
                List<Long> live = instancesOf(service);
                if (live.size() > 1) {
                    once("two:" + live, "two live processes of " + service + " at once: pids " + live);
                }
            }
            List<String> runs = lines("migrate-runs");
            if (runs.size() > 1) {
                once("migrate-runs", "the one-shot migrate ran " + runs.size() + " times: " + runs);
            }
            Map<String, Integer> signals = new HashMap<>();
            for (String line : lines("signals")) {
                signals.merge(line.split(" ")[0], 1, Integer::sum);
            }
            signals.forEach((pid, count) -> {
                if (count > 1) {
                    once("signals:" + pid, "trap (pid " + pid + ") got its stop signal " + count + " times in one stop");
                }
            });
            Bench.sleep(100);
        }
    }

    private void finalChecks() throws IOException {
        for (String service : List.of("db", "api", "trap", "counter", "migrate")) {
            List<Long> left = leftoversOf(service);
            if (!left.isEmpty()) {
                violation("after `local stop`, " + service + " still runs: " + left);
            }
        }
        if (!processesMatching(ESCAPEE).isEmpty()) {
            violation("after `local stop`, escapees live: " + processesMatching(ESCAPEE));
            processesMatching(ESCAPEE).forEach(p -> signal(p, Linux.SIGKILL));
        }
        List<String> done = lines("migrate-done");
        if (lines("migrate-runs").size() != 1 || done.isEmpty()) {
            violation("migrate should have run once and completed: runs " + lines("migrate-runs") + ", done " + done);
        } else {
            long completed = Long.parseLong(done.getFirst().strip());
            for (String start : lines("api-starts")) {
                if (Long.parseLong(start.strip()) < completed) {
                    violation("api started " + (completed - Long.parseLong(start.strip())) / 1_000_000
                            + " ms before migrate completed");
                }
            }
        }
        checkFollowedLog();
    }

    /** `logs -f counter` beside it all: each counter process's numbers, in order, none missing. */
    private void checkFollowedLog() throws IOException {
        Path followed = work.resolve("follow.txt");
        if (!Files.exists(followed)) {
            violation("logs -f printed nothing");
            return;
        }
        Map<String, Long> last = new HashMap<>();
        long lines = 0;
        long gaps = 0;
        for (String line : Files.readAllLines(followed)) {
            lines++;
            String[] parts = line.split(" ");
            if (parts.length != 2 || !parts[1].matches("\\d+")) {
                gaps++;
                once("follow-form", "logs -f printed a line that is not one the counter wrote: '" + line + "'");
                continue;
            }
            long n = Long.parseLong(parts[1]);
            Long previous = last.put(parts[0], n);
            if (previous != null && n != previous + 1) {
                gaps++;
                once("follow-gap:" + parts[0], "logs -f: counter pid " + parts[0] + " went from " + previous + " to " + n);
            }
        }
        String err = Files.readString(work.resolve("follow-err.txt")).strip();
        if (!err.isEmpty()) {
            violation("logs -f said on stderr: " + err);
        }
        System.out.printf("logs -f beside it: %d lines from %d counter processes, %d gaps%n", lines, last.size(), gaps);
    }

    /** Seconds until every service is running (migrate completed) and Temporal serves; -1 past the deadline. */
    private double awaitAllReady(long deadline) {
        long from = System.nanoTime();
        while (System.nanoTime() < deadline) {
            if (allReady()) {
                return (System.nanoTime() - from) / 1e9;
            }
            Bench.sleep(100);
        }
        return -1;
    }

    private boolean allReady() {
        Map<String, String> states = states();
        return states.size() == 6 && states.entrySet().stream().allMatch(e ->
                e.getValue().equals(e.getKey().equals("migrate") ? "completed" : "running"));
    }

    private Map<String, String> states() {
        Map<String, String> states = new HashMap<>();
        Bench.Run status = Bench.run(peer.env(), peer.cli("local", "status", "--json"));
        try {
            JsonObject json = JsonParser.parseString(status.output()).getAsJsonObject();
            for (JsonElement component : json.getAsJsonArray("components")) {
                JsonObject c = component.getAsJsonObject();
                states.put(c.get("name").getAsString(), c.get("state").getAsString());
            }
        } catch (RuntimeException e) {
            // no daemon, or not JSON: not ready
        }
        return states;
    }

    private void writeStackFile() throws IOException {
        String w = work.toString();
        Files.writeString(stackFile, """
                services:
                  db:
                    command: [python3, %1$s/db.py, svc=db, "%2$d"]
                    port: %2$d
                    ready: {tcp: %2$d, interval: 250ms}
                  migrate:
                    command: [python3, %1$s/migrate.py, svc=migrate, %1$s]
                    restart: "no"
                  api:
                    command: [python3, %1$s/api.py, svc=api, "%3$d", %1$s]
                    port: %3$d
                    env: {EDITS: "%4$d"}
                    depends_on:
                      db: {condition: healthy}
                      migrate: {condition: completed}
                      temporal: {condition: healthy, restart: true}
                    ready: {http: "http://127.0.0.1:%3$d/", interval: 250ms}
                  trap:
                    command: [python3, -u, %1$s/trap.py, svc=trap, %1$s]
                    ready: {log: READY}
                  counter:
                    command: [python3, -u, %1$s/counter.py, svc=counter, %1$s]
                """.formatted(w, dbPort, apiPort, edits));
    }

    /**
     * The service's own live processes. A one-shot runs under an exit keeper (a {@code sh} that
     * outlives the daemon to record the status), whose command line holds the command's too: it
     * is not a second run, so it is not counted here (see {@link #leftoversOf}).
     */
    private List<Long> processesOf(String service) {
        List<Long> pids = processesMatching(" svc=" + service + " ");
        pids.removeIf(pid -> ProcFs.commandLine(pid).map(c -> c.contains(ExitKeeper.ARGV0)).orElse(false));
        return pids;
    }

    /**
     * The service's processes that are not children of another of them: its instances. A process
     * that forks (trap.py spawning its escapee) has a child with its own command line until the
     * child execs; that is one run's tree, not a second run.
     */
    private List<Long> instancesOf(String service) {
        List<Long> pids = processesOf(service);
        return pids.stream().filter(pid -> ProcFs.stat(pid).map(s -> !pids.contains(s.ppid())).orElse(false)).toList();
    }

    /** Everything of the service still alive, its exit keeper included: after a stop, none may be. */
    private static List<Long> leftoversOf(String service) {
        return processesMatching(" svc=" + service + " ");
    }

    /** Live (not zombie) processes whose command line contains {@code text} (a trailing space matches the end too). */
    private static List<Long> processesMatching(String text) {
        List<Long> pids = new ArrayList<>();
        for (ProcStat stat : ProcFs.all()) {
            if (stat.isAlive() && ProcFs.commandLine(stat.pid()).map(c -> (c + " ").contains(text)).orElse(false)) {
                pids.add(stat.pid());
            }
        }
        return pids;
    }

    private static void signal(long pid, int signal) {
        try {
            Linux.kill(pid, signal);
        } catch (IOException e) {
            // gone meanwhile
        }
    }

    private void command(String... args) {
        Bench.Run run = Bench.run(peer.env(), peer.cli(args));
        if (run.exitCode() != 0) {
            violation("stigmer " + String.join(" ", args) + " exited " + run.exitCode() + ": " + run.output().strip());
        }
    }

    private List<String> lines(String file) {
        try {
            return Files.readAllLines(work.resolve(file));
        } catch (IOException e) {
            return List.of();
        }
    }

    private void once(String key, String message) {
        if (reported.putIfAbsent(key, true) == null) {
            violation(message);
        }
    }

    private void violation(String message) {
        violations.add(message);
        log("VIOLATION " + message);
    }

    private static void log(String message) {
        System.out.println("  " + message);
    }

    private void report() {
        System.out.println();
        System.out.println("faults by kind, and seconds until every service was ready again:");
        injected.forEach((fault, count) -> {
            Stats stats = recoveries.get(fault);
            System.out.printf("  %-16s %3d   %s%n", fault, count, stats == null ? "never recovered"
                    : String.format("median %.2f  %s", stats.median(), stats.tail("%.2f")));
        });
        if (all.count() > 0) {
            System.out.printf("  all recoveries: median %.2f s, p95 %.2f s, max %.2f s%n", all.median(), all.p95(), all.max());
        }
        System.out.println(violations.isEmpty() ? "invariant violations: none" : "invariant violations: " + violations.size());
        violations.forEach(v -> System.out.println("  " + v));
    }
}
