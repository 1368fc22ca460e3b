package dev.stigmer.it;

import dev.stigmer.os.Linux;
import dev.stigmer.process.ProcessIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** `stop` wins over a `stigmer local` that was suspended (Ctrl-Z) while it held start.lock. */
@ExtendWith(StackExtension.class)
class StuckStarterTest {

    @Test
    void stopStopsEverythingWhileASuspendedStartHoldsTheStartLock(Stack stack) throws Exception {
        Path log = Files.createTempFile("starter", ".log");
        Process starter = stack.spawn(log, "local", "start");
        try {
            // Suspend it the moment it holds start.lock (while it spawns and waits for the daemon).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!holdsStartLock(stack, starter.pid())) {
                assertThat(System.nanoTime()).as("the starter never held start.lock: " + Files.readString(log))
                        .isLessThan(deadline);
                Thread.sleep(1);
            }
            Linux.kill(starter.pid(), Linux.SIGSTOP);
            assertThat(holdsStartLock(stack, starter.pid())).as("suspended while holding start.lock").isTrue();

            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            assertThat(stop.millis()).as(stop.toString()).isLessThan(15_000);
            assertThat(stop.stdout()).contains("suspended").contains("pid " + starter.pid());
            assertThat(stack.ownedProcesses()).as("everything of the home is stopped").isEmpty();
        } finally {
            starter.destroyForcibly();
            Linux.kill(starter.pid(), Linux.SIGCONT);
            starter.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A start suspended after it spawned its daemon, before the daemon answered, while `stop`
     * ran: resumed, it finds its daemon gone with exit 0 (stopped on request) and says that a stop
     * was asked for meanwhile, as the README promises; it starts nothing again.
     */
    @Test
    void aStartSuspendedWhileAStopRanSaysOnResumeThatAStopWasAskedFor(Stack stack) throws Exception {
        Path log = Files.createTempFile(stack.home.getParent(), "starter", ".log");
        Process starter = stack.spawn(log, "local", "start");
        try {
            // Catch its daemon the moment it exists (a JVM needs far longer to listen) and hold it
            // there while the starter is suspended: the starter has spawned it and not heard from it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (stack.owned("daemon").isEmpty()) {
                assertThat(System.nanoTime()).as("no daemon spawned: " + Files.readString(log)).isLessThan(deadline);
                Thread.sleep(1);
            }
            long daemon = stack.owned("daemon").getFirst().pid();
            Linux.kill(daemon, Linux.SIGSTOP);
            Linux.kill(starter.pid(), Linux.SIGSTOP);
            Linux.kill(daemon, Linux.SIGCONT);
            await().atMost(Duration.ofSeconds(30)).until(() -> stack.daemonPid() == daemon);

            CliResult stop = stack.run("local", "stop");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> ProcessIdentity.of(daemon).isEmpty());

            Linux.kill(starter.pid(), Linux.SIGCONT);
            assertThat(starter.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
            String output = Files.readString(log);
            assertThat(starter.exitValue()).as(output).isEqualTo(1);
            assertThat(output).as(output).contains("a `stigmer local stop` was asked for").doesNotContain("exited at once");
            assertThat(stack.ownedProcesses()).as("nothing started again").isEmpty();
        } finally {
            starter.destroyForcibly();
            Linux.kill(starter.pid(), Linux.SIGCONT);
            starter.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** /proc/locks: "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF". */
    private static boolean holdsStartLock(Stack stack, long pid) throws Exception {
        Path lock = stack.stigmerHome().startLock();
        if (!Files.exists(lock)) {
            return false;
        }
        String inode = ":" + Files.getAttribute(lock, "unix:ino");
        return Files.readAllLines(Path.of("/proc/locks")).stream().map(line -> line.trim().split("\\s+"))
                .anyMatch(f -> f.length >= 6 && f[1].equals("FLOCK") && f[4].equals(Long.toString(pid))
                        && f[5].endsWith(inode));
    }
}
