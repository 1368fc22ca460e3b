package dev.stigmer.bench;

import dev.stigmer.os.Linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * stigmer local against supervisord, in one run on one machine, alternating, several rounds:
 * cold start, idempotent start, crash detection, crash to serving, stop, footprint, many
 * clients, and a log flood. Prints medians and ratios and writes the table to a file.
 * <p>
 * Usage: {@code bench/run [--rounds N] [--idle-seconds S] [--flood-seconds S] [--clients N]
 * [--stack-services N] [--stack-rounds N] [--out FILE]}
 */
public final class Benchmark {
    private final Map<String, Map<String, Stats>> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    /** The 1-minute load average each figure was taken under: other work on the machine shows. */
    private final Map<String, Stats> loads = new LinkedHashMap<>();

    public static void main(String[] args) throws Exception {
        int rounds = 5;
        int idleSeconds = 60;
        int floodSeconds = 60;
        int clients = 100;
        int stackServices = 50;
        int stackRounds = 3;
        Path out = Bench.ROOT.resolve("bench/results.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--idle-seconds" -> idleSeconds = Integer.parseInt(args[++i]);
                case "--flood-seconds" -> floodSeconds = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--stack-services" -> stackServices = Integer.parseInt(args[++i]);
                case "--stack-rounds" -> stackRounds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: bench/run [--rounds N] [--idle-seconds S] [--flood-seconds S] [--clients N] "
                            + "[--stack-services N] [--stack-rounds N] [--out FILE]");
                    System.exit(2);
                }
            }
        }
        new Benchmark().run(rounds, idleSeconds, floodSeconds, clients, stackServices, stackRounds, out);
    }

    private void run(int rounds, int idleSeconds, int floodSeconds, int clients, int stackServices, int stackRounds,
                     Path out) throws Exception {
        Path work = Files.createTempDirectory(Path.of("/tmp"), "stigmer-bench-");
        StigmerPeer stigmer = new StigmerPeer(work.resolve("stigmer-home"), Bench.freePort(), Map.of());
        // The launcher builds on first use: do that outside the measurements.
        Bench.runChecked(stigmer.env(), stigmer.cli("--version"));
        stigmer.coldStart();
        List<String> temporalCommand = stigmer.temporalCommand();
        stigmer.stop();
        int supervisordPort = Bench.freePort();
        List<String> command = new ArrayList<>(temporalCommand);
        command.set(command.lastIndexOf("--port") + 1, Integer.toString(supervisordPort));
        Files.createDirectories(work.resolve("supervisord"));
        SupervisordPeer supervisord = new SupervisordPeer(work.resolve("supervisord"), supervisordPort, command);
        try (stigmer; supervisord) {
            for (int round = 1; round <= rounds; round++) {
                List<Peer> order = round % 2 == 1 ? List.of(stigmer, supervisord) : List.of(supervisord, stigmer);
                for (Peer peer : order) {
                    System.out.printf("round %d/%d: %s%n", round, rounds, peer.name());
                    lifecycleRound(peer);
                }
            }
            footprint(List.of(stigmer, supervisord), idleSeconds);
            manyClients(List.of(stigmer, supervisord), clients);
        }
        if (floodSeconds > 0) {
            logFlood(work, floodSeconds);
        }
        if (stackServices > 0) {
            StackBenchmark stack = new StackBenchmark(work.resolve("stack"), stackServices,
                    (peer, figure) -> record(peer, figure.getKey(), figure.getValue()));
            stack.sleepersFootprint();
            stack.run(stackRounds);
            notes.add(String.format(Locale.ROOT, "Stack of %d: python3 http.server each (no probes); stigmer runs its "
                    + "Temporal beside them. Start is polled from the moment each start command runs: supervisord's "
                    + "returns at once, `stigmer local` once Temporal serves and every service has stayed up 1 s.",
                    stackServices));
        }
        String table = table(rounds);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        System.out.println("written to " + out);
    }

    private void lifecycleRound(Peer peer) {
        try (Health health = new Health(peer.port())) {
            // Both measured from outside while the start command runs: supervisord's returns at
            // once, `stigmer local start` once Temporal serves.
            long started = System.nanoTime();
            java.util.concurrent.CompletableFuture<Void> command = java.util.concurrent.CompletableFuture.runAsync(peer::coldStart);
            record(peer, "cold start -> Temporal's port accepting (ms)", millisSince(started, awaitAccepting(peer.port(), command)));
            record(peer, "cold start -> serving (ms)", millisSince(started, health.awaitServing(90_000)));
            command.join();
            if (peer instanceof StigmerPeer) {
                // What the user waits for: the command returns once Temporal serves.
                record(peer, "cold start -> `stigmer local` returns (ms)", millisSince(started, System.nanoTime()));
            }

            for (int i = 0; i < 5; i++) {
                record(peer, "idempotent `stigmer local` / `supervisorctl status` (ms)", peer.idempotentCall().millis());
            }

            long victim = awaitTemporal(peer, -1);
            Linux.kill(victim, Linux.SIGKILL);
            long killed = System.nanoTime();
            awaitTemporal(peer, victim);
            record(peer, "crash -> new process (ms)", millisSince(killed, System.nanoTime()));
            record(peer, "crash -> serving (ms)", millisSince(killed, health.awaitServing(90_000)));

            long stopping = System.nanoTime();
            peer.stop();
            while (!peer.nothingLeft()) {
                Bench.sleep(1);
            }
            record(peer, "stop everything (ms)", millisSince(stopping, System.nanoTime()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls a TCP connect to {@code port} every 2 ms; returns the nanoTime it first succeeded. */
    private static long awaitAccepting(int port, java.util.concurrent.CompletableFuture<Void> command) {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return System.nanoTime();
            } catch (IOException refused) {
                if (command.isCompletedExceptionally()) {
                    command.join();
                }
                Bench.sleep(2);
            }
        }
        throw new IllegalStateException("port " + port + " not accepting within 90 s");
    }

    /** Waits for a live Temporal process other than {@code not}; returns its pid. Tight poll of /proc. */
    private static long awaitTemporal(Peer peer, long not) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            long pid = peer.temporalPid();
            if (pid > 0 && pid != not) {
                return pid;
            }
            // 0.2 ms steps: fine enough, and no spinning core taken from the peer being measured.
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        throw new IllegalStateException(peer.name() + ": no Temporal process within 30 s");
    }

    private void footprint(List<Peer> peers, int idleSeconds) {
        System.out.printf("footprint: %d s idle with Temporal healthy%n", idleSeconds);
        Map<Peer, Long> ticks = new LinkedHashMap<>();
        for (Peer peer : peers) {
            peer.coldStart();
            try (Health health = new Health(peer.port())) {
                health.awaitServing(90_000);
            }
        }
        Bench.sleep(5_000); // past start-up work
        for (Peer peer : peers) {
            ticks.put(peer, Bench.cpuTicks(peer.supervisorPid()));
        }
        Bench.sleep(idleSeconds * 1000L);
        for (Peer peer : peers) {
            long pid = peer.supervisorPid();
            double cpuSeconds = (Bench.cpuTicks(pid) - ticks.get(peer)) / (double) Bench.CLOCK_TICKS_PER_SECOND;
            record(peer, "supervisor RSS (MB)", Bench.rssKb(pid) / 1024.0);
            record(peer, "supervisor PSS (MB)", Bench.pssKb(pid) / 1024.0);
            record(peer, "supervisor idle CPU (% of a core)", 100.0 * cpuSeconds / idleSeconds);
        }
    }

    private void manyClients(List<Peer> peers, int clients) throws Exception {
        for (Peer peer : peers) {
            System.out.printf("%d simultaneous status calls: %s%n", clients, peer.name());
            Map<String, String> env = peer instanceof StigmerPeer s ? s.env() : Map.of();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Bench.Run>> calls = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    calls.add(pool.submit(() -> Bench.run(env, peer.statusCommand())));
                }
                int answered = 0;
                double last = 0;
                for (Future<Bench.Run> call : calls) {
                    Bench.Run run = call.get();
                    if (run.exitCode() == 0) {
                        answered++;
                    }
                    last = Math.max(last, run.millis());
                    record(peer, clients + " simultaneous status: latency (ms)", run.millis());
                }
                record(peer, clients + " simultaneous status: the last answered (ms)", last);
                record(peer, clients + " simultaneous status: answered", answered);
            }
            peer.stop();
        }
    }

    /** stigmer only: a Temporal that writes fast for a while; the log must stay within its bound. */
    private void logFlood(Path work, int seconds) throws IOException {
        System.out.printf("log flood: %d s%n", seconds);
        Path script = work.resolve("flood/temporal");
        Files.createDirectories(script.getParent());
        String serve = String.join(" ", Stream.concat(Stream.of(Bench.JAVA.toString(), "-XX:+UseSerialGC",
                        "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-cp",
                        "'" + Bench.ROOT.resolve("build/lib/embedded") + "/*'", "dev.stigmer.embedded.EmbeddedTemporal"),
                Stream.<String>empty()).toList());
        Files.writeString(script, """
                #!/bin/bash
                shift 2; ip=127.0.0.1; port=7233
                while [[ $# -gt 0 ]]; do case $1 in --ip) ip=$2; shift 2;; --port) port=$2; shift 2;; *) shift 2;; esac; done
                line=$(printf 'flood %%0200d' 0)
                ( end=$((SECONDS + %d)); while (( SECONDS < end )); do for i in $(seq 2000); do echo "$line"; done; done ) &
                exec %s --ip $ip --port $port
                """.formatted(seconds, serve));
        script.toFile().setExecutable(true);
        StigmerPeer flood = new StigmerPeer(work.resolve("flood-home"), Bench.freePort(),
                Map.of("STIGMER_TEMPORAL_BIN", script.toString()));
        try (flood) {
            flood.coldStart();
            Path logs = flood.home().resolve("logs");
            long maxFile = 0;
            long maxTotal = 0;
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < deadline) {
                long total = 0;
                try (Stream<Path> files = Files.list(logs)) {
                    for (Path file : files.toList()) {
                        long size = Files.exists(file) ? Files.size(file) : 0;
                        total += size;
                        if (file.getFileName().toString().equals("temporal.log")) {
                            maxFile = Math.max(maxFile, size);
                        }
                    }
                }
                maxTotal = Math.max(maxTotal, total);
                Bench.sleep(100);
            }
            long written = 0;
            try (Stream<Path> files = Files.list(logs)) {
                for (Path file : files.toList()) {
                    written += Files.size(file);
                }
            }
            record(flood, "log flood: largest temporal.log seen (MB)", maxFile / 1048576.0);
            record(flood, "log flood: largest logs/ total seen (MB)", maxTotal / 1048576.0);
            notes.add(String.format(Locale.ROOT, "Log flood: %d s of ~200-byte lines; bound 10 MB per file, 3 rotations "
                    + "(40 MB for the file and its rotations); logs/ held %.1f MB at the end.", seconds, written / 1048576.0));
        }
    }

    private void record(Peer peer, String figure, double value) {
        record(peer.name(), figure, value);
    }

    private void record(String peer, String figure, double value) {
        figures.computeIfAbsent(figure, f -> new LinkedHashMap<>()).computeIfAbsent(peer, p -> new Stats()).add(value);
        loads.computeIfAbsent(figure, f -> new Stats()).add(Bench.loadAverage());
    }

    private static double millisSince(long startNanos, long endNanos) {
        return (endNanos - startNanos) / 1e6;
    }

    private String table(int rounds) {
        StringBuilder t = new StringBuilder();
        t.append("# stigmer local vs supervisord\n\n");
        t.append(String.format(Locale.ROOT, "%s, %d rounds alternating, %d cores, %s. Medians (in brackets: p95 with 20 "
                        + "samples or more, else the max); ratio = stigmer / supervisord; load = the 1-minute load average "
                        + "while the figure's samples were taken (lowest-highest: other work on the machine).%n%n",
                LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME.withLocale(Locale.ROOT)).substring(0, 16),
                rounds, Runtime.getRuntime().availableProcessors(), System.getProperty("os.name") + " "
                        + System.getProperty("os.version")));
        t.append("| figure | stigmer | supervisord | ratio | load |\n|---|---|---|---|---|\n");
        figures.forEach((figure, byPeer) -> {
            Stats load = loads.get(figure);
            Stats s = byPeer.get("stigmer");
            Stats p = byPeer.get("supervisord");
            t.append("| ").append(figure).append(" | ").append(cell(s)).append(" | ").append(cell(p)).append(" | ")
                    .append(s != null && p != null && p.median() > 0
                            ? String.format(Locale.ROOT, "%.2f", s.median() / p.median()) : "-")
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f-%.1f", load.quantile(0), load.max()))
                    .append(" |\n");
        });
        notes.forEach(n -> t.append("\n").append(n).append("\n"));
        return t.toString();
    }

    private static String cell(Stats s) {
        if (s == null) {
            return "-";
        }
        if (s.count() == 1) {
            return String.format(Locale.ROOT, "%.1f", s.median());
        }
        return String.format(Locale.ROOT, "%.1f (%s) n=%d", s.median(), s.tail("%.1f"), s.count());
    }
}
