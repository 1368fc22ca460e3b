package dev.stigmer.probe;

import java.time.Duration;
import java.util.OptionalInt;

/** Asks a component whether it serves. Must return within {@code timeout}; never throws. */
@FunctionalInterface
public interface HealthProbe {
    ProbeResult check(Duration timeout);

    /**
     * The local port whose listener answers this probe, if it asks one: when that port is one of
     * the component's own, the answer counts only if the listener there is the component's.
     */
    default OptionalInt port() {
        return OptionalInt.empty();
    }

    /**
     * False for a probe that cannot vouch for a process it did not see start (a log line printed
     * since the start, which a later daemon cannot see again): an adopted process is then taken as
     * ready, and its health probe (if any) watches it.
     */
    default boolean checksALiveProcess() {
        return true;
    }

    /** Called before each start of the component: a probe that keeps state per run resets it here. */
    default void starting() {
    }

    /**
     * Called instead of {@link #starting()} when a later daemon adopts a run that had not become
     * ready: what that run wrote to its log begins at {@code logOffset} (a position in the log's
     * byte stream, from {@code LogFollower.streamEnd} when it was spawned), so a probe reading the log picks up where the run began, not where we are now.
     */
    default void resumingAt(long logOffset) {
        starting();
    }

    /** Releases what the probe holds (a channel): the component is gone for good. */
    default void close() {
    }

    record ProbeResult(boolean healthy, String detail) {
        public static ProbeResult serving() {
            return new ProbeResult(true, "serving");
        }

        public static ProbeResult failing(String detail) {
            return new ProbeResult(false, detail);
        }
    }
}
