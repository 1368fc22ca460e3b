package dev.stigmer.stack;

/** When a service that exited is started again. The crash-loop limit and backoff are Temporal's. */
public enum RestartMode implements Keyword {
    /** Always (the default): even an exit 0 is restarted. */
    ALWAYS,
    /** Only after a failure: exit 0 ends it as completed. */
    ON_FAILURE,
    /** Never: exit 0 is completed, anything else exited. */
    NO;

    @Override
    public String toString() {
        return keyword();
    }
}
