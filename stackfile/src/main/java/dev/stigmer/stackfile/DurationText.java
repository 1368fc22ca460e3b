package dev.stigmer.stackfile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** "250ms", "5s", "1.5s", "2m", "1h": milliseconds, or -1 when it is not such a duration. */
final class DurationText {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9}(?:\\.\\d{1,3})?)\\s*(ms|s|m|h)");

    private DurationText() {
    }

    static long millis(String text) {
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        double value = Double.parseDouble(m.group(1));
        double millis = switch (m.group(2)) {
            case "ms" -> value;
            case "s" -> value * 1_000;
            case "m" -> value * 60_000;
            default -> value * 3_600_000;
        };
        return millis > 365L * 24 * 3_600_000 ? -1 : (long) millis;
    }
}
