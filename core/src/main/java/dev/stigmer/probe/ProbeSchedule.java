package dev.stigmer.probe;

import java.time.Duration;

/**
 * A probe and how to run it: every {@code interval}, each check bounded by {@code timeout};
 * {@code failures} in a row count (a running component is replaced; a starting one that is
 * frozen is, too).
 */
public record ProbeSchedule(HealthProbe probe, Duration interval, Duration timeout, int failures) {
    public ProbeSchedule {
        if (probe == null || interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()
                || failures < 1) {
            throw new IllegalArgumentException("invalid probe schedule");
        }
    }
}
