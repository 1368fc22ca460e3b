package dev.stigmer.health;

import dev.stigmer.logs.LogRotation;
import dev.stigmer.supervision.HealthProbe;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Ready once the service printed a line matching a regular expression since this start: each
 * start remembers where its log ended, and each check reads only what was appended since the
 * last one (following a copy-and-truncate rotation into the rotated copy). A match holds for
 * the rest of the run. Readiness only: a line printed once says nothing about later health.
 */
public final class LogProbe implements HealthProbe {
    private static final int MAX_READ_PER_CHECK = 4 * 1024 * 1024;

    private final Path log;
    private final Pattern pattern;
    // Confined to one check at a time: the supervisor runs a run's readiness checks one after another.
    private long position;
    private String rotatedCopy; // size and time of NAME.1 when we last looked: a change means a rotation
    private final StringBuilder partialLine = new StringBuilder();
    private boolean matched;

    public LogProbe(Path log, String regex) {
        this.log = log;
        this.pattern = Pattern.compile(regex);
    }

    @Override
    public boolean checksALiveProcess() {
        return false; // the line may have rotated out long ago: it says nothing about a process we adopt
    }

    @Override
    public synchronized void starting() {
        position = size(log);
        rotatedCopy = mark(LogRotation.rotated(log, 1));
        partialLine.setLength(0);
        matched = false;
    }

    @Override
    public synchronized void resumingAt(long logOffset) {
        starting();
        // A log shorter than that was rotated since: what is left of the run's lines starts at 0.
        position = logOffset <= position ? logOffset : 0;
    }

    @Override
    public synchronized ProbeResult check(Duration timeout) {
        if (!matched) {
            Path copy = LogRotation.rotated(log, 1);
            String copyNow = mark(copy);
            if (!copyNow.equals(rotatedCopy)) {
                // Rotated (copy, then truncate) since we last looked: the rest of what we had not read
                // is in the copy, and the live log starts over. A live log that only shrank says the same.
                rotatedCopy = copyNow;
                if (size(copy) >= position) {
                    scan(copy, size(copy));
                }
                position = 0;
                partialLine.setLength(0);
            } else if (size(log) < position) {
                position = 0;
                partialLine.setLength(0);
            }
            long size = size(log);
            if (!matched) {
                scan(log, size);
            }
        }
        return matched ? ProbeResult.serving()
                : ProbeResult.failing("no line matching /" + pattern.pattern() + "/ in " + log.getFileName() + " yet");
    }

    private void scan(Path file, long size) {
        long end = Math.min(size, position + MAX_READ_PER_CHECK);
        if (end <= position) {
            return;
        }
        byte[] bytes = new byte[(int) (end - position)];
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(position);
            in.readFully(bytes);
        } catch (IOException e) {
            return; // gone or rotated meanwhile: the next check looks again
        }
        position = end;
        partialLine.append(new String(bytes, StandardCharsets.UTF_8));
        int start = 0;
        for (int newline = partialLine.indexOf("\n"); newline >= 0; newline = partialLine.indexOf("\n", start)) {
            if (pattern.matcher(partialLine.subSequence(start, newline)).find()) {
                matched = true;
                return;
            }
            start = newline + 1;
        }
        partialLine.delete(0, start);
        if (partialLine.length() > 64 * 1024) { // one endless line: look at it as it is, keep its end
            matched = pattern.matcher(partialLine).find();
            partialLine.delete(0, partialLine.length() - 8 * 1024);
        }
    }

    private static String mark(Path file) {
        try {
            return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return "none";
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return "log /" + pattern.pattern() + "/";
    }
}
