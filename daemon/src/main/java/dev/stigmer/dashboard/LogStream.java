package dev.stigmer.dashboard;

import dev.stigmer.logs.LogTail;
import dev.stigmer.state.Json;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /api/v1/logs}: the last lines of one or more logs, then (following) what is appended to
 * them, a whole line at a time, named by its log. A log that shrinks was rotated (copy-truncate):
 * it is read again from its start. Polled while a page follows it, and only then.
 */
final class LogStream {
    static final int MAX_TAIL = 10_000;
    private static final long POLL_MILLIS = 200;
    private static final int MAX_LINE_CHARS = LogTail.MAX_LINE_CHARS;

    /** One log: its name as the page shows it, and its file. */
    record Source(String name, Path file) {
    }

    /** One line as the API answers it. */
    record Line(String name, String line) {
    }

    private LogStream() {
    }

    static List<Line> tail(List<Source> sources, int count) {
        List<Line> lines = new ArrayList<>();
        for (Source source : sources) {
            for (String line : LogTail.lastLines(source.file(), count)) {
                lines.add(new Line(source.name(), line));
            }
        }
        return lines;
    }

    /** Sends the tail, then new lines until the page goes away (a write fails). */
    static void follow(Sse sse, List<Source> sources, int count) throws IOException, InterruptedException {
        long[] offsets = new long[sources.size()];
        StringBuilder[] partial = new StringBuilder[sources.size()];
        for (int i = 0; i < sources.size(); i++) {
            offsets[i] = size(sources.get(i).file());
            partial[i] = new StringBuilder();
        }
        for (Line line : tail(sources, count)) {
            sse.send(Json.write(line));
        }
        byte[] buffer = new byte[64 * 1024];
        long quietSince = System.currentTimeMillis();
        while (true) {
            boolean sent = false;
            for (int i = 0; i < sources.size(); i++) {
                Source source = sources.get(i);
                long size = size(source.file());
                if (size < offsets[i]) {
                    offsets[i] = 0; // rotated: the live file starts over
                    partial[i].setLength(0);
                }
                if (size <= offsets[i]) {
                    continue;
                }
                try (RandomAccessFile file = new RandomAccessFile(source.file().toFile(), "r")) {
                    file.seek(offsets[i]);
                    int read;
                    while ((read = file.read(buffer)) > 0) {
                        offsets[i] += read;
                        partial[i].append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                    }
                } catch (IOException gone) {
                    continue; // deleted between the size and the open: next round
                }
                int start = 0;
                for (int newline = partial[i].indexOf("\n"); newline >= 0; newline = partial[i].indexOf("\n", start)) {
                    String text = partial[i].substring(start, newline);
                    sse.send(Json.write(new Line(source.name(),
                            text.length() > MAX_LINE_CHARS ? text.substring(text.length() - MAX_LINE_CHARS) : text)));
                    start = newline + 1;
                    sent = true;
                }
                partial[i].delete(0, start);
                if (partial[i].length() > MAX_LINE_CHARS) {
                    partial[i].delete(0, partial[i].length() - MAX_LINE_CHARS);
                }
            }
            long now = System.currentTimeMillis();
            if (sent) {
                quietSince = now;
            } else if (now - quietSince >= Sse.KEEP_ALIVE_MILLIS) {
                sse.keepAlive();
                quietSince = now;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
