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
        return dev.stigmer.config.Durations.readable(d);
    }
}
