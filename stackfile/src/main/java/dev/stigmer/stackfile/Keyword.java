package dev.stigmer.stackfile;

import java.util.Locale;

/** An enum written in the file (and in JSON) as its lowercase keyword, '_' as '-'. */
interface Keyword {
    String name();

    default String keyword() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
