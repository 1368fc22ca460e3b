package dev.stigmer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The inner loop's figures (issue 16): edit a file, time until the new process runs, for stigmer
 * local's `watch:` and for nodemon restarting the same command with the same debounce; then the
 * daemon's wake-ups and RSS over a quiet 20,000-file tree, watched against not watched (the same
 * daemon: first started with --no-watch, then with watching).
 * <p>
 * The service writes the wall-clock time of its start (date +%s%N) to a file: the edit's time is
 * taken with the same clock just before the write.
 * Usage: bench/watch [--edits N] [--files N] [--quiet-seconds S] [--out FILE]
 */
public final class WatchBenchmark {
    private static final long DEBOUNCE_MILLIS = 300;
    private static final String SERVICE = "date +%s%N >> started.txt; exec sleep 600";

    private WatchBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int edits = 10;
        int files = 20_000;
        int quietSeconds = 30;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--edits" -> edits = Integer.parseInt(args[++i]);
                case "--files" -> files = Integer.parseInt(args[++i]);
                case "--quiet-seconds" -> quietSeconds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("stigmer-bench-watch");
        List<String> report = new ArrayList<>();
        report.add("## Watch (issue 16): " + java.time.LocalDate.now() + ", " + Runtime.getRuntime().availableProcessors()
                + " cores");
        report.add("");
        report.add("| tool | edit to new process running, median | max | edits | debounce |");
        report.add("|---|---|---|---|---|");
        report.add(row("stigmer local (watch:)", stigmerEdits(work.resolve("stigmer"), edits), edits));
        Path nodemon = Bench.ROOT.resolve("bench/nodemon/node_modules/.bin/nodemon");
        if (Files.isExecutable(nodemon)) {
            report.add(row("nodemon " + nodemonVersion(nodemon), nodemonEdits(nodemon, work.resolve("nodemon"), edits), edits));
        } else {
            report.add("| nodemon | not installed (cd bench/nodemon && npm ci) | | | |");
        }
        report.add("");
        report.addAll(quietTree(work.resolve("tree"), files, quietSeconds));
        String text = String.join("\n", report) + "\n";
        System.out.print(text);
        if (out != null) {
            Files.writeString(out, text, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        }
    }

    private static String row(String tool, Stats stats, int edits) {
        return String.format(Locale.ROOT, "| %s | %.0f ms | %.0f ms | %d | %d ms |", tool, stats.median(), stats.max(),
                edits, DEBOUNCE_MILLIS);
    }

    // ---- edit to ready -------------------------------------------------------------------------

    private static Stats stigmerEdits(Path dir, int edits) throws IOException {
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("stigmer.yaml"), """
                services:
                  worker:
                    command: %s
                    watch: {paths: [src], debounce: %dms}
                """.formatted(SERVICE, DEBOUNCE_MILLIS));
        StigmerPeer peer = peer(dir.resolve("home"));
        try {
            Bench.runChecked(peer.env(), withFile(peer.cli("local", "start"), dir));
            return timeEdits(dir, edits);
        } finally {
            peer.close();
        }
    }

    private static Stats nodemonEdits(Path nodemon, Path dir, int edits) throws Exception {
        Files.createDirectories(dir.resolve("src"));
        ProcessBuilder builder = new ProcessBuilder(nodemon.toString(), "--watch", "src", "--ext", "java",
                "--delay", (DEBOUNCE_MILLIS / 1000.0) + "", "--exec", "sh -c '" + SERVICE + "'")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("nodemon.log").toFile());
        builder.command().addFirst("setsid");
        Process process = builder.start();
        try {
            return timeEdits(dir, edits);
        } finally {
            // nodemon, node and the service: the whole session.
            new ProcessBuilder("kill", "-TERM", "--", "-" + process.pid()).start().waitFor();
            process.waitFor();
        }
    }

    /** Waits for the first start, then per edit: the time from the write to the next start line. */
    private static Stats timeEdits(Path dir, int edits) throws IOException {
        Path started = dir.resolve("started.txt");
        awaitLines(started, 1, 60_000);
        Bench.sleep(1500); // let the first start settle (a watcher's registration, nodemon's own start-up)
        Stats stats = new Stats();
        for (int i = 0; i < edits; i++) {
            int before = Files.readAllLines(started).size();
            long editedNanos = nowEpochNanos();
            Files.writeString(dir.resolve("src/Worker.java"), "// edit " + i + "\n");
            awaitLines(started, before + 1, 30_000);
            List<String> lines = Files.readAllLines(started);
            long startedNanos = Long.parseLong(lines.get(before).strip());
            stats.add((startedNanos - editedNanos) / 1e6);
            Bench.sleep(1000); // one edit at a time: the next is not part of this one's burst
        }
        return stats;
    }

    private static long nowEpochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static void awaitLines(Path file, int count, long limitMillis) throws IOException {
        long deadline = System.currentTimeMillis() + limitMillis;
        while (!Files.exists(file) || Files.readAllLines(file).size() < count) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(file + " did not reach " + count + " lines within " + limitMillis + " ms");
            }
            Bench.sleep(2);
        }
    }

    private static String nodemonVersion(Path nodemon) {
        return Bench.run(Map.of(), List.of(nodemon.toString(), "--version")).output().strip();
    }

    // ---- a quiet tree --------------------------------------------------------------------------

    /** Wake-ups (context switches of all the daemon's threads) and RSS over {@code seconds} of nothing changing. */
    private static List<String> quietTree(Path dir, int files, int seconds) throws IOException {
        int directories = makeTree(dir.resolve("src"), files);
        Files.writeString(dir.resolve("stigmer.yaml"), """
                services:
                  worker:
                    command: exec sleep 600
                    watch: {paths: [src]}
                """);
        StigmerPeer peer = peer(dir.resolve("home"));
        List<String> rows = new ArrayList<>();
        rows.add("A quiet tree of " + files + " files in " + directories + " directories, " + seconds
                + " s each; the daemon's context switches (all threads, /proc/PID/task/*/status) and RSS. Temporal's "
                + "health check runs every " + peer.env().getOrDefault("STIGMER_HEALTH_INTERVAL", "5s (the default)") + ".");
        rows.add("");
        rows.add("| daemon | context switches in " + seconds + " s | per second | of the inotify poller thread | RSS "
                + "| inotify watches | start (CLI) |");
        rows.add("|---|---|---|---|---|---|---|");
        try {
            Bench.Run unwatched = Bench.runChecked(peer.env(), withFile(peer.cli("local", "start", "--no-watch"), dir));
            long daemon = peer.supervisorPid();
            rows.add(quietRow("not watching (--no-watch)", daemon, seconds, unwatched.millis()));
            Bench.Run watched = Bench.runChecked(peer.env(), withFile(peer.cli("local", "start"), dir));
            if (peer.supervisorPid() != daemon) {
                throw new IllegalStateException("the daemon changed between the two measures");
            }
            rows.add(quietRow("watching the tree", daemon, seconds, watched.millis()));
            Bench.Run again = Bench.runChecked(peer.env(), withFile(peer.cli("local", "start", "--no-watch"), dir));
            rows.add(quietRow("not watching again (--no-watch)", daemon, seconds, again.millis()));
        } finally {
            peer.close();
        }
        return rows;
    }

    private static String quietRow(String what, long daemon, int seconds, double startMillis) {
        Bench.sleep(5000); // settle: the start's own work done
        long before = contextSwitches(daemon, "");
        long pollerBefore = contextSwitches(daemon, POLLER);
        Bench.sleep(seconds * 1000L);
        long switches = contextSwitches(daemon, "") - before;
        long poller = contextSwitches(daemon, POLLER) - pollerBefore;
        return String.format(Locale.ROOT, "| %s | %d | %.1f | %d | %.1f MB | %d | %.0f ms |", what, switches,
                switches / (double) seconds, poller, Bench.rssKb(daemon) / 1024.0, inotifyWatches(daemon), startMillis);
    }

    /** Directories of 100 files each, two levels deep. */
    private static int makeTree(Path root, int files) throws IOException {
        int directories = 0;
        for (int i = 0; i < files; i++) {
            Path directory = root.resolve("pkg" + (i / 1000)).resolve("sub" + (i / 100 % 10));
            if (i % 100 == 0) {
                Files.createDirectories(directory);
                directories++;
            }
            Files.writeString(directory.resolve("File" + i + ".java"), "class File" + i + " {}\n");
        }
        return directories;
    }

    /** The JDK's inotify thread (LinuxWatchService's poller): the only platform thread watching adds. */
    private static final String POLLER = "FileSystemWatch";

    /** Voluntary and involuntary switches of every thread whose name starts so: each is a wake-up or a preemption. */
    private static long contextSwitches(long pid, String threadName) {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).startsWith(threadName)) {
                        continue;
                    }
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            total += Long.parseLong(line.replaceAll("\\D", ""));
                        }
                    }
                } catch (IOException gone) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return total;
    }

    /** The inotify watches the daemon holds (/proc/PID/fdinfo: one "inotify wd:" line per watch). */
    private static long inotifyWatches(long pid) {
        long count = 0;
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fdinfo"))) {
            for (Path fd : fds.toList()) {
                try {
                    count += Files.readAllLines(fd).stream().filter(line -> line.startsWith("inotify wd:")).count();
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return count;
    }

    private static StigmerPeer peer(Path home) {
        return new StigmerPeer(home, Bench.freePort(), Map.of());
    }

    private static List<String> withFile(List<String> command, Path dir) {
        List<String> withFile = new ArrayList<>(command);
        withFile.addAll(List.of("-f", dir.resolve("stigmer.yaml").toString()));
        return withFile;
    }
}
