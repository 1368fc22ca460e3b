package dev.stigmer.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads what /proc says about processes. A process that vanishes mid-read is simply absent. */
public final class ProcFs {
    private static final Path PROC = Path.of("/proc");
    private static volatile String bootId;

    private ProcFs() {
    }

    public static Optional<ProcStat> stat(long pid) {
        try {
            return Optional.of(ProcStat.parse(pid, Files.readString(PROC.resolve(pid + "/stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * True when a thread of {@code pid} runs or waits for a CPU (state R) right now: a process
     * a starved machine holds back, as against one that sleeps. False when unreadable.
     */
    public static boolean anyThreadRunnable(long pid) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    if (close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'R') {
                        return true;
                    }
                } catch (IOException ignored) {
                    // that thread ended
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** How many threads of the whole machine run or wait for a CPU now (/proc/loadavg), or -1. */
    public static int runnableThreads() {
        try {
            String running = Files.readString(PROC.resolve("loadavg")).split(" ")[3];
            return Integer.parseInt(running.substring(0, running.indexOf('/')));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Every process visible now. */
    public static List<ProcStat> all() {
        List<ProcStat> result = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    stat(Long.parseLong(name)).ifPresent(result::add);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return result;
    }

    /**
     * The live and zombie children of {@code pid}, from /proc/PID/task/TID/children (each thread
     * lists the children it forked or adopted): no scan of all of /proc. Empty when unreadable.
     */
    public static List<Long> children(long pid) {
        List<Long> children = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    for (String child : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                        if (!child.isEmpty()) {
                            children.add(Long.parseLong(child));
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // thread ended while we read
                }
            }
        } catch (IOException ignored) {
            // process gone
        }
        return children;
    }

    /** The environment a process started with; empty when it is gone or not readable by us. */
    public static Optional<Map<String, String>> environ(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(pid + "/environ"));
            Map<String, String> env = new HashMap<>();
            for (String entry : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            return Optional.of(env);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The signals {@code pid} ignores (SigIgn of /proc/PID/status), bit N-1 for signal N; 0 when
     * none or unreadable. An ignored signal stays ignored across exec, and a shell cannot trap it.
     */
    public static long ignoredSignals(long pid) {
        try {
            for (String line : Files.readAllLines(PROC.resolve(pid + "/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or unreadable: nothing known to be ignored
        }
        return 0;
    }

    /** The command line, arguments joined by spaces; empty string for kernel threads and zombies. */
    public static Optional<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(PROC.resolve(pid + "/cmdline"));
            return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Now, on the clock of a process's start time (field 22 of /proc/PID/stat): clock ticks since
     * boot. /proc/uptime gives seconds since boot on the same clock, with two decimals: at the
     * USER_HZ of 100 that Linux reports to user space, its hundredths are ticks.
     */
    public static long ticksSinceBoot() {
        try {
            String seconds = Files.readString(PROC.resolve("uptime")).split(" ")[0];
            int dot = seconds.indexOf('.');
            return Long.parseLong(seconds.substring(0, dot)) * 100 + Long.parseLong(seconds.substring(dot + 1));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read /proc/uptime", e);
        }
    }

    /** Changes on every boot: with pid and start time it makes an identity that survives reboots. */
    public static String bootId() {
        String id = bootId;
        if (id == null) {
            try {
                id = Files.readString(PROC.resolve("sys/kernel/random/boot_id")).strip();
            } catch (IOException e) {
                id = "unknown";
            }
            bootId = id;
        }
        return id;
    }

    /** Inodes of the sockets a process holds open (from /proc/PID/fd links "socket:[N]"). */
    static List<Long> socketInodes(long pid) {
        List<Long> inodes = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(pid + "/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // descriptor closed while we looked
                }
            }
        } catch (IOException ignored) {
            // process gone or not ours to inspect
        }
        return inodes;
    }
}
