package dev.stigmer.control;

import dev.stigmer.process.ProcessIdentity;

/**
 * run/daemon.json: who the daemon is, for `stop` when the socket does not answer. Acted on only
 * when the live process matches it (pid, start time, boot id) and carries our ownership mark.
 * Deleted by a daemon that exits on request: one that vanished and left it behind was killed.
 *
 * @param settings        the Temporal it runs now (null until its first START)
 * @param stopBoundMillis how long stopping its whole stack may take (each service's grace and
 *                        kill wait along the longest chain of dependents): how long `stop` waits
 */
public record DaemonRecord(long pid, long startTicks, String bootId, long startedAtMillis, String version,
                           LocalSettings settings, Long stopBoundMillis) {

    public DaemonRecord(long pid, long startTicks, String bootId, long startedAtMillis, String version,
                        LocalSettings settings) {
        this(pid, startTicks, bootId, startedAtMillis, version, settings, null);
    }

    /** Complete enough to name the daemon; {@code settings} (its Temporal's) is null before its first START. */
    public boolean isComplete() {
        return pid > 0 && startTicks > 0 && bootId != null;
    }

    public ProcessIdentity identity() {
        return new ProcessIdentity(pid, startTicks, bootId, "");
    }
}
