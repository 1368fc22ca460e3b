package dev.stigmer.dashboard;

import dev.stigmer.logs.LogTail;
import dev.stigmer.state.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code /api/v1/logs}: the last lines of one or more logs, then (following) what is appended to
 * them, a whole line at a time, named by its log (read by {@link LogFollowers}, once for all pages).
 */
final class LogStream {
    static final int MAX_TAIL = 10_000;
    /** Lines a page may be behind, beyond its tails, before it is dropped (it reconnects and starts over). */
    private static final int BACKLOG = 10_000;

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

    /**
     * Sends the tail, then new lines, until the page goes away (a write fails). The files are read
     * by {@code followers}, shared with every other page; this thread only writes to its page, from
     * a bounded queue: a page that stops reading is dropped rather than holding a line for everyone.
     */
    static void follow(Sse sse, List<Source> sources, int count, LogFollowers followers)
            throws IOException, InterruptedException {
        BlockingQueue<Line> queue = new ArrayBlockingQueue<>(BACKLOG + sources.size() * count);
        AtomicBoolean overflow = new AtomicBoolean();
        List<LogFollowers.Following> followings = new ArrayList<>();
        try {
            for (Source source : sources) {
                followings.add(followers.follow(source.file(), count, line -> {
                    if (!queue.offer(new Line(source.name(), line))) {
                        overflow.set(true);
                    }
                }));
            }
            while (!overflow.get()) {
                Line line = queue.poll(Sse.KEEP_ALIVE_MILLIS, TimeUnit.MILLISECONDS);
                if (line == null) {
                    sse.keepAlive();
                } else {
                    sse.send(Json.write(line));
                }
            }
        } finally {
            followings.forEach(LogFollowers.Following::close);
        }
    }
}
