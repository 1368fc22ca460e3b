package dev.stigmer.control;

import dev.stigmer.supervision.ComponentSnapshot;

import java.util.List;

/** `stigmer local status --json`: {@code daemon} is null when no daemon runs. */
public record StatusReport(DaemonInfo daemon, List<ComponentSnapshot> components) {

    public record DaemonInfo(long pid, long startedAtMillis, String version, String home, String socket,
                             LocalSettings settings) {
    }
}
