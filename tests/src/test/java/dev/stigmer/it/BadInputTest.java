package dev.stigmer.it;

import dev.stigmer.supervision.RestartPolicy;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input gets one clear line naming what is wrong and a non-zero exit, never a stack trace,
 * and starts nothing.
 */
@ExtendWith(StackExtension.class)
class BadInputTest {
    private static final int USAGE = 2;

    @ParameterizedTest(name = "--temporal-port {0}")
    @ValueSource(strings = {"abc", "0", "70000", "-1", "7233x"})
    void badPortFlagIsOneLineNamingTheValue(String port, Stack stack) {
        CliResult result = stack.run("local", "start", "--temporal-port", port);
        assertRejected(stack, result, USAGE, "--temporal-port", "'" + port + "'");
    }

    @ParameterizedTest(name = "STIGMER_TEMPORAL_PORT={0}")
    @ValueSource(strings = {"abc", "0", "70000"})
    void badPortEnvironmentIsOneLineNamingTheValue(String port, Stack stack) {
        CliResult result = stack.run(Map.of("STIGMER_TEMPORAL_PORT", port), "local");
        assertRejected(stack, result, USAGE, "STIGMER_TEMPORAL_PORT", "'" + port + "'");
    }

    @Test
    void missingTemporalBinaryIsNamed(Stack stack) {
        CliResult flag = stack.run("local", "start", "--temporal-bin", "/nonexistent/temporal");
        assertRejected(stack, flag, USAGE, "/nonexistent/temporal", "not found");
        CliResult env = stack.run(Map.of("STIGMER_TEMPORAL_BIN", "/nonexistent/temporal"), "local");
        assertRejected(stack, env, USAGE, "/nonexistent/temporal", "STIGMER_TEMPORAL_BIN");
    }

    @Test
    void nonExecutableTemporalBinaryIsNamed(Stack stack) throws IOException {
        Path plain = Files.writeString(stack.home.resolveSibling("temporal"), "#!/bin/sh\nexit 0\n");
        CliResult file = stack.run("local", "start", "--temporal-bin", plain.toString());
        assertRejected(stack, file, USAGE, plain.toString(), "not an executable");
        Path dir = Files.createDirectories(stack.home.resolveSibling("bin-dir"));
        CliResult directory = stack.run("local", "start", "--temporal-bin", dir.toString());
        assertRejected(stack, directory, USAGE, dir.toString(), "not an executable");
    }

    @Test
    void webUiPortPastTheLastPortIsRejectedWithTheTemporalCli(Stack stack) throws IOException {
        Path temporal = StandIns.serving(stack.home.resolveSibling("bin"), stack.home.resolveSibling("args.txt"));
        CliResult result = stack.run("local", "start", "--temporal-bin", temporal.toString(), "--temporal-port", "65000");
        assertRejected(stack, result, USAGE, "65000", "64535");
    }

    @Test
    void homeUnderARegularFileIsOneClearLine(Stack stack) throws IOException {
        Path file = Files.writeString(stack.home.resolveSibling("not-a-dir"), "x");
        Path home = file.resolve("home");
        CliResult result = stack.run(Map.of("STIGMER_HOME", home.toString()), "local");
        assertRejected(stack, result, null, "STIGMER_HOME", home.toString());
        assertThat(Files.isRegularFile(file)).isTrue();
    }

    @Test
    void homeThatIsARegularFileIsOneClearLine(Stack stack) throws IOException {
        Path file = Files.writeString(stack.home.resolveSibling("home-file"), "x");
        CliResult result = stack.run(Map.of("STIGMER_HOME", file.toString()), "local");
        assertRejected(stack, result, null, "STIGMER_HOME", file.toString());
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void homeUnderProcIsOneClearLine(Stack stack) {
        String home = "/proc/stigmer-home-" + ProcessHandle.current().pid();
        CliResult result = stack.run(Map.of("STIGMER_HOME", home), "local");
        assertRejected(stack, result, null, "STIGMER_HOME", home);
    }

    @Test
    void homeTooLongForAUnixSocketIsOneLineSayingWhatToDo(Stack stack) {
        String home = stack.home.resolveSibling("h".repeat(100)).toString();
        for (String command : new String[]{"start", "status", "stop"}) {
            CliResult result = stack.run(Map.of("STIGMER_HOME", home), "local", command);
            assertRejected(stack, result, null, "STIGMER_HOME", "too long", "shorter");
        }
    }

    /**
     * The boundary: the JDK binds a Unix socket path of at most 106 bytes (Linux's sun_path is
     * 108 with its NUL, and the JDK keeps one more), so a home whose socket is 106 bytes long
     * runs, and one a byte longer gets the one line, not a daemon that dies at its bind.
     */
    @Test
    void homeWhoseSocketPathIsTheLongestTheJdkBindsRunsAndOneByteMoreIsOneLine(Stack stack) throws Exception {
        Path longest = homeWithSocketPathOf(stack, 106);
        try {
            CliResult start = stack.run(Map.of("STIGMER_HOME", longest.toString()), "local", "start");
            assertThat(start.exitCode()).as(start.toString()).isZero();
            assertThat(new dev.stigmer.state.StigmerHome(longest).socket()).exists().satisfies(socket ->
                    assertThat(socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(106));
        } finally {
            CliResult stop = stack.run(Map.of("STIGMER_HOME", longest.toString()), "local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(dev.stigmer.process.Ownership.scan(longest)).as("left running").isEmpty();
        }

        Path tooLong = homeWithSocketPathOf(stack, 107);
        for (String command : new String[]{"start", "status", "stop"}) {
            CliResult result = stack.run(Map.of("STIGMER_HOME", tooLong.toString()), "local", command);
            assertRejected(stack, result, null, "STIGMER_HOME", "107 bytes", "at most 106", "shorter");
        }
        assertThat(dev.stigmer.process.Ownership.scan(tooLong)).isEmpty();
    }

    /**
     * Something else at the socket's path that the daemon cannot remove (a directory with files in
     * it): the start names it and says what to do, rather than the daemon's last log line.
     */
    @Test
    void aSocketPathTakenByADirectoryWithFilesIsOneLineSayingWhatToDo(Stack stack) throws Exception {
        stack.stigmerHome().ensureCreated();
        Path socket = stack.stigmerHome().socket();
        Path kept = Files.writeString(Files.createDirectories(socket).resolve("kept.txt"), "mine\n");

        CliResult start = stack.run("local", "start");

        assertRejected(stack, start, 1, socket.toString(), "a directory that is not empty", "out of the way");
        assertThat(start.stderr()).doesNotContain("stopping");
        assertThat(kept).hasContent("mine");
    }

    /** A home beside the test's whose run/daemon.sock is exactly {@code bytes} long. */
    private static Path homeWithSocketPathOf(Stack stack, int bytes) {
        String parent = stack.home.getParent().toString() + "/";
        int name = bytes - parent.length() - "/run/daemon.sock".length();
        Path home = Path.of(parent + "h".repeat(name));
        assertThat(new dev.stigmer.state.StigmerHome(home).socket().toString()).hasSize(bytes);
        return home;
    }

    @Test
    void unknownFlagIsAUsageErrorOnOneLine(Stack stack) {
        CliResult result = stack.run("local", "start", "--temporal-prot", "7233");
        assertRejected(stack, result, USAGE, "--temporal-prot", "did you mean --temporal-port?");
        CliResult command = stack.run("locl");
        assertRejected(stack, command, USAGE, "'locl'", "did you mean `stigmer local`?");
    }

    @ParameterizedTest(name = "--timeout {0}")
    @ValueSource(strings = {"soon", "0", "5", "-5s", "25h", "999999999999m", "1441m"})
    void badTimeoutIsOneLineNamingTheValue(String timeout, Stack stack) {
        CliResult result = stack.run("local", "start", "--timeout", timeout);
        assertRejected(stack, result, USAGE, "--timeout", "'" + timeout + "'");
    }

    @Test
    void temporalThatExitsAtOnceFailsTheStartWithItsLastOutputAndStaysBounded(Stack stack) throws Exception {
        Path temporal = StandIns.exitingAtOnce(stack.home.resolveSibling("bin"));
        CliResult start = stack.run("local", "start", "--temporal-bin", temporal.toString());
        assertThat(start.exitCode()).as(start.toString()).isNotZero();
        assertThat(start.stderr()).as(start.toString())
                .contains("FATAL cannot open database: disk on fire")
                .contains("stigmer local");
        assertThat(start.showsJavaInternals()).as(start.toString()).isFalse();

        JsonObject failed = stack.temporal();
        assertThat(failed.get("state").getAsString()).isEqualTo("failed");
        assertThat(failed.get("pid").isJsonNull()).isTrue();
        assertThat(failed.get("lastError").getAsString()).contains("exited with code 3");
        assertThat(failed.getAsJsonArray("logTail").toString()).contains("FATAL");
        assertThat(stack.run("local", "status").exitCode()).as("status of a failed component").isEqualTo(1);

        // Bounded: at most RestartPolicy.DEFAULT.maxFailedStarts() (5) spawns, and no more later.
        int spawned = fatalLines(stack);
        assertThat(spawned).as(stack.log("temporal")).isBetween(1, 5);
        // Watched over the longest delay the backoff could still give (its cap, 10 s) and a margin,
        // failing at the first spawn: a sixth try after the 8 s the next delay would be is caught.
        long until = System.nanoTime() + RestartPolicy.DEFAULT.maxDelay().plusSeconds(1).toNanos();
        while (System.nanoTime() < until) {
            assertThat(fatalLines(stack)).as("spawns after reaching failed").isEqualTo(spawned);
            Thread.sleep(200);
        }
        assertThat(stack.temporalState()).isEqualTo("failed");
        assertThat(stack.owned("temporal")).isEmpty();

        // A new start gives it a fresh set of tries.
        int startsLogged = startedLines(stack);
        CliResult again = stack.run("local", "start", "--temporal-bin", temporal.toString());
        assertThat(again.exitCode()).as(again.toString()).isNotZero();
        assertThat(again.stderr()).contains("FATAL");
        assertThat(startedLines(stack)).as(stack.log("daemon")).isGreaterThan(startsLogged);
        assertThat(fatalLines(stack)).isBetween(spawned + 1, spawned + 5);
        assertThat(stack.temporalState()).isEqualTo("failed");
    }

    @Test
    void startWithOtherSettingsReplacesTemporalInTheSameDaemon(Stack stack) throws Exception {
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        int other = otherFreePort(stack);

        CliResult byFlag = stack.run("local", "start", "--temporal-port", Integer.toString(other));
        assertThat(byFlag.exitCode()).as(byFlag.toString()).isZero();
        assertThat(byFlag.stdout()).contains("temporal: changed, replaced").contains("Temporal is running at 127.0.0.1:" + other);
        assertThat(stack.daemonPid()).as("Temporal is a member of the stack: the daemon stays").isEqualTo(daemon);
        long moved = stack.temporalPid();
        assertThat(moved).isNotEqualTo(temporal);
        assertThat(Stack.isFree(stack.port)).as("the old Temporal is gone").isTrue();
        assertThat(stack.owned("temporal")).hasSize(1);

        CliResult byEnv = stack.run(Map.of("STIGMER_TEMPORAL_PORT", Integer.toString(stack.port)), "local");
        assertThat(byEnv.exitCode()).as(byEnv.toString()).isZero();
        assertThat(byEnv.stdout()).contains("temporal: changed, replaced").contains("127.0.0.1:" + stack.port);
        assertThat(stack.daemonPid()).isEqualTo(daemon);
        assertThat(Stack.isFree(other)).isTrue();

        CliResult same = stack.run("local");
        assertThat(same.stdout()).as("the same definition keeps it").doesNotContain("replaced");
        assertThat(stack.temporal().get("restarts").getAsInt()).isZero();
        assertThat(stack.owned("temporal")).hasSize(1);
    }

    @Test
    void restartWithBadInputStopsNothing(Stack stack) {
        stack.start();
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        CliResult badPort = stack.run("local", "restart", "--temporal-port", "abc");
        assertThat(badPort.exitCode()).as(badPort.toString()).isEqualTo(USAGE);
        assertThat(badPort.errorLines()).as(badPort.toString()).hasSize(1);
        assertThat(badPort.stderr()).contains("'abc'");
        CliResult badBin = stack.run("local", "restart", "--temporal-bin", "/nonexistent/temporal");
        assertThat(badBin.exitCode()).as(badBin.toString()).isEqualTo(USAGE);
        assertThat(badBin.stderr()).contains("/nonexistent/temporal");
        assertThat(badBin.output()).doesNotContain("Stopp");
        assertThat(stack.daemonPid()).isEqualTo(daemon);
        assertThat(stack.temporalPid()).isEqualTo(temporal);
        assertThat(stack.temporalState()).isEqualTo("running");
    }

    /** Non-zero (exactly {@code code} unless null), one line on stderr with every fragment, nothing started. */
    private static void assertRejected(Stack stack, CliResult result, Integer code, String... fragments) {
        if (code == null) {
            assertThat(result.exitCode()).as(result.toString()).isNotZero();
        } else {
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(code);
        }
        assertThat(result.errorLines()).as(result.toString()).hasSize(1);
        assertThat(result.stderr()).as(result.toString()).contains(fragments);
        assertThat(result.showsJavaInternals()).as(result.toString()).isFalse();
        assertThat(stack.ownedProcesses()).as("processes started by a rejected command").isEmpty();
    }

    private static int fatalLines(Stack stack) {
        return (int) stack.log("temporal").lines().filter(line -> line.contains("FATAL")).count();
    }

    private static int startedLines(Stack stack) {
        return (int) stack.log("daemon").lines().filter(line -> line.contains("temporal: started pid")).count();
    }

    private static int otherFreePort(Stack stack) throws IOException {
        for (int i = 0; i < 50; i++) {
            int port;
            try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            if (port != stack.port && port <= 64535) {
                return port;
            }
        }
        throw new IOException("no other free port");
    }
}
