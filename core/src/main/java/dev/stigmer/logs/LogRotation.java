package dev.stigmer.logs;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a log within {@code maxBytes} x ({@code keep} + 1) while its writers keep their O_APPEND
 * descriptors (a process we adopted, or one whose output must not depend on our life).
 * <p>
 * <b>Moving the head, where the file system can</b> (ext4, XFS): the first n bytes (n at most
 * {@code maxBytes}, a multiple of the block size) are copied to a new NAME.1 and then removed
 * from the live file with fallocate(COLLAPSE_RANGE), which shifts the rest down atomically with
 * respect to writers: no byte is lost and none is repeated. Each generation holds at most
 * {@code maxBytes}; a live file that grew past several of them while one rotation ran is moved a
 * piece at a time, and what would at once fall off the oldest kept generation is dropped without
 * a copy. The bound's only slack is what writers append while one rotation runs (see
 * LogRotationTest for the measure). The seam between NAME.1 and the live file is at a block
 * boundary, so a line may straddle it: its bytes are whole and in order across the two files,
 * and a follower ({@link LogFollower}) prints it whole.
 * <p>
 * <b>Copy-and-truncate, elsewhere</b> (tmpfs, btrfs): the whole file is copied to NAME.1 and
 * truncated. What the writer appends after the copy's last read and before the truncate is lost:
 * one window per rotation, at the seam; and a copy holds whatever the file had grown to.
 * <p>
 * <b>No room for a copy</b> (a full disk): the bound still holds. Older generations are dropped,
 * oldest first, while that leaves too little room; if a copy still cannot be made, the head is
 * dropped (or the log truncated) and its content lost. Each later rotation tries a copy again.
 * <p>
 * Every rotation holds the log's exclusive flock, and writes {@link LogSeams} before releasing
 * it, so a follower (shared flock) sees the pieces before or after, never between. Not safe for
 * concurrent calls on the same log from one process: callers serialise ({@link LogRotator} does).
 */
public record LogRotation(long maxBytes, int keep) {
    public static final LogRotation DEFAULT = new LogRotation(10L * 1024 * 1024, 3);
    private static final int MAX_COPY_PASSES = 4;
    /** Per directory: whether its file system collapses ranges (found out once, on a scratch file). */
    private static final Map<Path, Boolean> COLLAPSES = new ConcurrentHashMap<>();

    public LogRotation {
        if (maxBytes < 1024 || keep < 1) {
            throw new IllegalArgumentException("log bound too small");
        }
    }

    /** What one {@link #rotateIfNeeded} did. */
    public enum Outcome {
        /** Within the bound, or no such file: nothing done. */
        LEFT_ALONE,
        /** Moved to NAME.1 (older generations shifted up, the oldest dropped). */
        ROTATED,
        /** There was room for the copy only after dropping older generations. */
        ROTATED_AFTER_DROPPING_OLDER,
        /** No copy could be made: dropped from the live file, its content lost, to keep the bound. */
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
            int fd;
            try {
                fd = Linux.openExisting(log, true);
            } catch (OsException e) {
                return new Result(Outcome.LEFT_ALONE, null); // gone or replaced since: the next write looks again
            }
            try {
                if (collapses(log)) {
                    return moveHeads(log, live, fd);
                }
                Linux.lock(fd, false);
                return copyAndTruncate(log, live);
            } finally {
                Linux.close(fd); // releases the lock
            }
        }
    }

    public static Path rotated(Path log, int generation) {
        return log.resolveSibling(log.getFileName() + "." + generation);
    }

    /**
     * One piece at a time, each under the exclusive lock only while the files change (renames,
     * the collapse, the index): the copy is made before, unlocked, from bytes that cannot change
     * (writers only append; only this rotates), so a follower waits for milliseconds, not for a copy.
     */
    private Result moveHeads(Path log, FileChannel live, int fd) throws IOException {
        long block = Files.getFileStore(log).getBlockSize();
        Path copy = log.resolveSibling("." + log.getFileName() + ".rotating");
        Outcome outcome = Outcome.ROTATED;
        String why = null;
        // Until within the bound (a writer that stopped: at most keep + 2 passes, thanks to the drop);
        // bounded for one that does not, whose next write event brings us back.
        for (int pass = 0; pass < 4 * (keep + 2) && live.size() > maxBytes; pass++) {
            long size = live.size();
            long beyondEverything = size - (keep + 1) * maxBytes;
            if (beyondEverything >= block) {
                // Would fall off the oldest generation within this rotation anyway: drop it uncopied.
                long drop = beyondEverything / block * block;
                Linux.lock(fd, false);
                try {
                    if (!collapse(fd, drop)) {
                        return copyAndTruncate(log, live);
                    }
                    LogSeams.read(log).removedHead(drop, false).write(log);
                } finally {
                    Linux.unlock(fd);
                }
                continue;
            }
            long head = Math.min(maxBytes, size - 1) / block * block;
            if (head == 0) {
                Linux.lock(fd, false);
                return copyAndTruncate(log, live);
            }
            Files.deleteIfExists(copy);
            IOException failure = copy(live, head, copy);
            live.force(false); // written back now, unlocked, so the collapse has little left to write
            Linux.lock(fd, false);
            try {
                LogSeams seams = LogSeams.read(log);
                for (int oldest = keep; failure != null && oldest >= 2 && lacksRoomFor(log, head); oldest--) {
                    if (Files.deleteIfExists(rotated(log, oldest))) {
                        seams = seams.without(oldest);
                        outcome = Outcome.ROTATED_AFTER_DROPPING_OLDER;
                        why = "too little disk space for " + keep + " copies of " + log.getFileName();
                        failure = copy(live, head, copy);
                    }
                }
                if (failure != null) {
                    outcome = Outcome.TRUNCATED_WITHOUT_COPY;
                    why = "cannot copy " + log.getFileName() + ": " + failure.getMessage();
                }
                seams = shiftGenerations(log, seams);
                if (failure == null) {
                    Files.move(copy, rotated(log, 1), StandardCopyOption.ATOMIC_MOVE);
                }
                if (!collapse(fd, head)) {
                    Files.deleteIfExists(rotated(log, 1)); // NAME.1 is free again: copy all of it there
                    seams.write(log);
                    return copyAndTruncate(log, live, seams, false);
                }
                seams.removedHead(head, failure == null).write(log);
            } finally {
                Linux.unlock(fd);
                Files.deleteIfExists(copy);
            }
        }
        return new Result(outcome, why);
    }

    private Result copyAndTruncate(Path log, FileChannel live) throws IOException {
        return copyAndTruncate(log, live, LogSeams.read(log), true);
    }

    private Result copyAndTruncate(Path log, FileChannel live, LogSeams seams, boolean shift) throws IOException {
        String why;
        try {
            if (shift) {
                seams = shiftGenerations(log, seams);
            }
            Outcome outcome = Outcome.ROTATED;
            IOException failure = copy(live, -1, rotated(log, 1));
            for (int oldest = keep; failure != null && oldest >= 2 && lacksRoomFor(log, live.size()); oldest--) {
                if (Files.deleteIfExists(rotated(log, oldest))) {
                    seams = seams.without(oldest);
                    outcome = Outcome.ROTATED_AFTER_DROPPING_OLDER;
                    failure = copy(live, -1, rotated(log, 1));
                }
            }
            if (failure == null) {
                long copied = Files.size(rotated(log, 1));
                live.truncate(0);
                seams.removedHead(copied, true).write(log);
                return new Result(outcome, outcome == Outcome.ROTATED ? null : "too little disk space for "
                        + keep + " copies of " + log.getFileName());
            }
            why = failure.getMessage();
        } catch (IOException e) {
            why = e.toString();
        }
        long lost = live.size();
        live.truncate(0);
        try {
            seams.removedHead(lost, false).write(log);
        } catch (IOException ignored) {
            // no room even for the index: followers start the live file over
        }
        return new Result(Outcome.TRUNCATED_WITHOUT_COPY, "cannot copy " + log.getFileName() + ": " + why);
    }

    /** NAME.N becomes NAME.N+1, the oldest past {@code keep} is dropped, and NAME.1 is free. */
    private LogSeams shiftGenerations(Path log, LogSeams seams) throws IOException {
        for (int i = keep - 1; i >= 1; i--) {
            Path older = rotated(log, i);
            if (Files.exists(older, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(older, rotated(log, i + 1), StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(rotated(log, i + 1)); // a gap: what was there is not NAME.i's successor
            }
        }
        Files.deleteIfExists(rotated(log, 1)); // still there when keep is 1
        return seams.shifted(keep);
    }

    /**
     * Copies the first {@code length} bytes of {@code live} (or, when negative, all of it, catching
     * up with what is appended meanwhile) to a new {@code target}; on failure removes what was written.
     */
    private static IOException copy(FileChannel live, long length, Path target) {
        try (FileChannel out = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            long position = 0;
            for (int pass = 0; pass < (length < 0 ? MAX_COPY_PASSES : 1) && position < live.size(); pass++) {
                long end = length < 0 ? live.size() : length;
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

    /** A collapse that fails for any reason (ENOSPC too) leaves the file as it was: copy-and-truncate then. */
    private static boolean collapse(int fd, long length) {
        try {
            return Linux.collapseRange(fd, length);
        } catch (OsException e) {
            return false;
        }
    }

    /**
     * Whether {@code log}'s file system collapses ranges: tried once per directory on a scratch
     * file (not remembered when even that cannot be made, as on a full disk).
     */
    private static boolean collapses(Path log) {
        Path dir = log.toAbsolutePath().getParent();
        Boolean known = COLLAPSES.get(dir);
        if (known != null) {
            return known;
        }
        try {
            long block = Files.getFileStore(dir).getBlockSize();
            Path scratch = Files.createTempFile(dir, ".collapse", ".tmp");
            try {
                Files.write(scratch, new byte[(int) (2 * block + 1)]);
                int fd = Linux.openExisting(scratch, true);
                boolean collapsed;
                try {
                    collapsed = collapse(fd, block) && Files.size(scratch) == block + 1;
                } finally {
                    Linux.close(fd);
                }
                COLLAPSES.put(dir, collapsed);
                return collapsed;
            } finally {
                Files.deleteIfExists(scratch);
            }
        } catch (IOException | RuntimeException e) {
            return false;
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
