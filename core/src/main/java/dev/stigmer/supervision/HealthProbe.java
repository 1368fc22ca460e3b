package dev.stigmer.supervision;

import java.time.Duration;

/** Asks a component whether it serves. Must return within {@code timeout}; never throws. */
@FunctionalInterface
public interface HealthProbe {
    ProbeResult check(Duration timeout);

    record ProbeResult(boolean healthy, String detail) {
        public static ProbeResult serving() {
            return new ProbeResult(true, "serving");
        }

        public static ProbeResult failing(String detail) {
            return new ProbeResult(false, detail);
        }
    }
}
