package dev.stigmer.control;

import dev.stigmer.supervision.ComponentSnapshot;

import java.util.List;

/** `stigmer local status --json`: {@code daemon} is null when no daemon runs. */
public record StatusReport(DaemonInfo daemon, List<ComponentSnapshot> components) {

    /** @param degraded what runs below its design here, one line each (e.g. no pidfds); empty normally */
    public record DaemonInfo(long pid, long startedAtMillis, String version, String home, String socket,
                             LocalSettings settings, List<String> degraded) {

        public DaemonInfo {
            degraded = degraded == null ? List.of() : List.copyOf(degraded); // null from an older daemon
        }

        public DaemonInfo(long pid, long startedAtMillis, String version, String home, String socket,
                          LocalSettings settings) {
            this(pid, startedAtMillis, version, home, socket, settings, List.of());
        }
    }
}
