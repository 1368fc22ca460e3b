package dev.stigmer.control;

import java.util.Objects;

/**
 * What a start asks for, resolved by the CLI (flag over environment over default). The explicit
 * flags say which values the user chose: only those must agree with a running instance.
 *
 * @param temporalBin the temporal executable, or null for the embedded Temporal
 */
public record LocalSettings(int temporalPort, boolean portExplicit, String temporalBin, boolean binExplicit,
                            long timeoutMillis, long healthIntervalMillis, long healthTimeoutMillis,
                            long stopGraceMillis) {

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
        return null;
    }

    private static String describeBin(String bin) {
        return bin == null ? "the embedded Temporal" : bin;
    }
}
