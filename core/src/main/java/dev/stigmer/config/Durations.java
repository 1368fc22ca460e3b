package dev.stigmer.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration grammar of stigmer, for the stack file, flags and environment variables alike:
 * a number and a unit, {@code 500ms}, {@code 5s}, {@code 1.5s}, {@code 2m}, {@code 1h}. A bare
 * number is refused with the unit to add: "5" could mean seconds or milliseconds.
 */
public final class Durations {
    /** Deadlines are computed in nanoseconds (long): a day is far from overflowing and longer than anyone waits. */
    public static final Duration MAX = Duration.ofDays(1);
    public static final String EXAMPLES = "500ms, 5s, 2m or 1h";
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,3})?)\\s*(ms|s|m|h)");
    private static final Pattern BARE = Pattern.compile("\\d{1,9}(?:\\.\\d{1,3})?");

    private Durations() {
    }

    /**
     * The duration {@code text} says; more than zero and at most {@link #MAX}.
     *
     * @throws IllegalArgumentException with the rest of a one-line message, "must be ...": the
     *                                  caller puts the name of what was read (a key, a flag) in front
     */
    public static Duration parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        Matcher m = FORMAT.matcher(trimmed);
        if (!m.matches()) {
            throw new IllegalArgumentException(BARE.matcher(trimmed).matches()
                    ? "needs a unit, got '" + trimmed + "': write " + trimmed + "s for seconds (or " + trimmed + "ms, "
                    + trimmed + "m, " + trimmed + "h)"
                    : "must be a duration like " + EXAMPLES + ", got '" + text + "'");
        }
        double value = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> value;
            case "s" -> value * 1_000;
            case "m" -> value * 60_000;
            default -> value * 3_600_000;
        };
        if ((long) millis <= 0) {
            throw new IllegalArgumentException("must be more than zero, got '" + trimmed + "'");
        }
        if (millis > MAX.toMillis()) {
            throw new IllegalArgumentException("must be at most 24h, got '" + trimmed + "'");
        }
        return Duration.ofMillis((long) millis);
    }

    /** As the grammar writes it, in the largest whole unit: {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
    public static String text(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /**
     * As people read it in a message: {@code 500 ms}, {@code 1.5 s}, {@code 15 s}, {@code 2m 5s},
     * {@code 1h 30m}; never a fraction cut to a whole second ("0 s" for half a second).
     */
    public static String readable(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            long tenths = Math.round(millis / 100.0);
            return tenths / 10 + (tenths % 10 == 0 ? "" : "." + tenths % 10) + " s";
        }
        long minutes = duration.toMinutes();
        return minutes < 60 ? minutes + "m" + (duration.toSecondsPart() > 0 ? " " + duration.toSecondsPart() + "s" : "")
                : duration.toHours() + "h " + duration.toMinutesPart() + "m";
    }
}
