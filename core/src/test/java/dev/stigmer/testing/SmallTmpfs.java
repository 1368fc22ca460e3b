package dev.stigmer.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A tmpfs of a few hundred KiB mounted for one test, so a full disk is real and cheap. Needs
 * root (CI runs as root); elsewhere the test is skipped, saying so loudly on stderr and in the
 * report, never silently.
 */
public final class SmallTmpfs implements AutoCloseable {
    private final Path mountPoint;

    private SmallTmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    public static SmallTmpfs mount(Path mountPoint, String size) throws Exception {
        if (!isRoot()) {
            skipLoudly("mounting a tmpfs needs root (CI runs as root); this test did NOT run");
        }
        Files.createDirectories(mountPoint);
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs",
                mountPoint.toString()).redirectErrorStream(true).start();
        String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!mount.waitFor(30, TimeUnit.SECONDS) || mount.exitValue() != 0) {
            skipLoudly("cannot mount a tmpfs (" + output + "); this test did NOT run");
        }
        return new SmallTmpfs(mountPoint);
    }

    public Path root() {
        return mountPoint;
    }

    /** Writes {@code name} until the file system refuses (ENOSPC); returns its size. */
    public long fill(String name) throws IOException {
        Path filler = mountPoint.resolve(name);
        byte[] block = new byte[4096];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
                written += block.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        // What the stream still buffered is lost: fill the last blocks byte by byte.
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            while (true) {
                out.write(0);
                out.flush();
            }
        } catch (IOException e) {
            // full
        }
        return Files.size(filler);
    }

    /** Shortens {@code name} by {@code bytes}: that much room on the file system again. */
    public void free(String name, long bytes) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(mountPoint.resolve(name), java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(Math.max(0, channel.size() - bytes));
        }
    }

    @Override
    public void close() throws Exception {
        Process umount = new ProcessBuilder("umount", "--lazy", mountPoint.toString()).inheritIO().start();
        umount.waitFor(30, TimeUnit.SECONDS);
    }

    private static boolean isRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    private static void skipLoudly(String why) {
        System.err.println("SKIPPED (loudly): " + why);
        Assumptions.abort(why);
    }
}
