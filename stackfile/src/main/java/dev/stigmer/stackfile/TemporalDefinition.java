package dev.stigmer.stackfile;

/**
 * The file's {@code temporal:} section; null fields were not set there (flag > environment >
 * file > default is resolved by the caller).
 */
public record TemporalDefinition(Integer port, String bin) {
    static final TemporalDefinition NOT_SET = new TemporalDefinition(null, null);
}
