package dev.stigmer.process;

import dev.stigmer.os.Linux;
import dev.stigmer.testing.TestProcesses;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.stigmer.testing.TestProcesses.firstLine;
import static dev.stigmer.testing.TestProcesses.isLive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ProcessSignalsTest {
    /** A python whose second thread prints its thread id, which pidfd_open refuses (not with ESRCH). */
    static final String THREAD_PRINTER = """
            import threading, time, sys
            def worker():
                print(threading.get_native_id(), flush=True)
                time.sleep(float(sys.argv[1]))
            threading.Thread(target=worker).start()
            time.sleep(600)
            """;

    @RegisterExtension
    final TestProcesses processes = new TestProcesses();

    /**
     * Only ESRCH from pidfd_open means "gone". A thread id (not a thread-group leader) gets another
     * error (ENOENT on Linux 6.18, EINVAL before) though the process is there: the signal must then go by pid, and reach the process.
     */
    @Test
    void aPidfdOpenFailureOtherThanEsrchIsNotTakenForGoneTheSignalGoesByPid() throws Exception {
        assertThat(PidfdSupport.current().available()).isTrue();
        Process python = processes.start(TestProcesses.python(), "-c", THREAD_PRINTER, "600");
        long thread = Long.parseLong(firstLine(python));
        assertThat(thread).isNotEqualTo(python.pid());
        assertThatThrownBy(() -> Linux.pidfdOpen(thread)).isInstanceOfSatisfying(dev.stigmer.os.OsException.class,
                e -> assertThat(e.errno()).as("not ESRCH").isNotEqualTo(Linux.ESRCH));

        assertThat(ProcessSignals.send(ProcFs.stat(thread).orElseThrow(), Linux.SIGKILL)).isTrue();

        assertThat(python.waitFor()).isEqualTo(128 + Linux.SIGKILL);
    }

    /**
     * On Linux 6.9+ a group signal goes through the leader's pidfd with PIDFD_SIGNAL_PROCESS_GROUP,
     * never kill(-pgid): both reach the same members, so only the system calls tell them apart.
     * A JVM of its own sends it under strace.
     */
    @Test
    void aGroupSignalGoesThroughTheLeadersPidfdNotKillOfTheGroupNumber(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(PidfdSupport.current().groupSignals(), "PIDFD_SIGNAL_PROCESS_GROUP needs Linux 6.9+");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")), "needs strace (.ci/run installs it)");
        Process leader = processes.start("setsid", "bash", "-c", "sleep 600 & echo $!; sleep 600 & wait");
        long member = Long.parseLong(firstLine(leader));
        Path trace = dir.resolve("trace");

        Process sender = processes.start("strace", "-f", "-qq", "-e", "trace=kill,pidfd_send_signal", "-o", trace.toString(),
                ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), GroupSignalSender.class.getName(), Long.toString(leader.pid()));
        assertThat(sender.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sender.exitValue()).isZero();

        assertThat(leader.waitFor()).isEqualTo(128 + Linux.SIGKILL);
        TestProcesses.awaitGone(member);
        List<String> calls = Files.readAllLines(trace).stream()
                .filter(line -> line.contains("kill(") || line.contains("pidfd_send_signal(")).toList();
        // strace names the flag, or (older) prints its value 0x4
        assertThat(calls).as("the signalling system calls").anySatisfy(call -> assertThat(call)
                .contains("pidfd_send_signal(").contains("SIGKILL").containsAnyOf("PIDFD_SIGNAL_PROCESS_GROUP", "0x4)"));
        assertThat(calls).as("no signal by group number").noneMatch(call -> call.contains("kill(-" + leader.pid()));
    }

    /** Sends SIGKILL to the group led by the pid in args[0], as the daemon would; exits 0 when sent. */
    public static final class GroupSignalSender {
        public static void main(String[] args) {
            long leader = Long.parseLong(args[0]);
            boolean sent = ProcessSignals.sendToGroup(ProcessIdentity.of(leader).orElseThrow(), Linux.SIGKILL);
            System.exit(sent ? 0 : 1);
        }
    }

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

        assertThat(ProcessSignals.sendToGroup(ProcessIdentity.of(leader.pid()).orElseThrow(), Linux.SIGKILL)).isTrue();

        assertThat(leader.waitFor()).isEqualTo(128 + Linux.SIGKILL);
        TestProcesses.awaitGone(member);
    }

    /** A dead leader nobody reaped yet still names its group: the signal reaches the members. */
    @Test
    void sendToGroupReachesTheMembersOfALeaderThatIsAZombie() throws Exception {
        // The parent execs a sleep that never waits: the killed leader stays a zombie.
        Process parent = processes.start("bash", "-c",
                "setsid bash -c 'sleep 600 & echo $!; exec sleep 600' & exec sleep 600");
        long member = Long.parseLong(firstLine(parent));
        await().atMost(Duration.ofSeconds(10)).until(() -> TestProcesses.commandLine(parent.pid()).equals("sleep 600"));
        long leader = ProcFs.stat(member).orElseThrow().pgid();
        ProcessIdentity identity = ProcessIdentity.of(leader).orElseThrow();
        TestProcesses.kill9(leader);
        await().atMost(Duration.ofSeconds(10)).until(() -> TestProcesses.state(leader).orElse('?') == 'Z');

        assertThat(ProcessSignals.sendToGroup(identity, Linux.SIGKILL)).isTrue();

        TestProcesses.awaitGone(member);
    }

    /** The leader is gone and its number now leads a foreign group (forced): that group is not signalled. */
    @Test
    void sendToGroupOfALeaderWhoseNumberNowLeadsAnotherGroupReachesNobody() throws Exception {
        TestProcesses.requirePidReuse();
        Process old = processes.start("setsid", "sleep", "600");
        ProcessIdentity oldLeader = ProcessIdentity.of(old.pid()).orElseThrow();
        old.destroyForcibly().waitFor();
        Thread.sleep(20); // start times tick at 100 Hz
        Process newcomer = TestProcesses.startWithPid(old.pid(), () -> processes.start("setsid", "sleep", "600"),
                Process::pid, Process::destroyForcibly);
        await().atMost(Duration.ofSeconds(10)).until(() -> TestProcesses.commandLine(newcomer.pid()).equals("sleep 600"));
        assertThat(ProcFs.stat(newcomer.pid()).orElseThrow().pgid()).isEqualTo(oldLeader.pid());

        assertThat(ProcessSignals.sendToGroup(oldLeader, Linux.SIGKILL)).isFalse();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> isLive(newcomer.pid()));
    }

    /**
     * The pid of a dead process is forced onto a new one (ns_last_pid, as root). A signal meant
     * for the dead one must not reach the newcomer.
     */
    @Test
    void signalForAProcessWhosePidWasReusedReachesNobody() throws Exception {
        TestProcesses.requirePidReuse();
        Process old = processes.start("sleep", "600");
        ProcessIdentity oldIdentity = ProcessIdentity.of(old.pid()).orElseThrow();
        ProcStat oldStat = ProcFs.stat(old.pid()).orElseThrow();
        old.destroyForcibly().waitFor(); // reaped by the JDK: the pid is free again
        Thread.sleep(50); // start times tick at 100 Hz: the newcomer must not share the old one's

        Process newcomer = TestProcesses.startWithPid(old.pid(), () -> processes.start("sleep", "600"),
                Process::pid, Process::destroyForcibly);
        assertThat(TestProcesses.startTicks(newcomer.pid())).isNotEqualTo(oldIdentity.startTicks());

        assertThat(ProcessSignals.send(oldIdentity, Linux.SIGKILL)).isFalse();
        assertThat(ProcessSignals.send(oldStat, Linux.SIGKILL)).isFalse();
        assertThat(oldIdentity.isAlive()).isFalse();

        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> isLive(newcomer.pid()));
    }
}
