package dev.stigmer.supervision;

import java.util.List;

/**
 * What status shows of a watched service: what it watches and what last triggered it.
 *
 * @param paths       the watched paths, as resolved from the stack file
 * @param lastChange  the last change that counted (not ignored); null: none yet
 * @param rebuilds    how many rebuilds ran to their end
 * @param lastRebuild the last one's exit code and duration; null: none yet
 */
public record WatchStatus(List<String> paths, Change lastChange, int rebuilds, Rebuild lastRebuild) {
    public WatchStatus {
        paths = paths == null ? List.of() : List.copyOf(paths);
    }

    /** @param time ISO-8601, UTC */
    public record Change(String path, String time) {
    }

    /** @param exitCode null when it could not start at all */
    public record Rebuild(Integer exitCode, long millis) {
    }
}
