package dev.stigmer.supervision;

import java.time.Duration;

/**
 * When to restart. The first restart is immediate; each further one waits {@code firstDelay}
 * times {@code multiplier}^n, capped at {@code maxDelay}; a run that stayed up {@code stableAfter}
 * resets that. {@code maxFailedStarts} starts in a row that never became ready put the component
 * in FAILED (a crash loop is visible, not endless), however long each of them took; a start that
 * becomes ready ends the streak.
 */
public record RestartPolicy(Duration firstDelay, double multiplier, Duration maxDelay, Duration stableAfter,
                            int maxFailedStarts) {
    public static final RestartPolicy DEFAULT = new RestartPolicy(Duration.ofMillis(250), 2.0,
            Duration.ofSeconds(10), Duration.ofSeconds(10), 5);

    public RestartPolicy {
        if (multiplier < 1 || maxFailedStarts < 1 || firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("invalid restart policy");
        }
    }
}
