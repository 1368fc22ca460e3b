package dev.stigmer.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** "250ms", "5s", "1.5s", "2m", or a bare number of seconds. */
final class Durations {
    // Deadlines are computed in nanoseconds (long): a day is far from overflowing and longer than anyone waits.
    static final Duration MAX = Duration.ofDays(1);
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");

    private Durations() {
    }

    static Duration parse(String text, String what) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new UserError(what + " must be a duration like 500ms, 5s or 2m, got '" + text + "'", UserError.USAGE);
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        long millis = (long) switch (unit) {
            case "ms" -> value;
            case "m" -> value * 60_000;
            default -> value * 1000;
        };
        if (millis <= 0) {
            throw new UserError(what + " must be greater than zero, got '" + text + "'", UserError.USAGE);
        }
        if (millis > MAX.toMillis()) {
            throw new UserError(what + " must be at most " + MAX.toMinutes() + "m (a day), got '" + text + "'", UserError.USAGE);
        }
        return Duration.ofMillis(millis);
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
