package dev.stigmer.bench;

import dev.stigmer.os.Linux;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.PortOwner;
import dev.stigmer.process.ProcStat;
import dev.stigmer.process.ProcessIdentity;
import dev.stigmer.state.Json;
import dev.stigmer.supervision.ComponentRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A chaos soak: stigmer local under random faults from a seeded schedule for N minutes, while a
 * real SDK worker and client keep running workflows and invariants are checked continuously.
 * The same seed replays the same schedule of faults. Exits 1 on any invariant violation.
 * <p>
 * Usage: {@code bench/soak [--minutes N] [--seed S] [--recovery-bound-seconds B]}; with
 * {@code --stack}, the stack under chaos instead ({@link StackSoak}).
 */
public final class Soak {
    enum Fault { KILL_TEMPORAL, KILL_DAEMON, STOP_TEMPORAL, CLIENT_BURST, CORRUPT_STATE }

    private static final Map<String, String> FAST_CHECKS = Map.of(
            "STIGMER_HEALTH_INTERVAL", "1s", "STIGMER_HEALTH_TIMEOUT", "1s", "STIGMER_STOP_GRACE", "3s");

    private final long seed;
    private final Random random;
    private final Duration recoveryBound;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final Map<Fault, Stats> recoveries = new EnumMap<>(Fault.class);
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private final List<ProcessIdentity> decoys = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger burstCommands = new AtomicInteger();
    private final AtomicInteger burstFailures = new AtomicInteger();
    private final Instant began = Instant.now();
    private StigmerPeer peer;
    private ProcessIdentity reusedPidDecoy;
    private long reusedPidStartTicks;
    private volatile boolean checking = true;

    private Soak(long seed, Duration recoveryBound) {
        this.seed = seed;
        this.random = new Random(seed);
        this.recoveryBound = recoveryBound;
    }

    public static void main(String[] args) throws Exception {
        double minutes = 3;
        long seed = new Random().nextLong();
        int bound = 30;
        boolean stack = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--stack" -> stack = true;
                case "--minutes" -> minutes = Double.parseDouble(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--recovery-bound-seconds" -> bound = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: bench/soak [--stack] [--minutes N] [--seed S] [--recovery-bound-seconds B]");
                    System.exit(2);
                }
            }
        }
        System.out.printf("soak: seed %d (replay with --seed %d), %.1f minutes, recovery bound %d s%n",
                seed, seed, minutes, bound);
        Duration length = Duration.ofMillis((long) (minutes * 60_000));
        int violations = stack ? StackSoak.run(seed, Duration.ofSeconds(bound), length)
                : new Soak(seed, Duration.ofSeconds(bound)).run(length);
        System.exit(violations == 0 ? 0 : 1);
    }

    private int run(Duration length) throws Exception {
        Path work = Files.createTempDirectory(Path.of("/tmp"), "stigmer-soak-");
        peer = new StigmerPeer(work.resolve("home"), Bench.freePort(), FAST_CHECKS);
        Bench.runChecked(peer.env(), peer.cli("--version"));
        peer.coldStart();
        for (int i = 0; i < 3; i++) {
            decoys.add(decoy());
        }
        Thread checker = Thread.ofPlatform().daemon().name("invariants").start(this::checkContinuously);
        long deadline = System.nanoTime() + length.toNanos();
        try (SoakWorkload workload = new SoakWorkload(peer.port()); Health health = new Health(peer.port())) {
            while (System.nanoTime() < deadline) {
                Bench.sleep(1500 + random.nextInt(3000));
                Fault fault = pick();
                long at = System.nanoTime();
                long recoveredBy = at + recoveryBound.toNanos();
                log("fault " + fault);
                Injected hit = inject(fault);
                injected.merge(fault, 1, Integer::sum);
                // Recovered: the victim is gone, the fault's follow-up commands (an adopting start,
                // a burst) have returned, and the soak's own health check then passes; all of it
                // within the bound, counted from the fault. The commands run beside this wait, so a
                // command that waits long itself counts against the bound instead of hiding it.
                awaitGone(hit.victim(), recoveredBy);
                boolean followedUp = hit.followUp().awaitUntil(recoveredBy);
                long serving = followedUp ? health.servingBy(recoveredBy) : -1;
                if (serving > 0) {
                    recoveries.computeIfAbsent(fault, f -> new Stats()).add((serving - at) / 1e9);
                } else {
                    violation((followedUp ? "Temporal did not serve" : "the commands after the fault did not return")
                            + " within " + recoveryBound.toSeconds() + " s of " + fault);
                    hit.followUp().awaitUntil(System.nanoTime() + Duration.ofMinutes(3).toNanos());
                    peer.coldStart(); // go on from a known state
                }
            }
            Bench.sleep(2000); // let the last workflows finish
            workload.close();
            if (reusedPidDecoy == null) {
                // Without it the pid-reuse invariant (a record naming a reused pid is not ours) was never put to the test.
                violation("no decoy was placed at a reused pid (each kill of Temporal tries; writing"
                        + " /proc/sys/kernel/ns_last_pid needs root): the pid-reuse check did not run");
            }
            report(workload);
        } finally {
            checking = false;
            checker.join(5000);
            Bench.run(peer.env(), peer.cli("local", "stop"));
            finalChecks();
            for (ProcessIdentity decoy : decoys) {
                ProcessHandle.of(decoy.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        System.out.println();
        if (violations.isEmpty()) {
            System.out.println("invariant violations: none");
        } else {
            System.out.println("invariant violations: " + violations.size());
            violations.forEach(v -> System.out.println("  " + v));
        }
        return violations.size();
    }

    private Fault pick() {
        int roll = random.nextInt(100);
        if (roll < 35) {
            return Fault.KILL_TEMPORAL;
        } else if (roll < 55) {
            return Fault.KILL_DAEMON;
        } else if (roll < 70) {
            return Fault.STOP_TEMPORAL;
        } else if (roll < 90) {
            return Fault.CLIENT_BURST;
        }
        return Fault.CORRUPT_STATE;
    }

    /**
     * What a fault did: the Temporal it hit (-1 for none), and the commands it set off, which run
     * in the background so that recovery is timed from the fault by the soak itself.
     */
    private record Injected(long victim, FollowUp followUp) {
    }

    /** Commands run one after another on a thread of their own; a failing one is a violation. */
    private final class FollowUp {
        private final Thread thread;

        FollowUp(List<String[]> commands) {
            thread = Thread.ofPlatform().daemon().name("follow-up").start(() -> commands.forEach(Soak.this::command));
        }

        FollowUp(Runnable body) {
            thread = Thread.ofPlatform().daemon().name("follow-up").start(body);
        }

        /** True when every command returned by {@code deadline} (a nanoTime). */
        boolean awaitUntil(long deadline) {
            try {
                return thread.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** Waits until the process {@code victim} names is dead (or the deadline, a nanoTime, passes). */
    private void awaitGone(long victim, long deadline) {
        if (victim <= 0) {
            return;
        }
        while (ProcessIdentity.of(victim).isPresent() && System.nanoTime() < deadline) {
            Bench.sleep(5);
        }
    }

    /** Injects {@code fault}; returns what it hit and the commands it set off. */
    private Injected inject(Fault fault) throws Exception {
        long victim = -1;
        FollowUp followUp = new FollowUp(List.of());
        switch (fault) {
            case KILL_TEMPORAL -> {
                long pid = temporalLeader();
                if (pid > 0) {
                    Linux.kill(pid, Linux.SIGKILL);
                    if (reusedPidDecoy == null) {
                        placeDecoyAt(pid);
                    }
                }
            }
            case KILL_DAEMON -> {
                long daemon = peer.supervisorPid();
                if (daemon > 0) {
                    Linux.kill(daemon, Linux.SIGKILL);
                }
                long pause = random.nextInt(1000);
                followUp = new FollowUp(() -> { // the next start adopts the orphaned Temporal
                    Bench.sleep(pause);
                    command("local");
                });
            }
            case STOP_TEMPORAL -> {
                long pid = temporalLeader();
                if (pid > 0) {
                    Linux.kill(pid, Linux.SIGSTOP);
                    victim = pid;
                }
            }
            case CLIENT_BURST -> {
                List<String[]> commands = burstCommands();
                followUp = new FollowUp(() -> burst(commands));
            }
            case CORRUPT_STATE -> {
                int garbage = random.nextInt(GARBAGE.length);
                boolean recordDecoy = random.nextBoolean();
                followUp = new FollowUp(() -> {
                    command("local", "stop");
                    corruptState(garbage, recordDecoy);
                    command("local", "start");
                });
            }
        }
        return new Injected(victim, followUp);
    }

    /** The commands of one burst, drawn here so the schedule depends on the seed alone. */
    private List<String[]> burstCommands() {
        int clients = 3 + random.nextInt(4);
        List<String[]> commands = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int roll = random.nextInt(10);
            commands.add(roll < 4 ? new String[]{"local", "start"} : roll < 7 ? new String[]{"local", "status"}
                    : roll < 9 ? new String[]{"local", "restart"} : new String[]{"local", "stop"});
        }
        return commands;
    }

    /** Runs {@code commands} all at once, then a start that must succeed. */
    private void burst(List<String[]> commands) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Bench.Run>> runs = new ArrayList<>();
            for (String[] args : commands) {
                runs.add(pool.submit(() -> Bench.run(peer.env(), peer.cli(args))));
            }
            for (int i = 0; i < runs.size(); i++) {
                Bench.Run run;
                try {
                    run = runs.get(i).get();
                } catch (Exception e) {
                    violation("burst: stigmer " + String.join(" ", commands.get(i)) + " could not run: " + e);
                    continue;
                }
                burstCommands.incrementAndGet();
                boolean status = commands.get(i)[1].equals("status");
                if (run.exitCode() != 0 && !(status && (run.exitCode() == 1 || run.exitCode() == 3))) {
                    burstFailures.incrementAndGet();
                    log("burst: stigmer " + String.join(" ", commands.get(i)) + " exited " + run.exitCode() + ": "
                            + run.output().strip().lines().reduce((a, b) -> b).orElse(""));
                }
            }
        }
        command("local", "start");
    }

    private static final String[] GARBAGE = {"", "{\"pid\": 12", "not json at all", "{\"pid\":\"x\",\"startTicks\":[]}",
            "\u0000\u0001\u0002"};

    private void corruptState(int garbage, boolean recordDecoy) {
        try {
            Path run = peer.home().resolve("run");
            Files.createDirectories(run);
            Files.writeString(run.resolve("daemon.json"), GARBAGE[garbage]);
            if (reusedPidDecoy != null && recordDecoy) {
                // A record that names the decoy's pid with the start time of the Temporal that had it.
                Json.writeFile(run.resolve("temporal.json"), new ComponentRecord("temporal", reusedPidDecoy.pid(),
                        reusedPidStartTicks, reusedPidDecoy.bootId(), "java", List.of("java"), System.currentTimeMillis()));
            } else {
                Files.writeString(run.resolve("temporal.json"), GARBAGE[(garbage + 1) % GARBAGE.length]);
            }
        } catch (IOException e) {
            violation("cannot write garbage into the state files: " + e.getMessage());
        }
    }

    private void command(String... args) {
        Bench.Run run = Bench.run(peer.env(), peer.cli(args));
        if (run.exitCode() != 0) {
            violation("stigmer " + String.join(" ", args) + " exited " + run.exitCode() + ": " + run.output().strip());
        }
    }

    /** A `sleep` that is not ours (no ownership mark): it must survive everything. */
    private ProcessIdentity decoy() throws IOException {
        Process sleep = new ProcessBuilder("sleep", "100000").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return ProcessIdentity.of(sleep.pid()).orElseThrow();
    }

    /** Forces a decoy onto the pid a Temporal just died with (PID reuse), best effort. */
    private void placeDecoyAt(long pid) throws IOException {
        long startTicks = ProcFsTicks.of(pid);
        for (int attempt = 0; attempt < 20; attempt++) {
            Bench.sleep(50); // let the old pid be reaped
            try {
                Files.writeString(Path.of("/proc/sys/kernel/ns_last_pid"), Long.toString(pid - 1));
            } catch (IOException e) {
                log("cannot force pid reuse (" + e.getMessage() + "): no reused-pid decoy");
                return;
            }
            ProcessIdentity decoy = decoy();
            if (decoy.pid() == pid) {
                reusedPidDecoy = decoy;
                reusedPidStartTicks = startTicks;
                decoys.add(decoy);
                log("decoy placed at reused pid " + pid);
                return;
            }
            ProcessHandle.of(decoy.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        log("could not place a decoy at pid " + pid + " (taken or not yet reaped)");
    }

    private long temporalLeader() {
        return live("temporal").stream().filter(p -> p.pid() == p.sid()).mapToLong(ProcStat::pid).findFirst().orElse(-1);
    }

    private List<ProcStat> live(String component) {
        return Ownership.scan(peer.home()).getOrDefault(component, List.of());
    }

    private void checkContinuously() {
        while (checking) {
            long leaders = live("temporal").stream().filter(p -> p.pid() == p.sid()).count();
            if (leaders > 1) {
                violation(leaders + " live Temporal processes of this home");
            }
            int listeners = PortOwner.listenerCount(peer.port());
            if (listeners > 1) {
                violation(listeners + " listeners on port " + peer.port());
            }
            synchronized (decoys) {
                for (ProcessIdentity decoy : decoys) {
                    if (!decoy.isAlive()) {
                        violation("decoy " + decoy.describe() + " (not ours) was killed");
                    }
                }
            }
            Bench.sleep(250);
        }
    }

    private void finalChecks() {
        List<ProcStat> left = Ownership.scan(peer.home()).values().stream().flatMap(List::stream).toList();
        if (!left.isEmpty()) {
            violation("after the final stop, processes of this home are alive: " + left);
        }
        if (PortOwner.listenerCount(peer.port()) > 0) {
            violation("after the final stop, port " + peer.port() + " is still taken");
        }
        synchronized (decoys) {
            for (ProcessIdentity decoy : decoys) {
                if (!decoy.isAlive()) {
                    violation("decoy " + decoy.describe() + " (not ours) did not survive");
                }
            }
        }
    }

    private void violation(String what) {
        String line = String.format(Locale.ROOT, "%6.1f s  %s", Duration.between(began, Instant.now()).toMillis() / 1000.0, what);
        if (!violations.contains(line)) {
            violations.add(line);
            System.out.println("VIOLATION " + line);
        }
    }

    private void log(String what) {
        System.out.printf(Locale.ROOT, "%6.1f s  %s%n", Duration.between(began, Instant.now()).toMillis() / 1000.0, what);
    }

    private void report(SoakWorkload workload) {
        StringBuilder t = new StringBuilder("\n# stigmer soak, seed ").append(seed).append("\n\n");
        t.append("| fault | injected | recovered | fault to serving: median s | max s |\n|---|---|---|---|---|\n");
        for (Fault fault : Fault.values()) {
            Stats s = recoveries.get(fault);
            t.append(String.format(Locale.ROOT, "| %s | %d | %d | %s | %s |%n", fault.name().toLowerCase(Locale.ROOT),
                    injected.getOrDefault(fault, 0), s == null ? 0 : s.count(),
                    s == null ? "-" : String.format(Locale.ROOT, "%.2f", s.median()),
                    s == null ? "-" : String.format(Locale.ROOT, "%.2f", s.max())));
        }
        t.append(String.format(Locale.ROOT, "%nworkflows: %d started, %d completed, %d failed "
                        + "(the embedded Temporal keeps nothing across restarts: in-flight ones fail)%n",
                workload.started.get(), workload.completed.get(), workload.failed.get()));
        t.append(String.format(Locale.ROOT, "burst commands: %d run, %d exited non-zero%n", burstCommands.get(), burstFailures.get()));
        t.append("decoys kept alive: ").append(decoys.size())
                .append(reusedPidDecoy == null ? " (none at a reused pid)" : " (one at reused pid " + reusedPidDecoy.pid() + ")")
                .append('\n');
        System.out.print(t);
    }
}
