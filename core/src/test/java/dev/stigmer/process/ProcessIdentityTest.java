package dev.stigmer.process;

import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ProcessIdentityTest {
    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @Test
    void identityOfALiveProcessMatchesItAndSaysAlive() {
        Process sleep = processes.start("sleep", "600");

        ProcessIdentity identity = awaitCommandLine(sleep.pid(), "sleep 600");

        assertThat(identity.startTicks()).isEqualTo(TestProcesses.startTicks(sleep.pid()));
        assertThat(identity.bootId()).isEqualTo(TestProcesses.bootId());
        assertThat(identity.isAlive()).isTrue();
        assertThat(identity.matches(ProcFs.stat(sleep.pid()).orElseThrow())).isTrue();
    }

    @Test
    void identityWithAnotherStartTimeOrBootDoesNotMatch() {
        Process sleep = processes.start("sleep", "600");
        ProcessIdentity real = ProcessIdentity.of(sleep.pid()).orElseThrow();
        ProcStat live = ProcFs.stat(sleep.pid()).orElseThrow();

        ProcessIdentity earlier = new ProcessIdentity(real.pid(), real.startTicks() - 1, real.bootId(), real.commandLine());
        ProcessIdentity otherBoot = new ProcessIdentity(real.pid(), real.startTicks(),
                "00000000-0000-0000-0000-000000000000", real.commandLine());

        assertThat(earlier.matches(live)).isFalse();
        assertThat(earlier.isAlive()).isFalse();
        assertThat(otherBoot.matches(live)).isFalse();
        assertThat(otherBoot.isAlive()).isFalse();
    }

    /** The parent here never waits, so the killed child stays a zombie as long as the test needs. */
    @Test
    void killedProcessIsNotAliveEvenWhileStillAZombie() {
        long child = processes.startUnreapedChild();
        ProcessIdentity identity = ProcessIdentity.of(child).orElseThrow();
        assertThat(identity.isAlive()).isTrue();

        TestProcesses.kill9(child);
        await().atMost(Duration.ofSeconds(10)).until(() -> TestProcesses.state(child).orElse('?') == 'Z');

        assertThat(identity.isAlive()).isFalse();
        assertThat(ProcessIdentity.of(child)).isEmpty();
    }

    @Test
    void killedAndReapedProcessIsNotAlive() throws Exception {
        Process sleep = processes.start("sleep", "600");
        ProcessIdentity identity = ProcessIdentity.of(sleep.pid()).orElseThrow();

        sleep.destroyForcibly().waitFor();

        assertThat(identity.isAlive()).isFalse();
        assertThat(ProcessIdentity.of(sleep.pid())).isEmpty();
    }

    @Test
    void refreshedPicksUpTheCommandLineAfterExec() throws Exception {
        Process launcher = processes.start("bash", "-c", "read -r _; exec sleep 600");
        ProcessIdentity before = awaitCommandLine(launcher.pid(), "bash -c read -r _; exec sleep 600");

        try (OutputStream stdin = launcher.getOutputStream()) {
            stdin.write('\n');
        }

        await().atMost(Duration.ofSeconds(10))
                .until(() -> before.refreshed().commandLine().equals("sleep 600"));
        ProcessIdentity after = before.refreshed();
        assertThat(after.pid()).isEqualTo(before.pid());
        assertThat(after.startTicks()).isEqualTo(before.startTicks());
        assertThat(after.isAlive()).isTrue();
    }

    @Test
    void refreshedKeepsTheRecordedCommandLineWhenThePidIsAnotherProcess() {
        Process sleep = processes.start("sleep", "600");
        ProcessIdentity real = awaitCommandLine(sleep.pid(), "sleep 600");
        ProcessIdentity stale = new ProcessIdentity(real.pid(), real.startTicks() + 1, real.bootId(), "temporal server");

        assertThat(stale.refreshed()).isEqualTo(stale);
    }

    /** Right after start the JDK's launcher may not have exec'd the target yet. */
    private static ProcessIdentity awaitCommandLine(long pid, String commandLine) {
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessIdentity.of(pid).orElseThrow(), id -> id.commandLine().equals(commandLine));
    }
}
