package dev.stigmer.process;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SpawnedProcessTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path dir;

    /** setsid without --fork execs in place: the pid we hold is the target's, and it leads a session. */
    @Test
    void targetRunsUnderOurPidInASessionOfItsOwn() throws Exception {
        SpawnedProcess process = start(List.of("bash", "-c", "echo $$; exec sleep 600"));
        long pid = process.identity().pid();

        String reported = await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log()).strip(), s -> !s.isEmpty());
        assertThat(reported).as("pid the target sees for itself").isEqualTo(String.valueOf(pid));
        assertThat(TestProcesses.sessionId(pid)).isEqualTo(pid);
        assertThat(process.identity().startTicks()).isEqualTo(TestProcesses.startTicks(pid));
        assertThat(process.adopted()).isFalse();
    }

    @Test
    void outputIsAppendedToTheLogAndTheExitCodeReported() throws Exception {
        Files.writeString(log(), "earlier run\n");

        SpawnedProcess process = start(List.of("bash", "-c", "echo out; echo err >&2; read -r line; echo \"stdin:$line\"; exit 7"));

        assertThat(process.onExit().get(10, TimeUnit.SECONDS).code()).isEqualTo(7);
        assertThat(Files.readAllLines(log())).containsExactly("earlier run", "out", "err", "stdin:");
    }

    @Test
    void environmentIsAddedToOurs() throws Exception {
        SpawnedProcess process = start(List.of("bash", "-c", "echo \"$STIGMER_COMPONENT ${PATH:+has-path}\""));

        assertThat(process.onExit().get(10, TimeUnit.SECONDS).code()).isZero();
        assertThat(Files.readString(log()).strip()).isEqualTo("comp has-path");
    }

    private SpawnedProcess start(List<String> command) throws Exception {
        Map<String, String> environment = new HashMap<>(new Ownership(dir, "comp").environment());
        environment.putAll(processes.mark());
        return SpawnedProcess.start(command, environment, log());
    }

    private Path log() {
        return dir.resolve("comp.log");
    }
}
