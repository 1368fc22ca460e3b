package dev.stigmer.state;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void writeReplacesTheContentAndLeavesNoTempFiles() throws Exception {
        Path file = dir.resolve("daemon.json");

        AtomicFile.write(file, "first, and longer than the second\n");
        AtomicFile.write(file, "second\n");

        assertThat(Files.readString(file)).isEqualTo("second\n");
        assertThat(entries()).containsExactly(file);
    }

    /** Replacing by rename: an open reader keeps the complete old version. */
    @Test
    void readerOfTheOldVersionKeepsSeeingIt() throws Exception {
        Path file = dir.resolve("daemon.json");
        AtomicFile.write(file, "old\n");

        try (InputStream old = Files.newInputStream(file)) {
            AtomicFile.write(file, "new\n");

            assertThat(new String(old.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("old\n");
        }
        assertThat(Files.readString(file)).isEqualTo("new\n");
    }

    @Test
    void concurrentReaderSeesOnlyWholeVersions() throws Exception {
        Path file = dir.resolve("daemon.json");
        String a = "a".repeat(64 * 1024);
        String b = "b".repeat(96 * 1024);
        AtomicFile.write(file, a);
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            int reads = 0;
            while (writing.get()) {
                try {
                    assertThat(Files.readString(file)).isIn(a, b);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                reads++;
            }
            return reads;
        });

        for (int i = 0; i < 100; i++) {
            AtomicFile.write(file, i % 2 == 0 ? b : a);
        }
        writing.set(false);

        assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
        assertThat(entries()).containsExactly(file);
    }

    @Test
    void failedWriteLeavesTheTargetAndNoTempFile() throws Exception {
        Path target = Files.createDirectory(dir.resolve("daemon.json"));
        Files.writeString(target.resolve("keep"), "x");

        assertThatThrownBy(() -> AtomicFile.write(target, "{}")).isInstanceOf(IOException.class);

        assertThat(entries()).containsExactly(target);
        assertThat(Files.readString(target.resolve("keep"))).isEqualTo("x");
    }

    private java.util.List<Path> entries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
