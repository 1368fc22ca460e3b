package dev.stigmer.it;

import dev.stigmer.os.Linux;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

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
