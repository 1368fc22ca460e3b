package dev.stigmer.supervision;

import java.util.List;
import java.util.Map;

/**
 * What a supervisor says about its component at one moment; immutable, safe to hand out.
 *
 * @param kind      "temporal" or "service"
 * @param dependsOn what it waits for before it starts (a stack's depends_on), in file order
 * @param exitCode  the last exit's code when it exited by itself; null when it was a signal or
 *                  unknown (an adopted process is not our child)
 * @param roundTripMicros how long its last passing check took, for a component that runs
 *                  elsewhere (an external Temporal); null otherwise
 * @param watch     what it watches and what last triggered it; null: not watched
 */
public record ComponentSnapshot(
        String name,
        String kind,
        ComponentState state,
        Long pid,
        String address,
        String mode,
        boolean persistent,
        Map<String, String> links,
        int restarts,
        boolean adopted,
        Long startedAtMillis,
        List<String> dependsOn,
        Integer exitCode,
        String lastExit,
        String lastError,
        List<String> logTail,
        Long roundTripMicros,
        WatchStatus watch) {

    public ComponentSnapshot {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn); // null from an older daemon
        logTail = logTail == null ? List.of() : logTail;
        links = links == null ? Map.of() : links;
    }

    public ComponentSnapshot(String name, String kind, ComponentState state, Long pid, String address, String mode,
                             boolean persistent, Map<String, String> links, int restarts, boolean adopted,
                             Long startedAtMillis, List<String> dependsOn, Integer exitCode, String lastExit,
                             String lastError, List<String> logTail, Long roundTripMicros) {
        this(name, kind, state, pid, address, mode, persistent, links, restarts, adopted, startedAtMillis, dependsOn,
                exitCode, lastExit, lastError, logTail, roundTripMicros, null);
    }

    public ComponentSnapshot(String name, String kind, ComponentState state, Long pid, String address, String mode,
                             boolean persistent, Map<String, String> links, int restarts, boolean adopted,
                             Long startedAtMillis, List<String> dependsOn, Integer exitCode, String lastExit,
                             String lastError, List<String> logTail) {
        this(name, kind, state, pid, address, mode, persistent, links, restarts, adopted, startedAtMillis, dependsOn,
                exitCode, lastExit, lastError, logTail, null);
    }

    /** A Temporal as status shows it without a daemon's word (kind temporal, no stack). */
    public ComponentSnapshot(String name, ComponentState state, Long pid, String address, String mode,
                             boolean persistent, Map<String, String> links, int restarts, boolean adopted,
                             Long startedAtMillis, String lastExit, String lastError, List<String> logTail) {
        this(name, dev.stigmer.config.TemporalDefaults.NAME, state, pid, address, mode, persistent, links, restarts, adopted, startedAtMillis,
                List.of(), null, lastExit, lastError, logTail);
    }

    /** The same, with the stack's view added: what it depends on, and a wait that holds it back. */
    public ComponentSnapshot inStack(List<String> dependencies, String waitingFor) {
        boolean waiting = waitingFor != null;
        return new ComponentSnapshot(name, kind, waiting ? ComponentState.WAITING : state, pid, address, mode,
                persistent, links, restarts, adopted, startedAtMillis, dependencies, exitCode, lastExit,
                waiting ? waitingFor : lastError, logTail, roundTripMicros, watch);
    }

    /**
     * The same, watched: {@code watch} shown, and {@code problem} (a failed rebuild, a watch cut
     * short: newer than an exit's error) as its last error, unless it waits (which says on what).
     */
    public ComponentSnapshot watched(WatchStatus watch, String problem) {
        String error = problem == null || state == ComponentState.WAITING ? lastError : problem;
        return new ComponentSnapshot(name, kind, state, pid, address, mode, persistent, links, restarts, adopted,
                startedAtMillis, dependsOn, exitCode, lastExit, error, logTail, roundTripMicros, watch);
    }

    /** True when it is where a start wants it: running, or a one-shot that completed. */
    public boolean settled() {
        return state == ComponentState.RUNNING || state == ComponentState.COMPLETED;
    }
}
