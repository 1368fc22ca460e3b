package dev.stigmer.dashboard;

import dev.stigmer.logs.LogTail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One reader per followed log, however many pages follow it: ten pages on one log cost what one
 * does. A single thread polls the followed files (and only while any is followed); what it reads
 * goes to each follower's listener, a whole line at a time. A log that shrinks was rotated
 * (copy-truncate): it is read again from its start.
 */
final class LogFollowers {
    private static final long POLL_MILLIS = 250;
    private static final int MAX_LINE_CHARS = LogTail.MAX_LINE_CHARS;

    private final Map<Path, Watch> watches = new ConcurrentHashMap<>();
    private Thread poller;

    /** Ends a {@link #follow}; closing twice is harmless. */
    interface Following extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The last {@code tail} lines of {@code file} to {@code listener} at once, then every line
     * appended, with no line lost or repeated in between.
     */
    Following follow(Path file, int tail, Consumer<String> listener) {
        Watch watch;
        synchronized (this) {
            watch = watches.computeIfAbsent(file, Watch::new);
            watch.followers.add(listener);
            if (poller == null) {
                poller = Thread.ofVirtual().name("dashboard-logs").start(this::poll);
            }
        }
        synchronized (watch) {
            watch.readNew(); // everything up to now goes to the others: the tail below covers it for this one
            for (String line : LogTail.lastLines(file, tail)) {
                listener.accept(line);
            }
            watch.joined.add(listener);
        }
        return () -> {
            synchronized (this) {
                watch.followers.remove(listener);
                watch.joined.remove(listener);
                if (watch.followers.isEmpty()) {
                    watches.remove(file, watch);
                }
            }
        };
    }

    private void poll() {
        while (true) {
            synchronized (this) {
                if (watches.isEmpty()) {
                    poller = null;
                    return;
                }
            }
            for (Watch watch : List.copyOf(watches.values())) {
                synchronized (watch) {
                    watch.readNew();
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One followed file: how far it has been read, and who gets its lines. */
    private static final class Watch {
        final Path file;
        final Set<Consumer<String>> followers = ConcurrentHashMap.newKeySet();
        /** Followers that have had their tail: new lines go to these. */
        final Set<Consumer<String>> joined = ConcurrentHashMap.newKeySet();
        long offset;
        final StringBuilder partial = new StringBuilder();
        private final byte[] buffer = new byte[64 * 1024];

        Watch(Path file) {
            this.file = file;
            this.offset = size(file);
        }

        void readNew() {
            long size = size(file);
            if (size < offset) {
                offset = 0;
                partial.setLength(0);
            }
            if (size <= offset) {
                return;
            }
            try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
                in.seek(offset);
                int read;
                while ((read = in.read(buffer)) > 0) {
                    offset += read;
                    partial.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
                }
            } catch (IOException gone) {
                return; // deleted between the size and the open: next round
            }
            int start = 0;
            for (int newline = partial.indexOf("\n"); newline >= 0; newline = partial.indexOf("\n", start)) {
                String line = partial.substring(start, newline);
                String shown = line.length() > MAX_LINE_CHARS ? line.substring(line.length() - MAX_LINE_CHARS) : line;
                for (Consumer<String> follower : joined) {
                    follower.accept(shown);
                }
                start = newline + 1;
            }
            partial.delete(0, start);
            if (partial.length() > MAX_LINE_CHARS) {
                partial.delete(0, partial.length() - MAX_LINE_CHARS);
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
}
