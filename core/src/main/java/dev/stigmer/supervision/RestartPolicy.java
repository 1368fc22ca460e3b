package dev.stigmer.supervision;

import java.time.Duration;

/**
 * When to restart. The first restart is immediate; each further one waits {@code firstDelay}
 * times {@code multiplier}^n, capped at {@code maxDelay}; a run that stayed up {@code stableAfter}
 * resets that. {@code maxFailedStarts} starts that never became ready within {@code window}
 * put the component in FAILED (a crash loop is visible, not endless).
 */
public record RestartPolicy(Duration firstDelay, double multiplier, Duration maxDelay, Duration stableAfter,
                            int maxFailedStarts, Duration window) {
    public static final RestartPolicy DEFAULT = new RestartPolicy(Duration.ofMillis(250), 2.0,
            Duration.ofSeconds(10), Duration.ofSeconds(10), 5, Duration.ofSeconds(60));

    public RestartPolicy {
        if (multiplier < 1 || maxFailedStarts < 1 || firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("invalid restart policy");
        }
    }
}
