package dev.stigmer.bench;

import dev.stigmer.os.Linux;
import dev.stigmer.process.Ownership;
import dev.stigmer.process.ProcStat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The stack row: the same N small HTTP services (python's http.server) under stigmer (from a
 * stigmer.yaml, beside its Temporal) and under supervisord (N programs), measured from outside:
 * start until every service answers HTTP (polled from the moment the start command runs, for
 * both: supervisord's returns at once, stigmer's when everything is ready, which is its own
 * row), an idempotent re-run against `supervisorctl status`,
 * kill -9 of ten services at once until all answer again, stop until nothing is left, and the
 * supervisor's RSS with the services running.
 */
final class StackBenchmark {
    private static final int KILLED = 10;

    private final Path work;
    private final int services;
    private final List<Integer> ports = new ArrayList<>();
    private final BiConsumer<String, Map.Entry<String, Double>> record;

    /** @param record (peer name, (figure, value)) into the benchmark's table */
    StackBenchmark(Path work, int services, BiConsumer<String, Map.Entry<String, Double>> record) {
        this.work = work;
        this.services = services;
        this.record = record;
        for (int i = 0; i < services; i++) {
            ports.add(Bench.freePort());
        }
    }

    private List<String> serviceCommand(int port) {
        return List.of("python3", "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1",
                "--directory", work.resolve("www").toString());
    }

    /**
     * The supervisor's memory with N idle `sleep` services (no ports, no probes) beside stigmer's
     * Temporal: what supervising itself costs, without the services' own work.
     */
    void sleepersFootprint() throws Exception {
        List<List<String>> sleepers = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            sleepers.add(List.of("sleep", "3600"));
        }
        for (StackPeer peer : List.of(new StigmerStack("sleepers", sleepers, List.of()),
                new SupervisordStack("sleepers", sleepers))) {
            System.out.printf("%d sleep services: %s%n", services, peer.name());
            peer.start();
            while (peer.servicePids().size() < services) {
                Bench.sleep(20);
            }
            Bench.sleep(10_000); // past start-up work, as the idle footprint
            long pid = peer.supervisorPid();
            record(peer, services + " sleep services: supervisor RSS (MB)", Bench.rssKb(pid) / 1024.0);
            record(peer, services + " sleep services: supervisor PSS (MB)", Bench.pssKb(pid) / 1024.0);
            peer.stop();
            while (!peer.nothingLeft()) {
                Bench.sleep(5);
            }
        }
    }

    void run(int rounds) throws Exception {
        Files.createDirectories(work.resolve("www"));
        List<List<String>> commands = ports.stream().map(this::serviceCommand).toList();
        StigmerStack stigmer = new StigmerStack("web", commands, ports);
        SupervisordStack supervisord = new SupervisordStack("web", commands);
        for (int round = 1; round <= rounds; round++) {
            for (StackPeer peer : round % 2 == 1 ? List.of(stigmer, supervisord) : List.of(supervisord, stigmer)) {
                System.out.printf("stack of %d, round %d/%d: %s%n", services, round, rounds, peer.name());
                round(peer, round == rounds);
            }
        }
    }

    private void round(StackPeer peer, boolean measureMemory) throws Exception {
        String prefix = "stack of " + services + ": ";
        long started = System.nanoTime();
        java.util.concurrent.CompletableFuture<Void> command = java.util.concurrent.CompletableFuture.runAsync(peer::start);
        awaitAnswering(ports);
        record(peer, prefix + "start -> all answer (ms)", (System.nanoTime() - started) / 1e6);
        command.join();
        if (peer instanceof StigmerStack) {
            record(peer, prefix + "start -> `stigmer local` returns, all ready (ms)", (System.nanoTime() - started) / 1e6);
        }

        for (int i = 0; i < 3; i++) {
            record(peer, prefix + "idempotent re-run (ms)", peer.idempotentCall().millis());
        }
        if (measureMemory) {
            Bench.sleep(5_000);
            record(peer, prefix + "supervisor RSS with the services (MB)", Bench.rssKb(peer.supervisorPid()) / 1024.0);
        }

        List<Integer> victims = ports.subList(0, Math.min(KILLED, services));
        List<Long> pids = new ArrayList<>();
        for (int port : victims) {
            pids.add(listenerPid(peer, port));
        }
        long killed = System.nanoTime();
        for (long pid : pids) {
            Linux.kill(pid, Linux.SIGKILL);
        }
        awaitGone(pids);
        awaitAnswering(victims);
        record(peer, prefix + "kill -9 of " + victims.size() + " -> all answer again (ms)", (System.nanoTime() - killed) / 1e6);

        long stopping = System.nanoTime();
        peer.stop();
        while (!peer.nothingLeft()) {
            Bench.sleep(1);
        }
        record(peer, prefix + "stop everything (ms)", (System.nanoTime() - stopping) / 1e6);
    }

    private void record(StackPeer peer, String figure, double value) {
        record.accept(peer.name(), Map.entry(figure, value));
    }

    /** The process listening on {@code port} among the peer's services (a tight look at /proc). */
    private static long listenerPid(StackPeer peer, int port) {
        for (long pid : peer.servicePids()) {
            if (dev.stigmer.process.PortOwner.whoListens(port, pid) == dev.stigmer.process.PortOwner.Listener.OURS) {
                return pid;
            }
        }
        throw new IllegalStateException(peer.name() + ": nobody of ours listens on " + port);
    }

    private static void awaitGone(List<Long> pids) {
        for (long pid : pids) {
            while (dev.stigmer.process.ProcFs.stat(pid).map(ProcStat::isAlive).orElse(false)) {
                Bench.sleep(1);
            }
        }
    }

    /** Until each port answers an HTTP GET with 200; ports that answered are not asked again. */
    private static void awaitAnswering(List<Integer> ports) {
        Set<Integer> waiting = new HashSet<>(ports);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!waiting.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not answering after 120 s: " + waiting);
            }
            waiting.removeIf(StackBenchmark::answers);
            if (!waiting.isEmpty()) {
                Bench.sleep(5);
            }
        }
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.0 200");
        } catch (IOException e) {
            return false;
        }
    }

    interface StackPeer {
        String name();

        void start();

        Bench.Run idempotentCall();

        void stop();

        long supervisorPid();

        List<Long> servicePids();

        boolean nothingLeft();
    }

    /** stigmer local with a stigmer.yaml of N services (no probes: the same as supervisord knows). */
    final class StigmerStack implements StackPeer {
        private final StigmerPeer peer;
        private final Path project;
        private final String prefix;

        /** Services {@code prefix0..N-1} running {@code commands}, each with its port when {@code ports} has one. */
        StigmerStack(String prefix, List<List<String>> commands, List<Integer> ports) throws IOException {
            this.prefix = prefix;
            peer = new StigmerPeer(work.resolve("stigmer-" + prefix + "-home"), Bench.freePort(), Map.of());
            project = Files.createDirectories(work.resolve("stigmer-" + prefix));
            StringBuilder yaml = new StringBuilder("services:\n");
            for (int i = 0; i < commands.size(); i++) {
                yaml.append("  ").append(prefix).append(i).append(":\n    command: [")
                        .append(String.join(", ", commands.get(i).stream().map(a -> "\"" + a + "\"").toList()))
                        .append("]\n");
                if (i < ports.size()) {
                    yaml.append("    port: ").append(ports.get(i)).append('\n');
                }
            }
            Files.writeString(project.resolve("stigmer.yaml"), yaml.toString());
        }

        private Map<String, String> env() {
            Map<String, String> env = new java.util.HashMap<>(peer.env());
            env.put("STIGMER_FILE", project.resolve("stigmer.yaml").toString());
            return env;
        }

        @Override
        public String name() {
            return "stigmer";
        }

        @Override
        public void start() {
            Bench.runChecked(env(), peer.cli("local", "start"));
        }

        @Override
        public Bench.Run idempotentCall() {
            return Bench.runChecked(env(), peer.cli("local"));
        }

        @Override
        public void stop() {
            Bench.runChecked(env(), peer.cli("local", "stop"));
        }

        @Override
        public long supervisorPid() {
            return peer.supervisorPid();
        }

        @Override
        public List<Long> servicePids() {
            return Ownership.scan(peer.home()).entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .flatMap(e -> e.getValue().stream()).map(ProcStat::pid).toList();
        }

        @Override
        public boolean nothingLeft() {
            return peer.nothingLeft();
        }
    }

    /** supervisord with N programs, configured as a careful user would (group stop, autorestart). */
    final class SupervisordStack implements StackPeer {
        private final Path dir;
        private final Path config;

        SupervisordStack(String prefix, List<List<String>> commands) throws IOException {
            dir = Files.createDirectories(work.resolve("supervisord-" + prefix));
            config = dir.resolve("supervisord.conf");
            StringBuilder conf = new StringBuilder(SupervisordPeer.header(dir));
            for (int i = 0; i < commands.size(); i++) {
                conf.append("""

                        [program:%5$s%1$d]
                        command=%2$s
                        autostart=true
                        autorestart=true
                        startsecs=1
                        stopasgroup=true
                        killasgroup=true
                        stopwaitsecs=10
                        redirect_stderr=true
                        stdout_logfile=%3$s/%5$s%4$d.log
                        """.formatted(i, String.join(" ", commands.get(i)), dir, i, prefix));
            }
            Files.writeString(config, conf.toString());
        }

        private List<String> ctl(String... args) {
            List<String> command = new ArrayList<>(List.of("supervisorctl", "-c", config.toString()));
            command.addAll(List.of(args));
            return command;
        }

        @Override
        public String name() {
            return "supervisord";
        }

        @Override
        public void start() {
            Bench.runChecked(Map.of(), List.of("supervisord", "-c", config.toString()));
        }

        @Override
        public Bench.Run idempotentCall() {
            return Bench.runChecked(Map.of(), ctl("status"));
        }

        @Override
        public void stop() {
            long supervisor = supervisorPid();
            Bench.runChecked(Map.of(), ctl("shutdown"));
            while (supervisor > 0 && dev.stigmer.process.ProcessIdentity.of(supervisor).isPresent()) {
                Bench.sleep(2);
            }
        }

        @Override
        public long supervisorPid() {
            try {
                long pid = Long.parseLong(Files.readString(dir.resolve("supervisord.pid")).trim());
                return dev.stigmer.process.ProcessIdentity.of(pid).isPresent() ? pid : -1;
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public List<Long> servicePids() {
            long supervisor = supervisorPid();
            return supervisor < 0 ? List.of() : Bench.children(supervisor);
        }

        @Override
        public boolean nothingLeft() {
            return supervisorPid() < 0 && ports.stream().noneMatch(port -> !dev.stigmer.process.PortOwner.isFree(
                    new InetSocketAddress("127.0.0.1", port)));
        }
    }
}
