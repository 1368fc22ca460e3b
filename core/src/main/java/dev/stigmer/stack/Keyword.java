package dev.stigmer.stack;

import java.util.Locale;

/** An enum written in the file (and in JSON) as its lowercase keyword, '_' as '-'. */
public interface Keyword {
    String name();

    default String keyword() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
