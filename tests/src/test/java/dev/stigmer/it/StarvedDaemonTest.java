package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A daemon that has work but gets almost no CPU (a hundred CLIs starting at once on two cores)
 * is slow, not hung: the CLI waits for its answer instead of naming it hung after 5 s.
 *
 * <p>Starved here for 8 s with the cgroup v1 cpu controller, then released. A quota alone (the
 * least is 1 ms a second) was not enough: a status answer costs the daemon well under a
 * millisecond, so it answered within 2.4 s and the test proved nothing. So the quota's group holds
 * two groups, the daemon's with the least weight (2) and one of busy loops with the default
 * (1024): the loops take nearly all of that millisecond, as the hundred CLIs would.
 */
@ExtendWith(StackExtension.class)
class StarvedDaemonTest {
    private static final Path CPU = Path.of("/sys/fs/cgroup/cpu");

    @Test
    void statusWaitsForADaemonThatIsStarvedOfCpuRatherThanCallingItHung(Stack stack) throws Exception {
        RootOnly.require("a CPU quota on the daemon (a cgroup of the v1 cpu controller)");
        // cgroup v1's cpu controller, as on these machines; a pure cgroup v2 host has none there.
        assumeTrue(Files.isWritable(CPU.resolve("cgroup.procs")), "NOT PROVED (no cgroup v1 cpu controller): a CPU quota on the daemon");
        stack.start();
        long daemon = stack.daemonPid();
        Path quota = CPU.resolve("stigmer-starved-" + ProcessHandle.current().pid() + "-" + daemon);
        Path starved = quota.resolve("daemon");
        Path busy = quota.resolve("busy");
        List<Process> loops = new ArrayList<>();
        try {
            Files.createDirectories(starved);
            Files.createDirectories(busy);
            Files.writeString(quota.resolve("cpu.cfs_period_us"), "1000000");
            Files.writeString(quota.resolve("cpu.cfs_quota_us"), "1000");
            Files.writeString(starved.resolve("cpu.shares"), "2");
            for (int i = 0; i < 2; i++) {
                Process loop = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
                loops.add(loop);
                Files.writeString(busy.resolve("cgroup.procs"), Long.toString(loop.pid()));
            }
            // cgroup.procs moves every thread of the daemon at once; a thread it starts later
            // starts in its creator's group, so none escapes.
            Files.writeString(starved.resolve("cgroup.procs"), Long.toString(daemon));
            CompletableFuture<CliResult> status = CompletableFuture.supplyAsync(() -> stack.run("local", "status"));
            Thread.sleep(8_000);
            assertThat(status).as("still waiting for the starved daemon").isNotDone();
            release(loops, quota, daemon);
            CliResult result = status.get();
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.stdout()).contains("temporal").contains("running");
        } finally {
            release(loops, quota, daemon);
            Files.deleteIfExists(starved);
            Files.deleteIfExists(busy);
            Files.deleteIfExists(quota);
        }
    }

    /** Ends the loops, lifts the quota and moves the daemon back where it was; each step may repeat. */
    private static void release(List<Process> loops, Path quota, long daemon) throws Exception {
        for (Process loop : loops) {
            loop.destroyForcibly();
            loop.waitFor(10, TimeUnit.SECONDS);
        }
        if (Files.exists(quota)) {
            Files.writeString(quota.resolve("cpu.cfs_quota_us"), "-1");
        }
        try {
            Files.writeString(CPU.resolve("cgroup.procs"), Long.toString(daemon));
        } catch (IOException gone) {
            // the daemon ended
        }
    }
}
