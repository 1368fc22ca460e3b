package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static dev.stigmer.testing.TestProcesses.firstLine;
import static dev.stigmer.testing.TestProcesses.isLive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcessSignalsTest {
    private static final Path NS_LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");

    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    @Test
    void sendWithAnotherStartTimeDeliversNothing() {
        Process sleep = processes.start("sleep", "600");
        ProcStat live = ProcFs.stat(sleep.pid()).orElseThrow();
        ProcStat stale = new ProcStat(live.pid(), live.state(), live.ppid(), live.pgid(), live.sid(), live.startTicks() - 1);

        assertThat(ProcessSignals.send(stale, Linux.SIGKILL)).isFalse();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> isLive(sleep.pid()));
    }

    @Test
    void sendWithTheRightStartTimeDelivers() throws Exception {
        Process sleep = processes.start("sleep", "600");
        ProcStat live = ProcFs.stat(sleep.pid()).orElseThrow();

        assertThat(ProcessSignals.send(live, Linux.SIGKILL)).isTrue();

        assertThat(sleep.waitFor()).as("exit code of a SIGKILLed process").isEqualTo(128 + Linux.SIGKILL);
    }

    @Test
    void sendToAnIdentityFromAnotherBootDeliversNothing() {
        Process sleep = processes.start("sleep", "600");
        ProcessIdentity real = ProcessIdentity.of(sleep.pid()).orElseThrow();
        ProcessIdentity otherBoot = new ProcessIdentity(real.pid(), real.startTicks(),
                "00000000-0000-0000-0000-000000000000", real.commandLine());

        assertThat(ProcessSignals.send(otherBoot, Linux.SIGKILL)).isFalse();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> isLive(sleep.pid()));
    }

    @Test
    void sendToAProcessThatIsGoneReturnsFalse() throws Exception {
        Process sleep = processes.start("sleep", "600");
        ProcessIdentity identity = ProcessIdentity.of(sleep.pid()).orElseThrow();
        ProcStat stat = ProcFs.stat(sleep.pid()).orElseThrow();
        sleep.destroyForcibly().waitFor();

        assertThat(ProcessSignals.send(identity, Linux.SIGTERM)).isFalse();
        assertThat(ProcessSignals.send(stat, Linux.SIGTERM)).isFalse();
    }

    @Test
    void sendToGroupReachesEveryMemberOfTheGroup() throws Exception {
        Process leader = processes.start("setsid", "bash", "-c", "sleep 600 & echo $!; sleep 600 & wait");
        long member = Long.parseLong(firstLine(leader));

        ProcessSignals.sendToGroup(leader.pid(), Linux.SIGKILL);

        assertThat(leader.waitFor()).isEqualTo(128 + Linux.SIGKILL);
        TestProcesses.awaitGone(member);
    }

    /**
     * The pid of a dead process is forced onto a new one (ns_last_pid, as root). A signal meant
     * for the dead one must not reach the newcomer.
     */
    @Test
    void signalForAProcessWhosePidWasReusedReachesNobody() throws Exception {
        // CI runs as root: there this proof must run. Elsewhere it is skipped, loudly.
        if (!Files.isWritable(NS_LAST_PID)) {
            System.err.println("\n*** NOT PROVED (cannot write " + NS_LAST_PID + ", not root): a signal for a "
                    + "reused pid reaches nobody. CI runs as root. ***\n");
        }
        assumeTrue(Files.isWritable(NS_LAST_PID), "NOT PROVED: cannot write " + NS_LAST_PID + " (not root)");
        Process old = processes.start("sleep", "600");
        ProcessIdentity oldIdentity = ProcessIdentity.of(old.pid()).orElseThrow();
        ProcStat oldStat = ProcFs.stat(old.pid()).orElseThrow();
        old.destroyForcibly().waitFor(); // reaped by the JDK: the pid is free again
        Thread.sleep(50); // start times tick at 100 Hz: the newcomer must not share the old one's

        Optional<Long> newcomer = startSleepWithPid(old.pid());
        assertThat(newcomer).as("pid " + old.pid() + " forced onto a new process (as root this must work)").isPresent();
        assertThat(TestProcesses.startTicks(newcomer.get())).isNotEqualTo(oldIdentity.startTicks());

        assertThat(ProcessSignals.send(oldIdentity, Linux.SIGKILL)).isFalse();
        assertThat(ProcessSignals.send(oldStat, Linux.SIGKILL)).isFalse();
        assertThat(oldIdentity.isAlive()).isFalse();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> isLive(newcomer.get()));
    }

    /**
     * Best effort: another process or thread may take the pid first. The shell writes
     * ns_last_pid and forks right after, which leaves the smallest window.
     */
    private Optional<Long> startSleepWithPid(long pid) {
        for (int attempt = 0; attempt < 50; attempt++) {
            Process shell = processes.start("bash", "-c",
                    "echo $1 > /proc/sys/kernel/ns_last_pid; sleep 600 & echo $!; wait", "reuse",
                    String.valueOf(pid - 1));
            long got = Long.parseLong(firstLine(shell));
            if (got == pid) {
                return Optional.of(got);
            }
            TestProcesses.kill9(got);
            shell.destroyForcibly();
        }
        return Optional.empty();
    }
}
