package dev.stigmer.it;

import com.google.gson.JsonObject;
import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * stigmer local where pidfds do not exist: a kernel before 5.3, or a container runtime's seccomp
 * profile that refuses pidfd_open. Reproduced for real: the CLI, and so the daemon and Temporal
 * it starts, run under a seccomp filter that fails pidfd_open and pidfd_send_signal. Every
 * promise still holds (stop ends whole trees, a new daemon adopts, a crash is seen), and status
 * says the signals go by pid.
 */
@ExtendWith(StackExtension.class)
class NoPidfdTest {
    private static final String PIDFD_CALLS = "424,434"; // pidfd_send_signal, pidfd_open (x86_64 and aarch64)

    @ParameterizedTest(name = "pidfd calls fail with errno {0}")
    @ValueSource(ints = {38 /* ENOSYS, as before Linux 5.3 */, 1 /* EPERM, as a seccomp profile answers */})
    void withoutPidfdsStopAdoptionAndCrashRecoveryStillWorkAndStatusSaysSo(int errno, Stack stack) throws Exception {
        stack.launcher.addAll(List.of("/usr/bin/python3", denySyscalls(stack).toString(), Integer.toString(errno),
                PIDFD_CALLS));
        Path pids = stack.home.resolveSibling("stubborn-pids.txt");
        Path temporalBin = StandIns.withStubbornTree(stack.home.resolveSibling("bin"), pids);
        stack.start("--temporal-bin", temporalBin.toString());
        long daemon = stack.daemonPid();
        assertThat(Files.readString(Path.of("/proc/" + daemon + "/status"))).as("the daemon is in the sandbox")
                .containsPattern("Seccomp:\\s+2");

        JsonObject status = stack.status();
        assertThat(status.getAsJsonObject("daemon").getAsJsonArray("degraded").toString()).contains("pidfd");
        CliResult text = stack.run("local", "status");
        assertThat(text.stdout()).as(text.toString()).contains("degraded:").contains("pidfd");

        // A new daemon adopts the Temporal its killed predecessor left.
        long temporal = stack.temporalPid();
        Stack.killAndAwaitGone(daemon);
        CliResult start = stack.run("local", "start", "--temporal-bin", temporalBin.toString());
        assertThat(start.exitCode()).as(start + "\n--- daemon log\n" + stack.log("daemon")).isZero();
        JsonObject adopted = stack.temporal();
        assertThat(adopted.get("pid").getAsLong()).as("adopted, not restarted").isEqualTo(temporal);
        assertThat(adopted.get("adopted").getAsBoolean()).isTrue();

        // ...whose death it sees without a pidfd, and replaces.
        Linux.kill(temporal, Linux.SIGKILL);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.temporalPid() != temporal && stack.temporalState().equals("running"));

        // Stop reaches every process of the tree, the escapee in its own session too.
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(pids).size() == 4);
        List<ProcessIdentity> tree = new ArrayList<>();
        tree.add(ProcessIdentity.of(stack.temporalPid()).orElseThrow());
        for (String line : Files.readAllLines(pids).subList(2, 4)) {
            long pid = Long.parseLong(line.substring(line.indexOf(' ') + 1).strip());
            tree.add(ProcessIdentity.of(pid).orElseThrow(() -> new AssertionError(line + " is not alive")));
        }
        CliResult stop = stack.run("local", "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(tree.stream().filter(ProcessIdentity::isAlive).toList()).as("alive after stop").isEmpty();
        assertThat(stack.ownedProcesses()).isEmpty();
    }

    private static Path denySyscalls(Stack stack) throws IOException {
        Path script = stack.home.resolveSibling("deny-syscalls.py");
        try (InputStream in = NoPidfdTest.class.getResourceAsStream("deny-syscalls.py")) {
            Files.copy(in, script);
        }
        return script;
    }
}
