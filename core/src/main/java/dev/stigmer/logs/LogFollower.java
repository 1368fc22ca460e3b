package dev.stigmer.logs;

import dev.stigmer.os.Linux;
import dev.stigmer.os.OsException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Map;

/**
 * Reads what is appended to a log, whole lines in order, across its rotations: `logs -f` and
 * the log readiness probe. It holds a position in the log's byte stream (see {@link LogSeams});
 * each {@link #poll} takes the log's shared flock, so no rotation runs while it looks, finds
 * where that position now lives (the live file, or a generation the rotations since moved it
 * to) and reads from there. Bytes become lines only at a newline, so a multibyte character or
 * a line split across two reads, or across NAME.1 and the live file, comes out whole. What was
 * rotated out of the last kept generation before it was read is skipped and counted
 * ({@link #skippedBytes()}): a follower more than the whole bound behind.
 */
public final class LogFollower {
    /** Longer than this without a newline: handed on as a line of its own, so memory stays bounded. */
    public static final int MAX_LINE_BYTES = 1024 * 1024;

    /** Receives whole lines, one or more, each with its newline; {@code bytes} is only valid during the call. */
    @FunctionalInterface
    public interface LinesSink {
        void lines(byte[] bytes, int offset, int length) throws IOException;
    }

    /** Receives one line without its newline; {@code bytes} is only valid during the call. */
    @FunctionalInterface
    public interface LineSink {
        void line(byte[] bytes, int offset, int length) throws IOException;
    }

    private final Path log;
    private final ByteBuffer chunk;
    private long position;
    private Object liveKey;
    private byte[] partial = new byte[8192];
    private int partialLength;
    private long skipped;
    private boolean resync;

    private LogFollower(Path log, long position, Object liveKey, int chunkBytes) {
        this.log = log;
        this.position = position;
        this.liveKey = liveKey;
        this.chunk = ByteBuffer.allocate(chunkBytes);
    }

    /** Follows {@code log} from its current end: what is appended from now on. */
    public static LogFollower fromEnd(Path log) {
        return fromEnd(log, 1024 * 1024);
    }

    static LogFollower fromEnd(Path log, int chunkBytes) {
        int fd = lockShared(log);
        try {
            BasicFileAttributes live = attributes(log);
            long size = live == null ? 0 : live.size();
            return new LogFollower(log, LogSeams.read(log).base() + size, live == null ? null : live.fileKey(), chunkBytes);
        } finally {
            unlock(fd);
        }
    }

    /** The log's end as a position in its byte stream, stable across rotations (what {@link #at} takes). */
    public static long streamEnd(Path log) {
        int fd = lockShared(log);
        try {
            BasicFileAttributes live = attributes(log);
            return LogSeams.read(log).base() + (live == null ? 0 : live.size());
        } finally {
            unlock(fd);
        }
    }

    /**
     * Follows {@code log} from {@code position} of its byte stream (from {@link #streamEnd}): what
     * was appended since then, from the generation it was rotated into if it was. A position past
     * the end (another log by that name was started since) follows from the end.
     */
    public static LogFollower at(Path log, long position) {
        LogFollower fromEnd = fromEnd(log);
        if (position >= fromEnd.position) {
            return fromEnd;
        }
        return new LogFollower(log, position, fromEnd.liveKey, fromEnd.chunk.capacity());
    }

    /** Where the follower started or has read to, in the live file's bytes (for a tail printed before following). */
    public long liveOffset() {
        int fd = lockShared(log);
        try {
            return Math.max(0, position - LogSeams.read(log).base());
        } finally {
            unlock(fd);
        }
    }

    /** Bytes that were rotated away before they could be read. */
    public long skippedBytes() {
        return skipped;
    }

    /**
     * Reads up to one chunk of what is new and hands the whole lines in it to {@code sink}
     * (a line longer than {@link #MAX_LINE_BYTES} is cut there). Returns how many bytes it read:
     * 0 when there is nothing new.
     */
    public int poll(LinesSink sink) throws IOException {
        chunk.clear();
        int fd = lockShared(log);
        try {
            read();
        } finally {
            unlock(fd);
        }
        chunk.flip();
        int read = chunk.remaining();
        position += read;
        split(sink);
        return read;
    }

    /** Fills {@link #chunk} from wherever {@link #position} lives now; moves position past what is gone. */
    private void read() throws IOException {
        LogSeams seams = LogSeams.read(log);
        BasicFileAttributes live = attributes(log);
        if (live == null) {
            return;
        }
        if (liveKey != null && !liveKey.equals(live.fileKey())) {
            // Replaced by a new file (removed and made again): it starts over at its first byte.
            position = seams.base();
        }
        liveKey = live.fileKey();
        if (position >= seams.base()) {
            long offset = position - seams.base();
            if (offset > live.size()) {
                position = seams.base(); // truncated by someone else: start the file over
                offset = 0;
            }
            readFrom(log, offset);
            return;
        }
        // Behind the live file: in the newest generation that starts at or before position.
        long next = seams.base(); // where the piece after the one found starts
        for (Map.Entry<Integer, Long> generation : seams.generationStarts().entrySet()) { // newest first
            long start = generation.getValue();
            Path file = LogRotation.rotated(log, generation.getKey());
            if (start <= position) {
                long size = sizeOf(file);
                if (position < start + size) {
                    readFrom(file, position - start);
                    return;
                }
                break; // in a gap after it (a head dropped uncopied): resume at the next piece
            }
            next = start;
        }
        skipped += next - position;
        position = next;
        partialLength = 0; // its rest is gone: drop the fragment, and what follows up to the next line
        resync = true;
    }

    private void readFrom(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long at = offset;
            while (chunk.hasRemaining()) {
                int n = channel.read(chunk, at);
                if (n <= 0) {
                    break;
                }
                at += n;
            }
        } catch (NoSuchFileException e) {
            // gone: the next poll finds where it went
        }
    }

    /**
     * Hands on the whole lines of partial + chunk: what the last read left unfinished with the
     * chunk's first line, then the rest of the chunk's whole lines in one block, without
     * looking at every byte (a flood is passed on at the speed of a copy).
     */
    private void split(LinesSink sink) throws IOException {
        byte[] bytes = chunk.array();
        int end = chunk.limit();
        if (resync) {
            int first = 0;
            while (first < end && bytes[first] != '\n') {
                first++;
            }
            if (first == end) {
                return;
            }
            resync = false;
            System.arraycopy(bytes, first + 1, bytes, 0, end - first - 1);
            end -= first + 1;
        }
        int last = end - 1;
        while (last >= 0 && bytes[last] != '\n') {
            last--;
        }
        if (last < 0) {
            append(bytes, 0, end); // no newline in it: all of it continues the unfinished line
        } else {
            int start = 0;
            if (partialLength > 0) {
                int first = 0;
                while (bytes[first] != '\n') {
                    first++;
                }
                append(bytes, 0, first + 1);
                sink.lines(partial, 0, partialLength);
                partialLength = 0;
                start = first + 1;
            }
            if (start <= last) {
                sink.lines(bytes, start, last + 1 - start);
            }
            append(bytes, last + 1, end - last - 1);
        }
        if (partialLength >= MAX_LINE_BYTES) {
            append(new byte[]{'\n'}, 0, 1);
            sink.lines(partial, 0, partialLength);
            partialLength = 0;
        }
    }

    /** Calls {@code line} for each line of a block {@link LinesSink} was given, without its newline. */
    public static void eachLine(byte[] bytes, int offset, int length, LineSink line) throws IOException {
        int start = offset;
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == '\n') {
                line.line(bytes, start, i - start);
                start = i + 1;
            }
        }
    }

    private void append(byte[] bytes, int offset, int length) {
        if (partialLength + length > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(partialLength + length, partial.length * 2));
        }
        System.arraycopy(bytes, offset, partial, partialLength, length);
        partialLength += length;
    }

    /** The log's shared flock (no rotation changes its files while held); -1 when there is no log. */
    static int lockShared(Path log) {
        try {
            int fd = Linux.openExisting(log, false);
            try {
                Linux.lock(fd, true);
            } catch (OsException e) {
                Linux.close(fd);
                return -1;
            }
            return fd;
        } catch (OsException e) {
            return -1; // no log yet: nothing to read, nothing rotates it
        }
    }

    static void unlock(int fd) {
        if (fd >= 0) {
            Linux.close(fd);
        }
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    private static long sizeOf(Path file) {
        BasicFileAttributes attributes = attributes(file);
        return attributes == null ? 0 : attributes.size();
    }
}
