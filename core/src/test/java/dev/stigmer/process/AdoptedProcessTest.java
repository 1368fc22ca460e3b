package dev.stigmer.process;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static dev.stigmer.testing.TestProcesses.firstLine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AdoptedProcessTest {
    /** Generous for a noisy machine, yet far below the seconds ProcessHandle.onExit can take. */
    private static final long EXIT_NOTICE_MILLIS = 1_000;

    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    /** The shell exits at once: its sleep is re-parented, no longer anybody's child we know of. */
    @Test
    void exitOfAReparentedProcessIsSeenWithinASecond() throws Exception {
        Process shell = processes.start("bash", "-c", "sleep 600 & echo $!");
        long orphan = Long.parseLong(firstLine(shell));
        shell.waitFor();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcFs.stat(orphan).map(ProcStat::ppid).orElse(-1L) != shell.pid());

        assertExitSeenPromptly(orphan);
    }

    /** Its parent never waits: the process stays a zombie, which ProcessHandle would call alive. */
    @Test
    void exitIsSeenWhileTheProcessIsStillAZombie() throws Exception {
        long child = processes.startUnreapedChild();

        assertExitSeenPromptly(child);

        assertThat(TestProcesses.state(child)).contains('Z');
    }

    @Test
    void watchRefusesAnIdentityWithAnotherStartTime() {
        Process sleep = processes.start("sleep", "600");
        ProcessIdentity real = ProcessIdentity.of(sleep.pid()).orElseThrow();
        ProcessIdentity stale = new ProcessIdentity(real.pid(), real.startTicks() + 1, real.bootId(), real.commandLine());

        assertThat(AdoptedProcess.watch(stale)).isEmpty();
    }

    @Test
    void watchRefusesAProcessThatIsGone() throws Exception {
        Process sleep = processes.start("sleep", "600");
        ProcessIdentity identity = ProcessIdentity.of(sleep.pid()).orElseThrow();
        sleep.destroyForcibly().waitFor();

        assertThat(AdoptedProcess.watch(identity)).isEmpty();
    }

    /**
     * Only ESRCH from pidfd_open means "gone": a thread id gets another error though it lives, so it is
     * watched by polling /proc, and its end is still seen.
     */
    @Test
    void aPidfdOpenFailureOtherThanEsrchFallsBackToPollingNotToGone() throws Exception {
        Process python = processes.start(TestProcesses.python(), "-c", ProcessSignalsTest.THREAD_PRINTER, "1.5");
        long thread = Long.parseLong(firstLine(python));
        ProcessIdentity identity = ProcessIdentity.of(thread).orElseThrow();

        Optional<AdoptedProcess> watched = AdoptedProcess.watch(identity);

        assertThat(watched).as("EINVAL says nothing about the process: watched, not taken for gone").isPresent();
        assertThat(watched.get().onExit().isDone()).isFalse();
        watched.get().onExit().get(10, TimeUnit.SECONDS); // the thread ends after 1.5 s; its process lives on
        assertThat(python.isAlive()).isTrue();
    }

    private static void assertExitSeenPromptly(long pid) throws Exception {
        ProcessIdentity identity = ProcessIdentity.of(pid).orElseThrow();
        AdoptedProcess adopted = AdoptedProcess.watch(identity).orElseThrow();
        assertThat(adopted.adopted()).isTrue();
        assertThat(adopted.identity()).isEqualTo(identity);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !adopted.onExit().isDone());

        TestProcesses.kill9(pid);
        ExitStatus status = adopted.onExit().get(EXIT_NOTICE_MILLIS, TimeUnit.MILLISECONDS);

        assertThat(status).as("an adopted process's exit code is nobody's to read").isEqualTo(ExitStatus.UNKNOWN);
    }
}
