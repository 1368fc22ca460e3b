package dev.stigmer.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last lines of a log file, read from its end. What it reads is bounded whatever the file
 * holds (the daemon asks for tails in a 32 MB heap): a line longer than {@link #MAX_LINE_CHARS}
 * is shown as "…" and its last {@code MAX_LINE_CHARS} characters.
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

    /** The last {@code count} lines of the file's first {@code end} bytes. */
    public static List<String> lastLines(Path file, int count, long end) {
        if (count <= 0) {
            return List.of();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = Math.min(end, raf.length());
            long window = Math.min(length, Math.min(MAX_WINDOW_BYTES, count * MAX_LINE_BYTES));
            long chunk = Math.min(window, Math.max(8192, count * 256L));
            while (true) {
                raf.seek(length - chunk);
                byte[] bytes = new byte[(int) chunk];
                raf.readFully(bytes);
                List<String> lines = new ArrayList<>(Arrays.asList(
                        new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1)));
                if (!lines.isEmpty() && lines.getLast().isEmpty()) {
                    lines.removeLast();
                }
                // Past `count` lines the first (maybe partial) one is not needed; at the window's
                // edge it stays: it is the end of a line too long to show whole.
                if (lines.size() > count || chunk == window) {
                    return lines.subList(Math.max(0, lines.size() - count), lines.size()).stream()
                            .map(LogTail::cut).toList();
                }
                chunk = Math.min(window, chunk * 4);
            }
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String cut(String line) {
        return line.length() <= MAX_LINE_CHARS ? line : "…" + line.substring(line.length() - MAX_LINE_CHARS);
    }
}
