package dev.stigmer.probe;

/**
 * How a probe runs: every {@code intervalMillis}, each check bounded by {@code timeoutMillis};
 * {@code failures} in a row make a running service unhealthy.
 */
public record ProbeTiming(long intervalMillis, long timeoutMillis, int failures) {
    public ProbeTiming {
        if (intervalMillis <= 0 || timeoutMillis <= 0 || failures < 1) {
            throw new IllegalArgumentException("invalid probe timing");
        }
    }
}
