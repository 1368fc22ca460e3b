package dev.stigmer.logs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Keeps a log within {@code maxBytes} x ({@code keep} + 1) by copy-and-truncate: the writer keeps
 * its O_APPEND descriptor (a process we adopted, or one whose output must not depend on our
 * life), so the file is copied to NAME.1 and truncated in place; writes go on at the new end.
 * <p>
 * <b>The copy-truncate window.</b> What the writer appends after the copy's last read and before
 * the truncate is lost: one window per rotation, at the seam between the new NAME.1 and the live
 * file, and nowhere else. The copy reads through the very descriptor it then truncates, and reads
 * again until it has caught up with the end (a few passes at most), so the window is the span
 * between that last read and ftruncate(2). A line being written as the copy reads its end may be
 * cut short at the end of NAME.1; its rest falls in the window.
 * <p>
 * <b>No room for a copy</b> (a full disk): the bound still holds. Older generations are dropped,
 * oldest first, while that leaves too little room; if a copy still cannot be made, the log is
 * truncated in place and its content lost. Each later rotation tries a copy again, so rotation
 * works normally as soon as space returns.
 * <p>
 * Not safe for concurrent calls on the same log: callers serialise ({@link LogRotator} does).
 */
public record LogRotation(long maxBytes, int keep) {
    public static final LogRotation DEFAULT = new LogRotation(10L * 1024 * 1024, 3);
    private static final int MAX_COPY_PASSES = 4;

    public LogRotation {
        if (maxBytes < 1024 || keep < 1) {
            throw new IllegalArgumentException("log bound too small");
        }
    }

    /** What one {@link #rotateIfNeeded} did. */
    public enum Outcome {
        /** Within the bound, or no such file: nothing done. */
        LEFT_ALONE,
        /** Copied to NAME.1 (older generations shifted up, the oldest dropped) and truncated. */
        ROTATED,
        /** There was room for the copy only after dropping older generations. */
        ROTATED_AFTER_DROPPING_OLDER,
        /** No copy could be made: truncated in place, its content lost, to keep the bound. */
        TRUNCATED_WITHOUT_COPY
    }

    /** {@code why} says what went wrong when the outcome is not a plain rotation; else null. */
    public record Result(Outcome outcome, String why) {
        public boolean rotated() {
            return outcome != Outcome.LEFT_ALONE;
        }
    }

    /** Rotates {@code log} if it has grown past the bound. Refuses a log that is a symbolic link. */
    public Result rotateIfNeeded(Path log) throws IOException {
        FileChannel live;
        try {
            live = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Result(Outcome.LEFT_ALONE, null);
        }
        try (live) {
            if (live.size() <= maxBytes) {
                return new Result(Outcome.LEFT_ALONE, null);
            }
            String why;
            try {
                for (int i = keep - 1; i >= 1; i--) {
                    Path older = rotated(log, i);
                    if (Files.exists(older, LinkOption.NOFOLLOW_LINKS)) {
                        Files.move(older, rotated(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Files.deleteIfExists(rotated(log, 1)); // still there when keep is 1
                Outcome outcome = Outcome.ROTATED;
                IOException failure = copy(live, rotated(log, 1));
                for (int oldest = keep; failure != null && oldest >= 2 && lacksRoomFor(log, live.size()); oldest--) {
                    if (Files.deleteIfExists(rotated(log, oldest))) {
                        outcome = Outcome.ROTATED_AFTER_DROPPING_OLDER;
                        failure = copy(live, rotated(log, 1));
                    }
                }
                if (failure == null) {
                    live.truncate(0);
                    return new Result(outcome, outcome == Outcome.ROTATED ? null : "too little disk space for "
                            + keep + " copies of " + log.getFileName());
                }
                why = failure.getMessage();
            } catch (IOException e) {
                why = e.toString();
            }
            live.truncate(0);
            return new Result(Outcome.TRUNCATED_WITHOUT_COPY, "cannot copy " + log.getFileName() + ": " + why);
        }
    }

    public static Path rotated(Path log, int generation) {
        return log.resolveSibling(log.getFileName() + "." + generation);
    }

    /** Copies all of {@code live} to a new {@code target}; on failure removes what was written. */
    private static IOException copy(FileChannel live, Path target) {
        try (FileChannel out = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            long position = 0;
            // Catch up with what was appended meanwhile: each pass shortens the window.
            for (int pass = 0; pass < MAX_COPY_PASSES && position < live.size(); pass++) {
                long end = live.size();
                while (position < end) {
                    long copied = live.transferTo(position, end - position, out);
                    if (copied <= 0) {
                        break;
                    }
                    position += copied;
                }
            }
            return null;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // the next rotation moves or replaces it
            }
            return e;
        }
    }

    private static boolean lacksRoomFor(Path log, long bytes) {
        try {
            return Files.getFileStore(log).getUsableSpace() < bytes;
        } catch (IOException e) {
            return false;
        }
    }
}
