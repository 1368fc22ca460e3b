package dev.stigmer.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The last lines of a log, read from its end. What it reads is bounded whatever the file
 * holds (the daemon asks for tails in a 32 MB heap): a line longer than {@link #MAX_LINE_CHARS}
 * is shown as "…" and its last {@code MAX_LINE_CHARS} characters.
 * <p>
 * A rotation moves block-aligned bytes out of the live file's head ({@link LogRotation}), so
 * the live file may begin inside a line. Lines the live file lacks are taken from the newest
 * generation (NAME.1) when it ends where the live file begins, so a line cut by the seam comes
 * out whole; a first line whose start is gone (never kept, or further back) is left out.
 */
public final class LogTail {
    public static final int MAX_LINE_CHARS = 8 * 1024;
    /** The most read from a file's end, however many lines are asked for. */
    static final int MAX_WINDOW_BYTES = 32 * 1024 * 1024;
    private static final long MAX_LINE_BYTES = 4L * MAX_LINE_CHARS + 1; // UTF-8, with its newline

    private LogTail() {
    }

    public static List<String> lastLines(Path file, int count) {
        return lastLines(file, count, Long.MAX_VALUE);
    }

    /** The last {@code count} lines of the live file's first {@code end} bytes (and what came just before them). */
    public static List<String> lastLines(Path file, int count, long end) {
        if (count <= 0) {
            return List.of();
        }
        int lock = LogFollower.lockShared(file); // no rotation moves bytes between the two files while we read
        try (Pieces pieces = Pieces.of(file, end)) {
            long length = pieces.length();
            long window = Math.min(length, Math.min(MAX_WINDOW_BYTES, count * MAX_LINE_BYTES));
            long chunk = Math.min(window, Math.max(8192, count * 256L));
            while (true) {
                byte[] bytes = pieces.read(length - chunk, (int) chunk);
                List<String> lines = new ArrayList<>(Arrays.asList(
                        new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1)));
                if (!lines.isEmpty() && lines.getLast().isEmpty()) {
                    lines.removeLast();
                }
                // Past `count` lines the first (maybe partial) one is not needed; at the window's
                // edge it stays: it is the end of a line too long to show whole. At the start of
                // what is kept it stays only if a line starts there.
                if (lines.size() > count || chunk == window) {
                    if (lines.size() <= count && chunk == length && !lines.isEmpty() && !pieces.startsALine()) {
                        lines.removeFirst();
                    }
                    return lines.subList(Math.max(0, lines.size() - count), lines.size()).stream()
                            .map(LogTail::cut).toList();
                }
                chunk = Math.min(window, chunk * 4);
            }
        } catch (IOException e) {
            return List.of();
        } finally {
            LogFollower.unlock(lock);
        }
    }

    private static String cut(String line) {
        return line.length() <= MAX_LINE_CHARS ? line : "…" + line.substring(line.length() - MAX_LINE_CHARS);
    }

    /**
     * The bytes a tail reads, as one run: NAME.1 when it ends where the live file starts in the
     * log's byte stream ({@link LogSeams}), then the live file up to {@code end}.
     */
    private record Pieces(RandomAccessFile previous, long previousLength, RandomAccessFile live, long liveLength,
                          boolean startsALine) implements AutoCloseable {
        static Pieces of(Path log, long end) throws IOException {
            RandomAccessFile live = new RandomAccessFile(log.toFile(), "r");
            long liveLength = Math.min(end, live.length());
            LogSeams seams = LogSeams.read(log);
            Long start = seams.generationStarts().get(1);
            Path newest = LogRotation.rotated(log, 1);
            long size = start == null ? -1 : sizeOf(newest);
            if (start == null || size < 0 || start + size != seams.base()) {
                return new Pieces(null, 0, live, liveLength, startsALine(log, seams, seams.base()));
            }
            try {
                return new Pieces(new RandomAccessFile(newest.toFile(), "r"), size, live, liveLength,
                        startsALine(log, seams, start));
            } catch (IOException e) {
                return new Pieces(null, 0, live, liveLength, startsALine(log, seams, seams.base()));
            }
        }

        long length() {
            return previousLength + liveLength;
        }

        byte[] read(long from, int length) throws IOException {
            byte[] bytes = new byte[length];
            int done = 0;
            if (from < previousLength) {
                done = (int) Math.min(length, previousLength - from);
                previous.seek(from);
                previous.readFully(bytes, 0, done);
            }
            if (done < length) {
                live.seek(from + done - previousLength);
                live.readFully(bytes, done, length - done);
            }
            return bytes;
        }

        /** Whether a line starts at {@code position} of the stream: its start, or just after a newline we still have. */
        private static boolean startsALine(Path log, LogSeams seams, long position) {
            if (position == 0) {
                return true;
            }
            for (Map.Entry<Integer, Long> generation : seams.generationStarts().entrySet()) {
                long start = generation.getValue();
                if (start < position) {
                    try (RandomAccessFile file = new RandomAccessFile(LogRotation.rotated(log, generation.getKey()).toFile(), "r")) {
                        if (position - 1 - start >= file.length()) {
                            return false; // in a gap: a head dropped uncopied
                        }
                        file.seek(position - 1 - start);
                        return file.read() == '\n';
                    } catch (IOException e) {
                        return false;
                    }
                }
            }
            return false; // what came before is gone
        }

        private static long sizeOf(Path file) {
            try {
                return Files.size(file);
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public void close() throws IOException {
            try (live) {
                if (previous != null) {
                    previous.close();
                }
            }
        }
    }
}
