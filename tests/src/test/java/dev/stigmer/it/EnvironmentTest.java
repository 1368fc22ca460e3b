package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcFs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the daemon and Temporal take from the shell that first started them: the mark, not its JVM options or directory. */
@ExtendWith(StackExtension.class)
class EnvironmentTest {
    private static final List<String> JVM_OPTIONS = List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS");

    @Test
    void theCallersJvmOptionsReachNeitherTheDaemonNorTemporal(Stack stack) {
        CliResult start = stack.run(Map.of("JAVA_TOOL_OPTIONS", "-Xmx8m", "_JAVA_OPTIONS", "-Dstigmer.test=1",
                "JDK_JAVA_OPTIONS", "-Dstigmer.test=2"), "local", "start");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        for (long pid : List.of(stack.daemonPid(), stack.temporalPid())) {
            Map<String, String> environment = ProcFs.environ(pid).orElseThrow();
            assertThat(environment).as("environment of pid " + pid).doesNotContainKeys(JVM_OPTIONS.toArray(String[]::new));
            assertThat(environment).containsKey("STIGMER_COMPONENT");
        }
    }

    @Test
    void aDebuggerAgentInTheCallersEnvironmentDoesNotStopTheDaemonFromStarting(Stack stack) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        CliResult start = stack.run(Map.of("JAVA_TOOL_OPTIONS",
                "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port), "local", "start");
        assertThat(start.exitCode()).as(start.toString() + "\n--- daemon log\n" + stack.log("daemon")).isZero();
        assertThat(stack.temporalState()).isEqualTo("running");
    }

    @Test
    void temporalRestartsAfterTheDirectoryItWasStartedFromIsDeleted(Stack stack) throws Exception {
        Path dir = Files.createDirectories(stack.home.resolveSibling("caller-dir"));
        stack.cwd = dir;
        stack.start();
        stack.cwd = null;
        long daemon = stack.daemonPid();
        long temporal = stack.temporalPid();
        Files.delete(dir);
        for (long pid : List.of(daemon, temporal)) {
            assertThat(Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).toString())
                    .as("working directory of pid " + pid).doesNotContain("caller-dir");
        }

        Linux.kill(temporal, Linux.SIGKILL);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                stack.temporalPid() != temporal && stack.temporalPid() > 0 && "running".equals(stack.temporalState()));
        assertThat(stack.temporal().get("restarts").getAsInt()).isEqualTo(1);
        assertThat(Workflows.runGreeting(stack.address(), "homeless")).isEqualTo("HELLO HOMELESS");
    }
}
