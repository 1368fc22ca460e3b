package dev.stigmer.bench;

import dev.stigmer.process.ProcFs;
import dev.stigmer.process.ProcStat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Small shared pieces of the benchmark and the soak: commands, ports, /proc readings. */
final class Bench {
    static final Path ROOT = Path.of(System.getProperty("stigmer.dist", ".")).toAbsolutePath().normalize();
    static final Path JAVA = Path.of(ProcessHandle.current().info().command().orElseThrow());
    static final long CLOCK_TICKS_PER_SECOND = 100;

    private Bench() {
    }

    record Run(int exitCode, String output, double millis) {
    }

    /** Runs a command to completion; output merged. */
    static Run run(Map<String, String> env, List<String> command) {
        try {
            Path out = Files.createTempFile("bench", ".out");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                builder.environment().putAll(env);
                long started = System.nanoTime();
                Process process = builder.start();
                if (!process.waitFor(180, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("timed out: " + command);
                }
                double millis = (System.nanoTime() - started) / 1e6;
                return new Run(process.exitValue(), Files.readString(out), millis);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Run runChecked(Map<String, String> env, List<String> command) {
        Run run = run(env, command);
        if (run.exitCode() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + run.exitCode() + ": " + run.output());
        }
        return run;
    }

    static int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = socket.getLocalPort();
                if (port <= 64535) {
                    return port;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no free port");
    }

    /** Live children of {@code parent} (no full /proc scan). */
    static List<Long> children(long parent) {
        return ProcFs.children(parent).stream()
                .filter(child -> ProcFs.stat(child).map(ProcStat::isAlive).orElse(false)).toList();
    }

    static long rssKb(long pid) {
        return kbField(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    }

    /** Proportional set size: shared pages (libjvm, the CDS archive) split among their users. */
    static long pssKb(long pid) {
        return kbField(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
    }

    private static long kbField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException ignored) {
            // gone
        }
        return -1;
    }

    /** utime + stime in clock ticks. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The 1-minute load average (/proc/loadavg), or NaN. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
