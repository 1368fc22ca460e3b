package dev.stigmer.stackfile;

import java.util.Locale;
import java.util.Map;

/** Signal names a stack file may use for stop_signal, with their (Linux) numbers. */
public final class Signals {
    static final int TERM = 15;
    private static final Map<String, Integer> NUMBERS = Map.of(
            "HUP", 1, "INT", 2, "QUIT", 3, "KILL", 9, "USR1", 10, "USR2", 12, "TERM", TERM);

    private Signals() {
    }

    /** The number of {@code name} ("INT", "SIGINT", "2"), or -1. */
    static int number(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        if (upper.startsWith("SIG")) {
            upper = upper.substring(3);
        }
        if (NUMBERS.containsKey(upper)) {
            return NUMBERS.get(upper);
        }
        try {
            int number = Integer.parseInt(upper);
            return NUMBERS.containsValue(number) ? number : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** "TERM" for 15: the name a stack file would use. */
    public static String name(int number) {
        return NUMBERS.entrySet().stream().filter(e -> e.getValue() == number).map(Map.Entry::getKey)
                .findFirst().orElse(Integer.toString(number));
    }

    static String names() {
        return "TERM, INT, HUP, QUIT, KILL, USR1, USR2";
    }
}
