package dev.stigmer.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A daemon that has work but gets almost no CPU (a hundred CLIs starting at once on two cores)
 * is slow, not hung: the CLI waits for its answer instead of naming it hung after 5 s. Starved
 * here by a CPU quota of 0.1 % of a core (cgroup v1 cpu controller) for 8 s, then released.
 */
@ExtendWith(StackExtension.class)
class StarvedDaemonTest {
    private static final Path CPU = Path.of("/sys/fs/cgroup/cpu");

    @Test
    void statusWaitsForADaemonThatIsStarvedOfCpuRatherThanCallingItHung(Stack stack) throws Exception {
        RootOnly.require("a CPU quota on the daemon (a cgroup of the v1 cpu controller)");
        // cgroup v1's cpu controller, as on these machines; a pure cgroup v2 host has none there.
        assumeTrue(Files.isWritable(CPU.resolve("tasks")), "NOT PROVED (no cgroup v1 cpu controller): a CPU quota on the daemon");
        stack.start();
        long daemon = stack.daemonPid();
        Path group = Files.createDirectories(CPU.resolve("stigmer-starved-" + ProcessHandle.current().pid() + "-" + daemon));
        try {
            Files.writeString(group.resolve("cpu.cfs_period_us"), "1000000");
            Files.writeString(group.resolve("cpu.cfs_quota_us"), "1000");
            try (Stream<Path> threads = Files.list(Path.of("/proc/" + daemon + "/task"))) {
                for (Path thread : threads.toList()) {
                    Files.writeString(group.resolve("tasks"), thread.getFileName().toString());
                }
            }
            CompletableFuture<CliResult> status = CompletableFuture.supplyAsync(() -> stack.run("local", "status"));
            Thread.sleep(8_000);
            assertThat(status).as("still waiting for the starved daemon").isNotDone();
            Files.writeString(group.resolve("cpu.cfs_quota_us"), "-1");
            CliResult result = status.get();
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.stdout()).contains("temporal").contains("running");
        } finally {
            Files.writeString(group.resolve("cpu.cfs_quota_us"), "-1");
            Path root = CPU.resolve("tasks");
            try (Stream<Path> threads = Files.list(Path.of("/proc/" + daemon + "/task"))) {
                for (Path thread : threads.toList()) {
                    try {
                        Files.writeString(root, thread.getFileName().toString());
                    } catch (java.io.IOException gone) {
                        // that thread ended
                    }
                }
            } catch (java.io.IOException gone) {
                // the daemon ended
            }
            Files.deleteIfExists(group);
        }
    }
}
