package dev.stigmer.cli;

import java.time.Duration;

/** The stigmer duration grammar ({@link dev.stigmer.config.Durations}) for flags and variables, and durations as people read them. */
final class Durations {
    private Durations() {
    }

    /** {@code text} as a duration, or a usage error that names {@code what} (a flag or a variable). */
    static Duration parse(String text, String what) {
        try {
            return dev.stigmer.config.Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new UserError(what + " " + e.getMessage(), UserError.USAGE);
        }
    }

    static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format("%.1f s", millis / 1000.0);
        }
        long minutes = d.toMinutes();
        return minutes < 60 ? minutes + "m" + (d.toSecondsPart() > 0 ? " " + d.toSecondsPart() + "s" : "")
                : d.toHours() + "h " + d.toMinutesPart() + "m";
    }
}
