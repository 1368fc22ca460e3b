package dev.stigmer.supervision;

/** Where a component is in its life. The transitions live in {@link Supervisor}, in one place. */
public enum ComponentState {
    /**
     * A new supervisor looks at what an earlier one left: it adopts the component's process when
     * that verifiably is ours, and otherwise stops whatever of ours is left.
     */
    RECOVERING,
    /** Wanted, but held back until what it depends on is started, healthy or completed. */
    WAITING,
    /** Being spawned (its ports claimed first), or spawned and not yet ready: its probe must pass, answered by its own listener. */
    STARTING,
    /** Ready and passing liveness checks. */
    RUNNING,
    /** A component that runs elsewhere (an external Temporal) does not answer its check; checked again on schedule. */
    UNREACHABLE,
    /** Failed its liveness check too often; being replaced. */
    UNHEALTHY,
    /** Exited; waiting before the next start. */
    BACKOFF,
    /** A one-shot (restart on-failure or "no") that exited 0: done, and not started again unless restarted. */
    COMPLETED,
    /** Exited with a failure under restart "no": not started again until the next start or restart. */
    EXITED,
    /** Gave up: too many failed starts, or a cause no retry can fix (a taken port). */
    FAILED,
    /** Its whole process tree is being stopped; a start meanwhile starts it again afterwards. */
    STOPPING,
    STOPPED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The label: what status prints and what its JSON carries ("running"). */
    @Override
    public String toString() {
        return label();
    }
}
