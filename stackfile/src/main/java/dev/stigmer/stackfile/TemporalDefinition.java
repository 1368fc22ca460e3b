package dev.stigmer.stackfile;

/**
 * The file's {@code temporal:} section; null fields were not set there (flag > environment >
 * file > default is resolved by the caller).
 *
 * @param external a Temporal that runs elsewhere ({@code external:} or {@code profile:}); null: a local one
 */
public record TemporalDefinition(Integer port, String bin, ExternalDefinition external) {
    static final TemporalDefinition NOT_SET = new TemporalDefinition(null, null, null);

    public TemporalDefinition(Integer port, String bin) {
        this(port, bin, null);
    }
}
