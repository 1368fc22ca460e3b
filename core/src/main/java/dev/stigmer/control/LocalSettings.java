package dev.stigmer.control;

import java.util.Objects;

/**
 * What a start asks for, resolved by the CLI (flag over environment over stack file over
 * default). The explicit flags say which values the user chose: only those must agree with a
 * running instance.
 *
 * @param temporalBin the temporal executable, or null for the embedded Temporal
 * @param options     the stack file's Temporal options; null without a stack file (a start
 *                    from elsewhere has no say on them, and the running ones stay)
 */
public record LocalSettings(int temporalPort, boolean portExplicit, String temporalBin, boolean binExplicit,
                            long timeoutMillis, long healthIntervalMillis, long healthTimeoutMillis,
                            long stopGraceMillis, TemporalOptions options) {

    public LocalSettings(int temporalPort, boolean portExplicit, String temporalBin, boolean binExplicit,
                         long timeoutMillis, long healthIntervalMillis, long healthTimeoutMillis, long stopGraceMillis) {
        this(temporalPort, portExplicit, temporalBin, binExplicit, timeoutMillis, healthIntervalMillis,
                healthTimeoutMillis, stopGraceMillis, null);
    }

    /** The options Temporal runs with: the file's, else the defaults. */
    public TemporalOptions temporalOptions() {
        return options == null ? TemporalOptions.NONE : options;
    }

    public String mode() {
        return temporalBin == null ? "embedded" : "cli";
    }

    /** Why {@code this} request cannot be served by an instance started with {@code running}; null if it can. */
    public String conflictWith(LocalSettings running) {
        if (portExplicit && temporalPort != running.temporalPort()) {
            return "it serves Temporal on port " + running.temporalPort() + ", not " + temporalPort;
        }
        if (binExplicit && !Objects.equals(temporalBin, running.temporalBin())) {
            return "it runs " + describeBin(running.temporalBin()) + ", not " + describeBin(temporalBin);
        }
        if (options != null && !options.equals(running.temporalOptions())) {
            return "its Temporal runs with other options (namespaces, search attributes, ...)";
        }
        return null;
    }

    private static String describeBin(String bin) {
        return bin == null ? "the embedded Temporal" : bin;
    }
}
