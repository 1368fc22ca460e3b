package dev.stigmer.process;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OwnershipTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @TempDir
    Path home;

    @Test
    void marksOnlyProcessesWithThisHomeAndComponent() {
        Ownership temporal = new Ownership(home, "temporal");
        Process ours = processes.start(temporal.environment(), "sleep", "600");
        Process otherComponent = processes.start(new Ownership(home, "ui").environment(), "sleep", "600");
        Process otherHome = processes.start(new Ownership(home.resolve("other"), "temporal").environment(), "sleep", "600");

        assertThat(temporal.marks(ours.pid())).isTrue();
        assertThat(temporal.marks(otherComponent.pid())).isFalse();
        assertThat(temporal.marks(otherHome.pid())).isFalse();
        assertThat(temporal.marks(ProcessHandle.current().pid())).isFalse();
    }

    /** A user's shell that merely exported STIGMER_HOME is not ours: both variables are needed. */
    @Test
    void scanFindsEveryMarkedProcessOfAHomeByComponent() {
        Process temporal = processes.start(new Ownership(home, "temporal").environment(),
                "bash", "-c", "sleep 600 & wait");
        Process ui = processes.start(new Ownership(home, "ui").environment(), "sleep", "600");
        processes.start(Map.of(Ownership.HOME_VARIABLE, home.toString()), "sleep", "600");
        processes.start(new Ownership(home.resolve("other"), "temporal").environment(), "sleep", "600");

        Map<String, List<ProcStat>> owned = await().atMost(Duration.ofSeconds(10))
                .until(() -> Ownership.scan(home), m -> m.getOrDefault("temporal", List.of()).size() == 2);

        assertThat(owned).containsOnlyKeys("temporal", "ui");
        assertThat(owned.get("temporal")).extracting(ProcStat::pid).contains(temporal.pid());
        assertThat(owned.get("ui")).extracting(ProcStat::pid).containsExactly(ui.pid());
    }
}
