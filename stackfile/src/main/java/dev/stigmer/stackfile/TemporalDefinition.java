package dev.stigmer.stackfile;

import dev.stigmer.control.TemporalOptions;

import java.util.Map;

/**
 * The file's {@code temporal:} section; null fields were not set there (flag > environment >
 * file > default is resolved by the caller).
 *
 * @param options   the Temporal options the file sets
 * @param positions where each option key stands (FILE:LINE:COLUMN), for errors that depend on
 *                  which Temporal runs (the embedded one cannot honour some)
 * @param external  a Temporal that runs elsewhere ({@code external:} or {@code profile:}); null: a local one
 */
public record TemporalDefinition(Integer port, String bin, TemporalOptions options, Map<String, Position> positions,
                                 ExternalDefinition external) {
    static final TemporalDefinition NOT_SET = new TemporalDefinition(null, null, TemporalOptions.NONE, Map.of(), null);

    public TemporalDefinition {
        options = options == null ? TemporalOptions.NONE : options;
        positions = positions == null ? Map.of() : Map.copyOf(positions);
    }

    public TemporalDefinition(Integer port, String bin) {
        this(port, bin, TemporalOptions.NONE, Map.of(), null);
    }
}
