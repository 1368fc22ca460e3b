package dev.stigmer.process;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What tells a starved process (it has work and waits for a CPU) from one that sleeps. */
class RunnableThreadsTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @Test
    void aBusyLoopIsRunnableAndASleepIsNot() throws Exception {
        Process busy = processes.start("sh", "-c", "while :; do :; done");
        Process asleep = processes.start("sleep", "600");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcFs.anyThreadRunnable(busy.pid()));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> !ProcFs.anyThreadRunnable(asleep.pid()));
        assertThat(ProcFs.anyThreadRunnable(Long.MAX_VALUE)).as("no such process").isFalse();
    }

    @Test
    void theMachineCountsAtLeastTheThreadThatAsks() {
        assertThat(ProcFs.runnableThreads()).isGreaterThanOrEqualTo(1);
    }
}
