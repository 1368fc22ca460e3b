package dev.stigmer.probe;

import dev.stigmer.logs.LogFollower;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Ready once the service printed a line matching a regular expression since this start: each
 * start follows its log from where it ended ({@link LogFollower}, across rotations), and each
 * check reads only what was appended since the last one. A match holds for the rest of the run.
 * Readiness only: a line printed once says nothing about later health.
 */
public final class LogProbe implements HealthProbe {
    private static final int MAX_READ_PER_CHECK = 4 * 1024 * 1024;

    private final Path log;
    private final Pattern pattern;
    // Confined to one check at a time: the supervisor runs a run's readiness checks one after another.
    private LogFollower follower;
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
        follower = LogFollower.fromEnd(log);
        matched = false;
    }

    @Override
    public synchronized void resumingAt(long streamPosition) {
        follower = LogFollower.at(log, streamPosition); // the run's lines since it was spawned, across rotations
        matched = false;
    }

    @Override
    public synchronized ProbeResult check(Duration timeout) {
        if (follower == null) {
            starting();
        }
        try {
            int read = 0;
            while (!matched && read < MAX_READ_PER_CHECK) {
                int n = follower.poll((block, from, size) -> LogFollower.eachLine(block, from, size, (bytes, offset, length) -> {
                    if (!matched && pattern.matcher(new String(bytes, offset, length, StandardCharsets.UTF_8)).find()) {
                        matched = true;
                    }
                }));
                if (n == 0) {
                    break;
                }
                read += n;
            }
        } catch (IOException e) {
            // unreadable now: the next check looks again
        }
        return matched ? ProbeResult.serving()
                : ProbeResult.failing("no line matching /" + pattern.pattern() + "/ in " + log.getFileName() + " yet");
    }

    @Override
    public String toString() {
        return "log /" + pattern.pattern() + "/";
    }
}
