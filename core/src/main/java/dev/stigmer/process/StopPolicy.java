package dev.stigmer.process;

import java.time.Duration;

/**
 * {@code signal} (SIGTERM unless the component asks for another) and SIGCONT, wait {@code grace},
 * SIGKILL, wait up to {@code killWait} for the last member.
 */
public record StopPolicy(Duration grace, Duration killWait, int signal) {
    public static final StopPolicy DEFAULT = new StopPolicy(Duration.ofSeconds(10), Duration.ofSeconds(5));

    public StopPolicy {
        if (grace.isNegative() || killWait.isNegative() || signal <= 0) {
            throw new IllegalArgumentException("stop durations must not be negative, the signal must be one");
        }
    }

    public StopPolicy(Duration grace, Duration killWait) {
        this(grace, killWait, dev.stigmer.os.Linux.SIGTERM);
    }
}
