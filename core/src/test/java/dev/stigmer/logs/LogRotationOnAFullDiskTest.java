package dev.stigmer.logs;

import dev.stigmer.testing.LogCapture;
import dev.stigmer.testing.SmallTmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/** Rotation on a real full file system: a tmpfs of 512 KiB mounted by the test (needs root). */
class LogRotationOnAFullDiskTest {
    private static final long BOUND = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void aFullDiskStillKeepsTheBoundAndRotationResumesWhenSpaceReturns() throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir.resolve("disk"), "512k")) {
            Path log = disk.root().resolve("temporal.log");
            LogRotation rotation = new LogRotation(BOUND, 3);
            append(log, "before the disk filled", 100 * 1024);
            disk.fill("filler");

            rotation.rotateIfNeeded(log);

            assertThat(Files.size(log)).as("the log is back within its bound").isLessThanOrEqualTo(BOUND);
            assertThat(LogRotation.rotated(log, 1)).as("no half-written copy is left to eat the space").doesNotExist();

            // Still full (the writer took what the truncate freed): again within the bound.
            append(log, "while the disk is full", 100 * 1024);
            rotation.rotateIfNeeded(log);
            assertThat(Files.size(log)).isLessThanOrEqualTo(BOUND);

            Files.delete(disk.root().resolve("filler"));
            String kept = append(log, "after space returned", 100 * 1024);
            rotation.rotateIfNeeded(log);

            assertThat(Files.readString(LogRotation.rotated(log, 1))).as("a normal rotation again").isEqualTo(kept);
            assertThat(log).isEmptyFile();
        }
    }

    @Test
    void olderGenerationsAreDroppedWhenThatMakesRoomForTheCopy() throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir.resolve("disk"), "512k")) {
            Path log = disk.root().resolve("temporal.log");
            LogRotation rotation = new LogRotation(BOUND, 3);
            String newest = append(LogRotation.rotated(log, 1), "generation 1", 80 * 1024);
            append(LogRotation.rotated(log, 2), "generation 2", 80 * 1024);
            append(LogRotation.rotated(log, 3), "generation 3", 80 * 1024);
            String live = append(log, "live", 150 * 1024);
            disk.fill("filler");

            rotation.rotateIfNeeded(log);

            assertThat(Files.readString(LogRotation.rotated(log, 1))).as("the live log, copied whole").isEqualTo(live);
            assertThat(Files.readString(LogRotation.rotated(log, 2))).isEqualTo(newest);
            assertThat(LogRotation.rotated(log, 3)).as("the oldest made room").doesNotExist();
            assertThat(log).isEmptyFile();
        }
    }

    /**
     * The daemon checks every second: a disk that stays full must not write a warning each time.
     * The watcher rotates too, on every write: whoever gets there first, one warning.
     */
    @Test
    void aFullDiskIsLoggedOnceAndItsEndOnce() throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir.resolve("disk"), "512k");
             LogCapture logged = LogCapture.of("stigmer.logs")) {
            Path log = disk.root().resolve("temporal.log");
            try (LogRotator rotator = LogRotator.start(new LogRotation(BOUND, 3), List.of(log))) {
                disk.fill("filler");
                disk.free("filler", 120 * 1024); // room for the log to grow, none for a copy of it
                for (int i = 0; i < 3; i++) {
                    append(log, "disk full " + i, 100 * 1024);
                    rotator.checkAll();
                    assertThat(Files.size(log)).isLessThanOrEqualTo(BOUND);
                }
                Files.delete(disk.root().resolve("filler"));
                append(log, "space is back", 100 * 1024);
                rotator.checkAll();
                assertThat(LogRotation.rotated(log, 1)).as("copied again").exists();
            }
            assertThat(logged.messages(Level.WARNING)).singleElement().asString()
                    .contains("temporal.log").contains("No space left on device").contains("truncated it in place");
            assertThat(logged.messages(Level.INFO)).filteredOn(m -> m.contains("rotates normally again")).hasSize(1);
        }
    }

    /** Appends numbered lines up to about {@code bytes} (fewer when the disk fills); returns what was written. */
    private static String append(Path file, String label, int bytes) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < bytes; i++) {
            text.append(label).append(' ').append(i).append('\n');
        }
        byte[] data = text.toString().getBytes(StandardCharsets.UTF_8);
        long before = Files.exists(file) ? Files.size(file) : 0;
        try {
            Files.write(file, data, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            // disk full: what made it to the file is what counts
        }
        // A running rotator's watcher may have truncated the log (copy-truncate) meanwhile, leaving
        // it shorter than before: then what this call wrote cannot be told from the size.
        long written = Math.clamp(Files.size(file) - before, 0, data.length);
        return new String(data, 0, (int) written, StandardCharsets.UTF_8);
    }
}
