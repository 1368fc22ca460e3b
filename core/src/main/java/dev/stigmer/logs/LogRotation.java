package dev.stigmer.logs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a log within {@code maxBytes} x ({@code keep} + 1) by copy-and-truncate: the writer keeps
 * its O_APPEND descriptor (a process we adopted, or one whose output must not depend on our
 * life), so the file is copied to NAME.1 and truncated in place; writes go on at the new end.
 */
public record LogRotation(long maxBytes, int keep) {
    public static final LogRotation DEFAULT = new LogRotation(10L * 1024 * 1024, 3);

    public LogRotation {
        if (maxBytes < 1024 || keep < 1) {
            throw new IllegalArgumentException("log bound too small");
        }
    }

    /** Rotates {@code log} if it has grown past the bound. Returns true when it rotated. */
    public boolean rotateIfNeeded(Path log) throws IOException {
        if (!Files.exists(log) || Files.size(log) <= maxBytes) {
            return false;
        }
        for (int i = keep - 1; i >= 1; i--) {
            Path older = rotated(log, i);
            if (Files.exists(older)) {
                Files.move(older, rotated(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(log, rotated(log, 1), StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        return true;
    }

    public static Path rotated(Path log, int generation) {
        return log.resolveSibling(log.getFileName() + "." + generation);
    }
}
