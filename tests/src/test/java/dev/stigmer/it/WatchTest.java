package dev.stigmer.it;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inner loop from the outside: a real stack file with `watch:`, the built CLI and daemon, real
 * files edited and real processes replaced. Each service writes its pid to starts.txt when it
 * starts (and notes any earlier one still alive: the old tree must be gone first), so the number
 * of replacements is a count of lines. Every "does not trigger" is followed by a real edit that
 * must replace it exactly once.
 */
@ExtendWith(StackExtension.class)
class WatchTest {
    private static final Duration BOUND = Duration.ofSeconds(15); // debounce + stop + start, on a loaded machine
    /** Records its start; notes an earlier start whose process is still alive (an overlap). */
    private static final String RECORD_START = "for p in $(cat starts.txt 2>/dev/null); do kill -0 $p 2>/dev/null "
            + "&& echo $p >> overlaps.txt; done; echo $$ >> starts.txt; ";

    private static List<String> starts(Path dir) throws IOException {
        Path file = dir.resolve("starts.txt");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static void edit(Path dir, String path) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "edit " + System.nanoTime() + "\n");
    }

    private static void awaitStarts(Path dir, int count) {
        await().atMost(BOUND).until(() -> starts(dir).size() == count);
    }

    /** Stays at {@code count} for longer than a debounce and a replacement would take. */
    private static void staysAt(Path dir, int count) {
        await().during(Duration.ofMillis(2500)).atMost(BOUND).until(() -> starts(dir).size() == count);
    }

    @Test
    void anEditReplacesTheServiceAndItsRestartTrueDependentFollows(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  worker:
                    command: %s exec sleep 600
                    watch: {paths: [src], debounce: 200ms}
                  client:
                    command: echo $$ >> client.txt; exec sleep 600
                    depends_on:
                      worker: {condition: started, restart: true}
                """.formatted(RECORD_START));
        Files.createDirectories(dir.resolve("src"));
        stack.start();
        long worker = stack.pid("worker");
        long client = stack.pid("client");
        JsonObject watch = stack.component("worker").getAsJsonObject("watch");
        assertThat(watch.getAsJsonArray("paths").get(0).getAsString()).isEqualTo(dir.resolve("src").toString());
        assertThat(watch.get("lastChange").isJsonNull()).isTrue();
        assertThat(stack.component("client").get("watch").isJsonNull()).as("client is not watched").isTrue();

        edit(dir, "src/Worker.java");
        await().atMost(BOUND).until(() -> stack.pid("worker") != worker && "running".equals(stack.state("worker")));
        assertThat(starts(dir)).hasSize(2);
        assertThat(dir.resolve("overlaps.txt")).as("the old process was gone before the new one started").doesNotExist();
        assertThat(ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        await().atMost(BOUND).until(() -> stack.pid("client") != client && "running".equals(stack.state("client")));
        assertThat(Files.readAllLines(dir.resolve("client.txt"))).hasSize(2);

        JsonObject after = stack.component("worker").getAsJsonObject("watch");
        assertThat(after.getAsJsonObject("lastChange").get("path").getAsString())
                .isEqualTo(dir.resolve("src/Worker.java").toString());
        assertThat(after.getAsJsonObject("lastChange").get("time").getAsString()).endsWith("Z");
        assertThat(after.get("rebuilds").getAsInt()).isZero();
        assertThat(stack.run("local", "status").stdout()).contains("worker watches " + dir.resolve("src"))
                .contains("last change " + dir.resolve("src/Worker.java"));
        staysAt(dir, 2);

        edit(dir, "src/feature/deep/Feature.java"); // directories made after the watch began
        awaitStarts(dir, 3);
        staysAt(dir, 3);
        // git checkout / git stash: the directory deleted (a change), then made again and edited
        try (var files = Files.walk(dir.resolve("src/feature"))) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        // One replacement, or two should a loaded machine split the tree's events across the debounce.
        await().atMost(BOUND).until(() -> starts(dir).size() > 3);
        int[] seen = {starts(dir).size()};
        await().during(Duration.ofMillis(2500)).atMost(BOUND).until(() -> {
            int now = starts(dir).size();
            boolean same = now == seen[0];
            seen[0] = now;
            return same;
        });
        int deleted = seen[0];
        edit(dir, "src/feature/deep/Feature.java");
        awaitStarts(dir, deleted + 1);
        staysAt(dir, deleted + 1);
        edit(dir, "src/feature/deep/Feature.java");
        awaitStarts(dir, deleted + 2);
        assertThat(dir.resolve("overlaps.txt")).doesNotExist();
    }

    @Test
    void ignoredPathsAndTheServicesOwnBuildOutputNeverTriggerIt(Stack stack) throws Exception {
        // Watches its whole directory, and writes into build/ (ignored by default) ten times a second.
        Path dir = stack.project("""
                services:
                  worker:
                    command: %s mkdir -p build; while true; do date +%%s%%N > build/out.txt; sleep 0.1; done
                    watch:
                      paths: ["."]
                      ignore: ["*.tmp", "starts.txt", "overlaps.txt"]
                      debounce: 200ms
                """.formatted(RECORD_START));
        stack.start();
        awaitStarts(dir, 1);
        await().atMost(BOUND).until(() -> Files.exists(dir.resolve("build/out.txt")));
        edit(dir, "notes.tmp");
        edit(dir, "src/deeper/scratch.tmp");
        edit(dir, "node_modules/left-pad/index.js");
        edit(dir, ".git/HEAD");
        staysAt(dir, 1);

        edit(dir, "src/Main.java"); // the control: a real edit replaces it, once
        awaitStarts(dir, 2);
        staysAt(dir, 2);
        assertThat(dir.resolve("overlaps.txt")).doesNotExist();
    }

    @Test
    void aBurstIsOneRebuildAndAFailingRebuildKeepsTheOldProcess(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  worker:
                    command: %s exec sleep 600
                    watch:
                      paths: [src]
                      rebuild: echo rebuilt >> rebuilds.txt; sh src/build.sh
                      debounce: 1s
                """.formatted(RECORD_START));
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/build.sh"), "echo compiling\n");
        stack.start();
        awaitStarts(dir, 1);

        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            edit(dir, "src/Worker.java");
        }
        assertThat((System.nanoTime() - started) / 1_000_000).as("100 edits within the debounce").isLessThan(1000);
        awaitStarts(dir, 2);
        staysAt(dir, 2);
        assertThat(Files.readAllLines(dir.resolve("rebuilds.txt"))).as("one rebuild for the burst").hasSize(1);
        assertThat(stack.component("worker").getAsJsonObject("watch").get("rebuilds").getAsInt()).isEqualTo(1);
        long pid = stack.pid("worker");

        Files.writeString(dir.resolve("src/build.sh"), "echo 'Worker.java:3: error: ; expected'; exit 7\n");
        await().atMost(BOUND).until(() -> stack.component("worker").getAsJsonObject("watch").get("rebuilds").getAsInt() == 2);
        JsonObject worker = stack.component("worker");
        assertThat(worker.get("state").getAsString()).isEqualTo("running");
        assertThat(worker.get("pid").getAsLong()).as("the old process keeps running").isEqualTo(pid);
        assertThat(worker.get("lastError").getAsString()).contains("rebuild").contains("failed (exit 7)");
        assertThat(worker.getAsJsonObject("watch").getAsJsonObject("lastRebuild").get("exitCode").getAsInt()).isEqualTo(7);
        assertThat(worker.getAsJsonObject("watch").getAsJsonObject("lastRebuild").get("millis").getAsLong()).isNotNegative();
        assertThat(stack.log("worker")).contains("Worker.java:3: error: ; expected").contains("rebuild exited 7");
        assertThat(stack.run("local", "status").stdout()).contains("worker last error: rebuild")
                .contains("2 rebuilds, the last exit 7");
        assertThat(starts(dir)).hasSize(2);

        Files.writeString(dir.resolve("src/build.sh"), "echo fixed\n"); // fixed: the next rebuild replaces it
        awaitStarts(dir, 3);
        await().atMost(BOUND).until(() -> "running".equals(stack.state("worker")));
        assertThat(stack.component("worker").get("lastError").isJsonNull()).isTrue();

        // A slow rebuild that marks its start: changes while it runs make exactly one more, then one replacement.
        Files.writeString(dir.resolve("src/build.sh"), "echo started >> rebuild-starts.txt; sleep 3\n");
        await().atMost(BOUND).until(() -> Files.exists(dir.resolve("rebuild-starts.txt")));
        for (int i = 0; i < 3; i++) { // a burst that ends (1 s of quiet) while the 3 s rebuild still runs
            edit(dir, "src/Worker.java");
        }
        awaitStarts(dir, 4);
        staysAt(dir, 4);
        assertThat(Files.readAllLines(dir.resolve("rebuild-starts.txt"))).as("one rebuild, then exactly one more").hasSize(2);
        assertThat(stack.component("worker").getAsJsonObject("watch").get("rebuilds").getAsInt()).isEqualTo(5);
        assertThat(dir.resolve("overlaps.txt")).doesNotExist();
    }

    @Test
    void noWatchIgnoresEditsUntilAStartWithoutIt(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  worker:
                    command: %s exec sleep 600
                    watch: {paths: [src], debounce: 200ms}
                """.formatted(RECORD_START));
        Files.createDirectories(dir.resolve("src"));
        stack.start("--no-watch");
        awaitStarts(dir, 1);
        assertThat(stack.component("worker").get("watch").isJsonNull()).isTrue();
        edit(dir, "src/Worker.java");
        staysAt(dir, 1);

        CliResult again = stack.start(); // the control: the same file, watched; the service is kept (same spec)
        assertThat(again.stdout()).doesNotContain("replaced");
        staysAt(dir, 1);
        assertThat(stack.component("worker").get("watch").isJsonObject()).isTrue();
        edit(dir, "src/Worker.java");
        awaitStarts(dir, 2);
        staysAt(dir, 2);
    }

    @Test
    void theInotifyLimitReachedIsOneLineAndTheStackRunsOn(Stack stack) throws Exception {
        // The kernel counts inotify watches per user namespace: one of its own with a limit of 20
        // (the machine's limit is untouched), the CLI and the daemon it spawns inside it.
        stack.launcher.addAll(List.of("unshare", "--user", "--map-root-user", "sh", "-c",
                "echo 20 > /proc/sys/user/max_inotify_watches && exec \"$@\"", "sh"));
        Path dir = stack.project("""
                services:
                  worker:
                    command: %s exec sleep 600
                    watch: {paths: [src], debounce: 200ms}
                """.formatted(RECORD_START));
        for (int i = 0; i < 50; i++) {
            Files.createDirectories(dir.resolve("src/pkg" + i));
        }
        stack.start();
        awaitStarts(dir, 1);
        JsonObject worker = stack.component("worker");
        assertThat(worker.get("state").getAsString()).isEqualTo("running");
        assertThat(worker.get("lastError").getAsString()).contains("fs.inotify.max_user_watches");
        assertThat(stack.run("local", "status").stdout().lines().filter(l -> l.contains("max_user_watches")))
                .as("one line").hasSize(1);
        assertThat(stack.state("temporal")).isEqualTo("running");

        edit(dir, "src/Worker.java"); // what is watched still works: the root was registered first
        awaitStarts(dir, 2);
        assertThat(dir.resolve("overlaps.txt")).doesNotExist();
    }

    @Test
    void aMissingWatchPathIsExitTwoAtItsLine(Stack stack) throws Exception {
        Path dir = stack.project("""
                services:
                  worker:
                    command: exec sleep 600
                    watch:
                      - src
                """);
        CliResult result = stack.run("local", "start");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.errorLines()).containsExactly("stigmer: " + dir.resolve("stigmer.yaml") + ":5:9: service worker "
                + "watch path " + dir.resolve("src") + " does not exist; create it or fix the path (relative to " + dir + ")");
        assertThat(stack.ownedProcesses()).isEmpty();
    }
}
