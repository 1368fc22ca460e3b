package dev.stigmer.supervision;

/** Where a component is in its life. The transitions live in {@link Supervisor}, in one place. */
public enum ComponentState {
    /** Spawned, not yet answering its readiness probe. */
    STARTING,
    /** Ready and passing liveness checks. */
    RUNNING,
    /** Failed its liveness check too often; being replaced. */
    UNHEALTHY,
    /** Exited; waiting before the next start. */
    BACKOFF,
    /** Gave up: too many failed starts, or a cause no retry can fix (a taken port). */
    FAILED,
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
