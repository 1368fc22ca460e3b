package dev.stigmer.stack;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * When a service that exited is started again. The crash-loop limit and backoff are Temporal's.
 * Each mode says what it does with an exit; nothing else asks which mode it is.
 */
public enum RestartMode implements Keyword {
    /** Always (the default): even an exit 0 is restarted. */
    ALWAYS(true, true),
    /** Only after a failure: exit 0 ends it as completed. */
    ON_FAILURE(false, true),
    /** Never: exit 0 is completed, anything else exited. */
    NO(false, false);

    private final boolean afterSuccess;
    private final boolean afterFailure;

    RestartMode(boolean afterSuccess, boolean afterFailure) {
        this.afterSuccess = afterSuccess;
        this.afterFailure = afterFailure;
    }

    /** Whether an exit (a success: exit 0, not ended by us) is followed by a new start. */
    public boolean restartsAfter(boolean succeeded) {
        return succeeded ? afterSuccess : afterFailure;
    }

    /** Whether it can ever end as completed (so that a dependent may wait for that). */
    public boolean canComplete() {
        return !afterSuccess;
    }

    /** As the stack file writes it: YAML reads a bare no as false, so that one is quoted. */
    public String written() {
        return this == NO ? "\"no\"" : keyword();
    }

    public static Optional<RestartMode> of(String keyword) {
        return Arrays.stream(values()).filter(mode -> mode.keyword().equals(keyword)).findFirst();
    }

    /** "always, on-failure or \"no\"" */
    public static String choices() {
        String all = Arrays.stream(values()).map(RestartMode::written).collect(Collectors.joining(", "));
        int last = all.lastIndexOf(", ");
        return all.substring(0, last) + " or " + all.substring(last + 2);
    }

    @Override
    public String toString() {
        return keyword();
    }
}
