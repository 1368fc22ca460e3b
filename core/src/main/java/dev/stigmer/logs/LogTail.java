package dev.stigmer.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The last lines of a log file, read from its end (logs can be large). */
public final class LogTail {
    private LogTail() {
    }

    public static List<String> lastLines(Path file, int count) {
        if (count <= 0) {
            return List.of();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long chunk = Math.min(length, Math.max(8192, count * 256L));
            while (true) {
                raf.seek(length - chunk);
                byte[] bytes = new byte[(int) chunk];
                raf.readFully(bytes);
                List<String> lines = new ArrayList<>(Arrays.asList(
                        new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1)));
                if (!lines.isEmpty() && lines.getLast().isEmpty()) {
                    lines.removeLast();
                }
                if (lines.size() > count || chunk == length) {
                    return List.copyOf(lines.subList(Math.max(0, lines.size() - count), lines.size()));
                }
                chunk = Math.min(length, chunk * 4);
            }
        } catch (IOException e) {
            return List.of();
        }
    }
}
