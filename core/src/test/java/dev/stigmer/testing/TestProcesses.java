package dev.stigmer.testing;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * Real processes for one test, and the guarantee that none outlives it. Every process started
 * here (and every descendant, even one that left the session with setsid) carries a per-test
 * token in its environment; after each test every live process with the token gets SIGKILL.
 * Reads /proc on its own, so cleanup does not depend on the code under test.
 * <p>
 * Zombies count as dead: PID 1 on these machines reaps orphans late.
 */
public final class TestProcesses implements AfterEachCallback {
    public static final String TOKEN_VARIABLE = "STIGMER_TEST_TOKEN";
    private static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(10);
    private static final Path NS_LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");
    private static volatile String python;

    private final String token = UUID.randomUUID().toString();
    private final List<Process> started = new CopyOnWriteArrayList<>();

    /** The environment entry that makes a process (and its descendants) this test's to clean up. */
    public Map<String, String> mark() {
        return Map.of(TOKEN_VARIABLE, token);
    }

    /** Starts {@code command} with the test mark, stdin and stdout as pipes, stderr inherited. */
    public Process start(String... command) {
        return start(Map.of(), command);
    }

    public Process start(Map<String, String> environment, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().putAll(environment);
        builder.environment().putAll(mark());
        try {
            Process process = builder.start();
            started.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The first line the process printed (e.g. a pid it reports); fails on end of output. Call once
     * per process: the reader may buffer past that line.
     */
    public static String firstLine(Process process) {
        try {
            String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (line == null) {
                throw new IllegalStateException("process " + process.pid() + " printed nothing");
            }
            return line.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a {@code sleep} whose parent never waits for it, so once killed it stays a zombie
     * until the test ends. Returns its pid once the parent has exec'd: before that, bash would
     * reap it.
     */
    public long startUnreapedChild() {
        Process parent = start("bash", "-c", "sleep 600 & echo $!; exec sleep 600");
        long child = Long.parseLong(firstLine(parent));
        await("parent of " + child + " exec'd").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> commandLine(parent.pid()).equals("sleep 600"));
        return child;
    }

    /** Live (non-zombie) processes that carry this test's mark. */
    public List<Long> liveMarked() {
        List<Long> live = new ArrayList<>();
        for (long pid : allPids()) {
            if (isLive(pid) && environ(pid).map(env -> token.equals(env.get(TOKEN_VARIABLE))).orElse(false)) {
                live.add(pid);
            }
        }
        return live;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        started.forEach(Process::destroyForcibly);
        await("processes of " + context.getDisplayName() + " gone").atMost(CLEANUP_TIMEOUT)
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    List<Long> live = liveMarked();
                    live.forEach(TestProcesses::kill9);
                    return live.isEmpty();
                });
    }

    // ---- /proc, read independently of the code under test ----------------------------------

    /** Field 3 of /proc/PID/stat; empty when there is no such process. */
    public static Optional<Character> state(long pid) {
        return statFields(pid).map(f -> f[0].charAt(0));
    }

    /** Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
    public static long startTicks(long pid) {
        return statFields(pid).map(f -> Long.parseLong(f[19])).orElseThrow();
    }

    /** Field 6 of /proc/PID/stat. */
    public static long sessionId(long pid) {
        return statFields(pid).map(f -> Long.parseLong(f[3])).orElseThrow();
    }

    /** Running, sleeping or stopped: anything but gone, zombie (Z) or dead (X). */
    public static boolean isLive(long pid) {
        return state(pid).map(s -> s != 'Z' && s != 'X').orElse(false);
    }

    public static void awaitGone(long pid) {
        await("pid " + pid + " gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> !isLive(pid));
    }

    /** SIGKILL, checked against the start time the JDK records, so a reused pid is never hit. */
    public static void kill9(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    public static Optional<Map<String, String>> environ(long pid) {
        try {
            Map<String, String> env = new HashMap<>();
            for (String entry : Files.readString(Path.of("/proc/" + pid + "/environ")).split("\0")) {
                int eq = entry.indexOf('=');
                if (eq > 0) {
                    env.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
            }
            return Optional.of(env);
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    /** Arguments joined by spaces; empty when the process is gone. */
    public static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    public static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Pid reuse can be forced only as root (ns_last_pid). Without it, a proof that needs it did
     * not run: that is said loudly on stderr and in the skip reason, never skipped silently.
     */
    public static void requirePidReuse() {
        if (!Files.isWritable(NS_LAST_PID)) {
            String message = "NOT PROVEN: forcing pid reuse needs root (" + NS_LAST_PID
                    + " is not writable); run the tests as root, as CI does";
            System.err.println("\n*** " + message + " ***\n");
            Assumptions.abort(message);
        }
    }

    /**
     * Starts something whose first fork gets {@code pid}: ns_last_pid is set to pid - 1 right before
     * {@code start}. Any process on the machine may fork in between: retried, and what got another
     * pid is discarded. As root this must work: failing to get the pid fails the test.
     */
    public static <T> T startWithPid(long pid, Callable<T> start, ToLongFunction<T> pidOf, Consumer<T> discard)
            throws Exception {
        requirePidReuse();
        for (int attempt = 0; attempt < 50; attempt++) {
            Files.writeString(NS_LAST_PID, Long.toString(pid - 1));
            T started = start.call();
            if (pidOf.applyAsLong(started) == pid) {
                return started;
            }
            discard.accept(started);
        }
        throw new AssertionError("pid " + pid + " could not be forced onto a new process: taken by others 50 times");
    }

    /** A TCP port nobody listens on right now (the usual small race is acceptable in tests). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The real python3 binary (python3 on PATH may be a pyenv shim script), so a listener's pid
     * and command line are python's own.
     */
    public static String python() {
        String found = python;
        if (found == null) {
            try {
                Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
                found = firstLine(p);
                p.waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            python = found;
        }
        return found;
    }

    private static Optional<String[]> statFields(long pid) {
        try {
            String line = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Optional.of(line.substring(line.lastIndexOf(')') + 2).split(" "));
        } catch (IOException | UncheckedIOException e) {
            return Optional.empty();
        }
    }

    private static List<Long> allPids() {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
