package dev.stigmer.process;

import java.time.Duration;

/** SIGTERM (+SIGCONT), wait {@code grace}, SIGKILL, wait up to {@code killWait} for the last member. */
public record StopPolicy(Duration grace, Duration killWait) {
    public static final StopPolicy DEFAULT = new StopPolicy(Duration.ofSeconds(10), Duration.ofSeconds(5));

    public StopPolicy {
        if (grace.isNegative() || killWait.isNegative()) {
            throw new IllegalArgumentException("stop durations must not be negative");
        }
    }
}
