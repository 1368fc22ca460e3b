package dev.stigmer.watch;

import dev.stigmer.stack.WatchDefinition;
import dev.stigmer.supervision.WatchStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A service's watch over real files and real inotify, with a real rebuild process: what counts
 * as a change, the debounce, and rebuilds never two at once. Each "nothing happened" is proved
 * with a positive control after it: a real edit that must count exactly once.
 */
class ServiceWatchTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final FileWatcher watcher = new FileWatcher();
    private final AtomicInteger replacements = new AtomicInteger();
    private final List<ServiceWatch> watches = new ArrayList<>();

    @AfterEach
    void close() {
        watches.forEach(ServiceWatch::close);
        watcher.close();
    }

    private ServiceWatch watch(List<String> paths, List<String> ignore, String rebuild, long debounceMillis) {
        List<String> absolute = paths.stream().map(p -> dir.resolve(p).toString()).toList();
        WatchDefinition definition = new WatchDefinition(dir.toString(), absolute, paths.stream().map(p -> "").toList(),
                ignore, rebuild == null ? List.of() : List.of("/bin/sh", "-c", rebuild), debounceMillis);
        ServiceWatch watch = new ServiceWatch("svc", definition,
                new ServiceWatch.RebuildContext(dir, Map.of("PATH", "/usr/bin:/bin"), dir.resolve("svc.log"),
                        dir.resolve("src/home")), watcher,
                replacements::incrementAndGet, () -> { });
        watches.add(watch);
        return watch;
    }

    private void write(String path, String text) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** A real edit counts exactly once, and nothing else was counted before it. */
    private void aRealEditCountsOnce(String path) throws IOException {
        int before = replacements.get();
        write(path, "control " + System.nanoTime());
        await().atMost(PATIENCE).until(() -> replacements.get() == before + 1);
        await().during(Duration.ofMillis(400)).atMost(PATIENCE).until(() -> replacements.get() == before + 1);
    }

    @Test
    void anEditReplacesOnceAndAnIgnoredOneNever() throws Exception {
        write("src/A.java", "a");
        write("src/build/out.class", "x");
        write("src/sub/Keep.java", "k");
        ServiceWatch watch = watch(List.of("src"), List.of("**/*.tmp"), null, 100);
        write("src/A.java", "b");
        await().atMost(PATIENCE).until(() -> replacements.get() == 1);
        assertThat(watch.status().lastChange().path()).isEqualTo(dir.resolve("src/A.java").toString());

        // What the watch accepts, seen by a second subscriber with the same matcher: the kernel's events
        // come in order on one inotify descriptor, so once the control edit is seen, the ignored ones were.
        List<Path> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        watcher.subscribe(new WatchMatcher(watch.definition(), dir.resolve("src/home")), accepted::add, problem -> { });
        write("src/notes.tmp", "ignored by the user's pattern");
        write("src/sub/deeper.tmp", "ignored at any depth");
        write("src/build/out.class", "ignored by default (build output)");
        write("src/.git/index", "ignored by default");
        write("src/node_modules/x/index.js", "ignored by default");
        write("src/home/logs/svc.log", "a STIGMER_HOME inside the watched tree: its logs are never a change");
        write("outside.txt", "not under a watched path");
        aRealEditCountsOnce("src/A.java");
        assertThat(accepted).as("only the control edit counted")
                .containsOnly(dir.resolve("src/A.java"));
        assertThat(replacements.get()).isEqualTo(2);
    }

    @Test
    void aHundredEditsInABurstAreOneRebuildAndOneReplacement() throws Exception {
        write("src/A.java", "a");
        // A debounce longer than the burst takes on a loaded machine (~10 ms idle; it is the claim, not the clock, under test).
        ServiceWatch watch = watch(List.of("src"), List.of(), "echo built >> rebuilds.txt", 1000);
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            write("src/A.java", "edit " + i);
        }
        assertThat((System.nanoTime() - started) / 1_000_000).as("the burst took under the debounce").isLessThan(1000);
        await().atMost(PATIENCE).until(() -> replacements.get() == 1);
        await().during(Duration.ofMillis(1500)).atMost(PATIENCE).until(() -> replacements.get() == 1);
        assertThat(watch.status().rebuilds()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("rebuilds.txt"))).hasSize(1);
    }

    @Test
    void aFailingRebuildReplacesNothingAndSaysWhy() throws Exception {
        write("src/A.java", "a");
        ServiceWatch watch = watch(List.of("src"), List.of(), "echo compile error; exit 3", 50);
        write("src/A.java", "broken");
        await().atMost(PATIENCE).until(() -> watch.status().rebuilds() == 1);
        WatchStatus status = watch.status();
        assertThat(status.lastRebuild().exitCode()).isEqualTo(3);
        assertThat(watch.problem()).contains("rebuild `echo compile error; exit 3` failed (exit 3)");
        assertThat(replacements.get()).isZero();
        assertThat(Files.readString(dir.resolve("svc.log"))).contains("compile error").contains("rebuild exited 3");
    }

    @Test
    void aChangeDuringARebuildMakesExactlyOneMore() throws Exception {
        write("src/A.java", "a");
        // Each rebuild marks its start, then takes a second.
        ServiceWatch watch = watch(List.of("src"), List.of(), "echo start >> starts.txt; sleep 1", 50);
        write("src/A.java", "first");
        await().atMost(PATIENCE).until(() -> Files.exists(dir.resolve("starts.txt")));
        for (int i = 0; i < 5; i++) { // several bursts while it runs: one more rebuild, not five
            write("src/A.java", "during " + i);
            Thread.sleep(100);
        }
        await().atMost(PATIENCE).until(() -> replacements.get() == 1);
        await().during(Duration.ofMillis(1500)).atMost(PATIENCE).until(() -> replacements.get() == 1);
        assertThat(watch.status().rebuilds()).isEqualTo(2);
        assertThat(Files.readAllLines(dir.resolve("starts.txt"))).hasSize(2);
    }

    @Test
    void directoriesMadeLaterAndDirectoriesRemovedAndMadeAgainAreWatched() throws Exception {
        write("src/A.java", "a");
        watch(List.of("src"), List.of(), null, 200);
        write("src/new/deep/B.java", "b"); // created after the watch began
        countsAgain(0);
        aRealEditCountsOnce("src/new/deep/B.java");

        // git checkout / git stash: a directory deleted (a change), made again, edited.
        deleteTree(dir.resolve("src/new"));
        countsAgain(2);
        write("src/new/deep/B.java", "again");
        countsAgain(replacements.get());
        aRealEditCountsOnce("src/new/deep/B.java");

        // The watched root itself.
        deleteTree(dir.resolve("src"));
        countsAgain(replacements.get());
        write("src/C.java", "c");
        countsAgain(replacements.get());
        aRealEditCountsOnce("src/C.java");
    }

    /**
     * Replaced again after {@code before} (a tree's events on a loaded machine may be one burst or
     * two), then quiet.
     */
    private void countsAgain(int before) {
        await().atMost(PATIENCE).until(() -> replacements.get() > before);
        int[] last = {replacements.get()};
        await().during(Duration.ofMillis(600)).atMost(PATIENCE).until(() -> {
            boolean same = replacements.get() == last[0];
            last[0] = replacements.get();
            return same;
        });
    }

    @Test
    void aFileRootIsWatchedAndItsSiblingsAreNot() throws Exception {
        write("pom.xml", "<project/>");
        watch(List.of("pom.xml"), List.of(), null, 50);
        List<Path> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        watcher.subscribe(new WatchMatcher(watches.getFirst().definition(), dir.resolve("home")), accepted::add,
                problem -> { });
        write("README.md", "a sibling");
        aRealEditCountsOnce("pom.xml");
        assertThat(accepted).containsOnly(dir.resolve("pom.xml"));
        // An editor's atomic save: a new file renamed over it.
        write("pom.xml.swp", "<project>2</project>");
        Files.move(dir.resolve("pom.xml.swp"), dir.resolve("pom.xml"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        await().atMost(PATIENCE).until(() -> replacements.get() == 2);
    }

    private static void deleteTree(Path top) throws IOException {
        try (var files = Files.walk(top)) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
