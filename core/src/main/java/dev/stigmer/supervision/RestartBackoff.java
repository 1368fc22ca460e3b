package dev.stigmer.supervision;

import java.time.Duration;

/** The delays of one crash streak: 0, first, first*m, ... up to the cap, until {@link #reset()}. */
public final class RestartBackoff {
    private final RestartPolicy policy;
    private int attempt;

    public RestartBackoff(RestartPolicy policy) {
        this.policy = policy;
    }

    public Duration nextDelay() {
        int n = attempt++;
        if (n == 0) {
            return Duration.ZERO;
        }
        double millis = policy.firstDelay().toMillis() * Math.pow(policy.multiplier(), n - 1);
        return millis >= policy.maxDelay().toMillis() ? policy.maxDelay() : Duration.ofMillis((long) millis);
    }

    public void reset() {
        attempt = 0;
    }
}
