package dev.stigmer.control;

import dev.stigmer.supervision.ComponentSnapshot;

import java.util.List;

/** `stigmer local status --json`: {@code daemon} is null when no daemon runs. */
public record StatusReport(DaemonInfo daemon, List<ComponentSnapshot> components) {

    /**
     * @param version          the daemon's build identity (Implementation-Version of its jar)
     * @param uptimeMillis     from the daemon's monotonic clock: no wall clock can make it wrong
     * @param reportedAtMillis the daemon's wall clock when it answered: components' start times are
     *                         on that clock, so their uptime is computed against it, not the CLI's
     * @param degraded         what runs below its design here, one line each (e.g. no pidfds); empty
     *                         normally
     * @param dashboard        the dashboard's URL (without its token), or null when it is off or unavailable
     */
    public record DaemonInfo(long pid, long startedAtMillis, String version, String home, String socket,
                             LocalSettings settings, long uptimeMillis, long reportedAtMillis,
                             List<String> degraded, String dashboard) {

        public DaemonInfo {
            degraded = degraded == null ? List.of() : List.copyOf(degraded); // null from an older daemon
        }

        public DaemonInfo(long pid, long startedAtMillis, String version, String home, String socket,
                          LocalSettings settings, long uptimeMillis, long reportedAtMillis, List<String> degraded) {
            this(pid, startedAtMillis, version, home, socket, settings, uptimeMillis, reportedAtMillis, degraded, null);
        }

        public DaemonInfo(long pid, long startedAtMillis, String version, String home, String socket,
                          LocalSettings settings, long uptimeMillis, long reportedAtMillis) {
            this(pid, startedAtMillis, version, home, socket, settings, uptimeMillis, reportedAtMillis, List.of(), null);
        }
    }
}
